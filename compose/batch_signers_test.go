package compose

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/spf13/afero"
)

// setupFs counts the files opened while an external signer is set up (by
// signers.NewCommand, which reads and checks the public key).
type setupFs struct {
	afero.Fs
	n atomic.Int64
}

func (c *setupFs) count() {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	for {
		f, more := frames.Next()
		if strings.HasSuffix(f.Function, "internal/signers.NewCommand") {
			c.n.Add(1)
			return
		}
		if !more {
			return
		}
	}
}

func (c *setupFs) Open(name string) (afero.File, error) {
	c.count()
	return c.Fs.Open(name)
}

func (c *setupFs) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	c.count()
	return c.Fs.OpenFile(name, flag, perm)
}

// A signing key held by an external signer is set up once for the batch, not once per
// device, and every device's record still names its public key as an input: a new
// public key rebuilds every device.
func TestBatchSignerSetUpOnce(t *testing.T) {
	const n = 12
	dir := batchProject(t, n)
	pub, err := os.ReadFile(filepath.Join("..", "examples", "remote-signing", "keys", "release_pub.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "release_pub.pem"), pub, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := os.ReadFile(filepath.Join(dir, "espcompose.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	// A key no stage signs with: its signer is set up (the public key read and
	// checked) but never run.
	m = append(m, []byte("\nkey \"release\" {\n  algorithm  = \"rsa-3072\"\n  public_key = \"release_pub.pem\"\n  signer     = [\"false\", \"{digest_file}\", \"{signature_file}\"]\n}\n")...)
	if err := os.WriteFile(filepath.Join(dir, "espcompose.hcl"), m, 0o644); err != nil {
		t.Fatal(err)
	}
	fsys := &setupFs{Fs: afero.NewOsFs()}
	out := filepath.Join(dir, "dist")
	opts := Options{FS: fsys, Manifest: filepath.Join(dir, "espcompose.hcl"), Out: out, CacheDir: filepath.Join(dir, "cache"), ToolVersion: "batch-test"}
	res, err := RunBatch(context.Background(), opts, BatchOptions{Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Built != n {
		t.Fatalf("built %d devices, want %d", res.Built, n)
	}
	if got := fsys.n.Load(); got != 1 {
		t.Errorf("the external signer was set up %d times for %d devices, want once", got, n)
	}
	for i := 1; i <= n; i++ {
		r := readRecord(afero.NewOsFs(), out, serial(i))
		if r == nil || !slices.Contains(r.Reads, "release_pub.pem") {
			t.Fatalf("device %s: its record does not name the public key: %+v", serial(i), r)
		}
	}
	// A rerun skips every device; a changed public key file (the same key, one more
	// line) rebuilds every one.
	if res, err = RunBatch(context.Background(), opts, BatchOptions{Jobs: 2}); err != nil || res.Built != 0 {
		t.Fatalf("rerun: %+v, %v", res, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "release_pub.pem"), append(pub, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	if res, err = RunBatch(context.Background(), opts, BatchOptions{Jobs: 2}); err != nil || res.Built != n {
		t.Fatalf("after a new public key: %+v, %v", res, err)
	}
}
