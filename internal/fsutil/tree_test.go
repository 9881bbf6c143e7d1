package fsutil

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

func TestWriteNewRefusesAnExistingFile(t *testing.T) {
	fs := afero.NewMemMapFs()
	_ = afero.WriteFile(fs, "/d/a", []byte("mine"), 0o600)
	if err := WriteNew(fs, "/d/a", []byte("x"), 0o644); !errors.Is(err, os.ErrExist) {
		t.Fatalf("got %v", err)
	}
	if b, _ := afero.ReadFile(fs, "/d/a"); string(b) != "mine" {
		t.Fatalf("existing file changed: %q", b)
	}
	if err := WriteNew(fs, "/d/b", []byte("x"), 0o640); err != nil {
		t.Fatal(err)
	}
	if st, _ := fs.Stat("/d/b"); st.Mode().Perm() != 0o640 {
		t.Fatalf("mode %v", st.Mode())
	}
}

func TestWriteFileNoSyncReplacesAndLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	fs := afero.NewOsFs()
	p := filepath.Join(dir, "obj")
	for _, data := range []string{"one", "two"} {
		if err := WriteFileNoSync(fs, p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(p); string(b) != data {
			t.Fatalf("got %q want %q", b, data)
		}
	}
	names, _ := os.ReadDir(dir)
	if len(names) != 1 {
		t.Fatalf("want only obj, got %v", names)
	}
	if err := WriteFileNoSync(fs, filepath.Join(dir, "missing", "x"), nil, 0o644); err == nil {
		t.Fatal("want an error for a missing parent")
	}
}

// failSyncFs fails every flush of one path.
type failSyncFs struct {
	afero.Fs
	bad string
}

func (f failSyncFs) Open(name string) (afero.File, error) {
	fl, err := f.Fs.Open(name)
	if err != nil || name != f.bad {
		return fl, err
	}
	return failSyncFile{fl}, nil
}

type failSyncFile struct{ afero.File }

func (failSyncFile) Sync() error { return errors.New("disk on fire") }

// A tree that could not be flushed must not be published: unlike the best-effort
// directory flush after a rename, SyncTree reports every failure, for files and
// folders alike.
func TestSyncTreeReportsAFailedFlush(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a", "sub/b"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := SyncTree(afero.NewOsFs(), dir); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{filepath.Join(dir, "sub", "b"), filepath.Join(dir, "sub")} {
		err := SyncTree(failSyncFs{afero.NewOsFs(), bad}, dir)
		if err == nil || !strings.Contains(err.Error(), "disk on fire") || !strings.Contains(err.Error(), bad) {
			t.Fatalf("%s: got %v", bad, err)
		}
	}
}

func TestLstatSeesALinkThroughARecorder(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "t")
	_ = os.WriteFile(target, []byte("x"), 0o644)
	link := filepath.Join(dir, "l")
	if err := os.Symlink(target, link); err != nil {
		t.Skip("no symlinks here:", err)
	}
	st, err := Lstat(NewReadRecorder(afero.NewOsFs()), link)
	if err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("Lstat = %v, %v; want the link itself", st, err)
	}
}

// ReadFile returns exactly the file's bytes, in a buffer of exactly its size.
func TestReadFileExactSize(t *testing.T) {
	for _, fs := range []afero.Fs{afero.NewMemMapFs(), afero.NewOsFs()} {
		dir := t.TempDir()
		for _, n := range []int{0, 1, 511, 512, 4096, 1<<20 + 3} {
			want := make([]byte, n)
			for i := range want {
				want[i] = byte(i * 7)
			}
			p := filepath.Join(dir, fmt.Sprintf("f%d", n))
			if err := afero.WriteFile(fs, p, want, 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := ReadFile(fs, p)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%T size %d: %d bytes, err %v", fs, n, len(got), err)
			}
			if n > 0 && cap(got) != n {
				t.Errorf("%T size %d: buffer of %d bytes", fs, n, cap(got))
			}
		}
		if _, err := ReadFile(fs, filepath.Join(dir, "missing")); err == nil {
			t.Errorf("%T: no error for a missing file", fs)
		}
	}
}

// WriteNew on the real disk (its direct system-call path): the exact mode whatever
// the umask leaves, the data whole, and an existing file refused, not replaced.
func TestWriteNewOSExclusiveExactMode(t *testing.T) {
	dir := t.TempDir()
	fs := afero.NewOsFs()
	for _, perm := range []os.FileMode{0o600, 0o644, 0o755} {
		p := filepath.Join(dir, perm.String())
		data := bytes.Repeat([]byte{byte(perm)}, 100_000)
		if err := WriteNew(fs, p, data, perm); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(p)
		if err != nil || st.Mode().Perm() != perm {
			t.Errorf("%s: mode %v (%v)", p, st.Mode(), err)
		}
		if got, _ := os.ReadFile(p); !bytes.Equal(got, data) {
			t.Errorf("%s: %d bytes read back, want %d", p, len(got), len(data))
		}
		if err := WriteNew(fs, p, []byte("other"), perm); !errors.Is(err, os.ErrExist) {
			t.Errorf("%s again: %v, want ErrExist", p, err)
		}
		if got, _ := os.ReadFile(p); !bytes.Equal(got, data) {
			t.Errorf("%s was changed by the refused write", p)
		}
	}
	d := filepath.Join(dir, "sub")
	if err := MkdirExact(fs, d, 0o751); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(d); st.Mode().Perm() != 0o751 {
		t.Errorf("MkdirExact: mode %v", st.Mode())
	}
}
