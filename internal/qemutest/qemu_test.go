package qemutest

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if cli.path != "" {
		os.RemoveAll(filepath.Dir(cli.path))
	}
	os.Exit(code)
}

// qemuBinary returns the device's QEMU from its environment variable, or skips.
func qemuBinary(t *testing.T, d *device) string {
	t.Helper()
	p := os.Getenv(d.qemuEnv)
	if p == "" {
		t.Skipf("%s is not set: point it at the qemu-system binary of Espressif's QEMU fork with machine %s",
			d.qemuEnv, d.machine)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s: %v", d.qemuEnv, err)
	}
	return p
}

func bootTimeout(t *testing.T) time.Duration {
	if s := os.Getenv(envTimeout); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("%s: %v", envTimeout, err)
		}
		return d
	}
	return 2 * time.Minute
}

// efuseFile writes the device's eFuse file for f.
func efuseFile(t *testing.T, d *device, f fuses) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "efuse.bin")
	if err := os.WriteFile(p, d.efuse(f), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// console is the serial output of one boot, as plain text.
type console struct {
	mu  sync.Mutex
	raw []byte
	c   chan struct{}
}

func (c *console) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.raw = append(c.raw, p...)
	c.mu.Unlock()
	select {
	case c.c <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (c *console) text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.ReplaceAll(ansi.ReplaceAllString(string(c.raw), ""), "\r", "")
}

// boot runs the emulator on a private copy of flash (the bootloader writes otadata)
// until done reports true for the serial output so far, and returns that output.
// efuse is "" for a device with blank security eFuses.
func boot(t *testing.T, d *device, qemu, flash, efuse string, done func(string) bool) string {
	t.Helper()
	img, err := os.ReadFile(flash)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	flashCopy := filepath.Join(dir, "flash.bin")
	if err := os.WriteFile(flashCopy, img, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"-nographic", "-machine", d.machine,
		"-drive", "file=" + flashCopy + ",if=mtd,format=raw"}
	if efuse != "" {
		args = append(args,
			"-drive", "file="+efuse+",if=none,format=raw,id=efuse",
			"-global", "driver="+d.efuseDriver+",property=drive,value=efuse")
	}
	ctx, cancel := context.WithTimeout(context.Background(), bootTimeout(t))
	defer cancel()
	cmd := exec.CommandContext(ctx, qemu, args...)
	out := &console{c: make(chan struct{}, 1)}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Stdin = strings.NewReader("")
	t.Logf("%s %s", qemu, strings.Join(args, " "))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for {
		select {
		case <-out.c:
			if done(out.text()) {
				cmd.Process.Kill()
				<-exited
				if testing.Verbose() {
					t.Logf("serial output:\n%s", tail(out.text()))
				}
				return out.text()
			}
		case err := <-exited:
			t.Fatalf("QEMU exited before the expected output (%v):\n%s", err, tail(out.text()))
		case <-ctx.Done():
			<-exited
			t.Fatalf("no expected output within %s:\n%s", bootTimeout(t), tail(out.text()))
		}
	}
}

func tail(s string) string {
	const n = 6000
	if len(s) > n {
		return "...\n" + s[len(s)-n:]
	}
	return s
}

// seen returns a done func that waits for every marker, or for any of stop.
func seen(markers []string, stop ...string) func(string) bool {
	return func(s string) bool {
		for _, m := range stop {
			if strings.Contains(s, m) {
				return true
			}
		}
		for _, m := range markers {
			if !strings.Contains(s, m) {
				return false
			}
		}
		return true
	}
}

var _ io.Writer = (*console)(nil)
