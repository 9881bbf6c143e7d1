package qemutest

import (
	"context"
	"encoding/binary"
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

// qemuBinary returns ESPCOMPOSE_QEMU_RISCV32 or skips.
func qemuBinary(t *testing.T) string {
	t.Helper()
	p := os.Getenv(envQEMU)
	if p == "" {
		t.Skipf("%s is not set: point it at qemu-system-riscv32 from Espressif's QEMU fork (machine esp32c3)", envQEMU)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s: %v", envQEMU, err)
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

// QEMU's esp32c3 eFuse file is the read registers from EFUSE_RD_WR_DIS onwards:
// BLOCK0 (wr_dis and five repeat words), BLOCK1, BLOCK2, BLOCK3, KEY0..KEY5, BLOCK10.
const (
	efuseRepeat0   = 4  // RD_DIS in bits 0..6
	efuseRepeat1   = 8  // SPI_BOOT_CRYPT_CNT bits 18..20, KEY_PURPOSE_0/1 bits 24..31
	efuseRepeat2   = 12 // SECURE_BOOT_EN bit 20
	efuseMacSys3   = 36 // WAFER_VERSION_MINOR_LO bits 18..20
	efuseKey0      = 112
	efuseKeyLen    = 32
	efuseFileSize  = 1024
	purposeXTS128  = 4
	purposeSBDig0  = 9
	chipRevMinorV3 = 3
)

// fuses is what a test device has burned.
type fuses struct {
	xtsKey   []byte // XTS_AES_128_KEY, with SPI_BOOT_CRYPT_CNT = 1
	sbDigest []byte // SECURE_BOOT_DIGEST0, with SECURE_BOOT_EN
}

// efuseFile is an eFuse image for a chip revision v0.3 device (what QEMU assumes when
// given none) holding what the build's efuse-plan.sh burns, in its block order:
// `burn_key BLOCK_KEY0 key XTS_AES_128_KEY` (stored byte-reversed, read-protected),
// then `burn_key_digest BLOCK_KEY<n> pub SECURE_BOOT_DIGEST0`, SPI_BOOT_CRYPT_CNT = 1
// (development mode) and SECURE_BOOT_EN.
func efuseFile(t *testing.T, f fuses) string {
	t.Helper()
	e := make([]byte, efuseFileSize)
	or32 := func(off int, v uint32) {
		binary.LittleEndian.PutUint32(e[off:], binary.LittleEndian.Uint32(e[off:])|v)
	}
	or32(efuseMacSys3, chipRevMinorV3<<18)
	block := 0
	if f.xtsKey != nil {
		or32(efuseRepeat1, 1<<18|purposeXTS128<<(24+4*block))
		or32(efuseRepeat0, 1<<block) // RD_DIS
		for i := range f.xtsKey {
			e[efuseKey0+efuseKeyLen*block+i] = f.xtsKey[len(f.xtsKey)-1-i]
		}
		block++
	}
	if f.sbDigest != nil {
		or32(efuseRepeat1, purposeSBDig0<<(24+4*block))
		or32(efuseRepeat2, 1<<20)
		copy(e[efuseKey0+efuseKeyLen*block:], f.sbDigest)
	}
	p := filepath.Join(t.TempDir(), "efuse.bin")
	if err := os.WriteFile(p, e, 0o600); err != nil {
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
func boot(t *testing.T, qemu, flash, efuse string, done func(string) bool) string {
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
	args := []string{"-nographic", "-machine", "esp32c3",
		"-drive", "file=" + flashCopy + ",if=mtd,format=raw"}
	if efuse != "" {
		args = append(args,
			"-drive", "file="+efuse+",if=none,format=raw,id=efuse",
			"-global", "driver=nvram.esp32c3.efuse,property=drive,value=efuse")
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
