package compose

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/fsutil"
)

// The batch's own reads of small files (records, markers, input files) on the real
// disk give what the afero paths give, and a read recorder still learns of them.
func TestBatchReadsMatchAfero(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "cert.pem")
	if err := os.WriteFile(file, []byte("-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "tree")
	if err := os.MkdirAll(filepath.Join(sub, "a"), 0o755); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")

	rec := fsutil.NewReadRecorder(afero.NewOsFs())
	ih := newInputHasher(rec, dir, []string{"settings"})
	for _, p := range []string{file, sub, missing} {
		got := ih.fileDigest(p, false)
		want := ih.digestFS(p)
		if got != want {
			t.Errorf("fileDigest(%s) = %s, afero gives %s", p, got, want)
		}
	}
	if got := ih.fileDigest(missing, false); got != "missing" {
		t.Errorf("a missing file digests as %q", got)
	}
	if !slices.Contains(rec.Files(), file) || slices.Contains(rec.Files(), missing) {
		t.Errorf("the recorder holds %v: want the file read and not the missing one", rec.Files())
	}
	if !slices.Contains(rec.Dirs(), sub) {
		t.Errorf("the recorder's folders are %v: want %s", rec.Dirs(), sub)
	}

	osfs := afero.NewOsFs()
	for _, p := range []string{file, missing, sub} {
		b1, err1 := readSmall(osfs, p, 1<<20)
		b2, err2 := readSmallFS(osfs, p, 1<<20)
		if string(b1) != string(b2) || (err1 == nil) != (err2 == nil) {
			t.Errorf("readSmall(%s) = %q, %v; afero gives %q, %v", p, b1, err1, b2, err2)
		}
		d1, ok1 := fileSHA256(osfs, p)
		d2, ok2 := fileSHA256FS(osfs, p)
		if d1 != d2 || ok1 != ok2 {
			t.Errorf("fileSHA256(%s) = %s, %v; afero gives %s, %v", p, d1, ok1, d2, ok2)
		}
	}
	if _, err := readSmall(osfs, file, 10); err == nil || !strings.Contains(err.Error(), "larger than 10 bytes") {
		t.Errorf("a file over the limit: %v", err)
	}
}

// A caller's read recorder (the command line's, for --depfile) learns every file each
// device read, whether the device was built or skipped as up to date.
func TestBatchReadsReachCallersRecorder(t *testing.T) {
	const n = 4
	dir := batchProject(t, n)
	out := filepath.Join(dir, "dist")
	for round, want := range []int{n, 0} {
		rec := fsutil.NewReadRecorder(afero.NewOsFs())
		res, err := RunBatch(context.Background(), Options{FS: rec, Manifest: filepath.Join(dir, "espcompose.hcl"),
			Out: out, CacheDir: filepath.Join(dir, "cache"), ToolVersion: "batch-test"}, BatchOptions{Jobs: 2})
		if err != nil {
			t.Fatal(err)
		}
		if res.Built != want {
			t.Fatalf("round %d built %d devices, want %d", round, res.Built, want)
		}
		files := rec.Files()
		for i := 1; i <= n; i++ {
			cert, _ := filepath.Abs(filepath.Join(dir, "certs", serial(i)+".pem"))
			if !slices.Contains(files, cert) {
				t.Errorf("round %d: the caller's recorder does not hold %s: %v", round, cert, files)
			}
		}
		for _, f := range files {
			if strings.HasPrefix(f, out+string(filepath.Separator)) {
				t.Errorf("round %d: the output tree's %s is recorded as an input", round, f)
			}
		}
	}
}
