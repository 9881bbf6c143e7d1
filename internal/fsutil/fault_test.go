package fsutil

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/spf13/afero"
)

var errInjected = errors.New("injected fault")

// faultFs wraps a real afero.Fs and fails selected operations, so tests can
// prove that no half-written state survives a failure at each step.
type faultFs struct {
	afero.Fs
	failWrite     bool
	failSync      bool
	failChmod     bool
	failRemoveAll bool
	failRename    func(oldname, newname string) bool
}

func (f *faultFs) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	file, err := f.Fs.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &faultFile{File: file, fs: f}, nil
}

func (f *faultFs) Create(name string) (afero.File, error) {
	return f.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

func (f *faultFs) Rename(oldname, newname string) error {
	if f.failRename != nil && f.failRename(oldname, newname) {
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: errInjected}
	}
	return f.Fs.Rename(oldname, newname)
}

func (f *faultFs) Chmod(name string, mode os.FileMode) error {
	if f.failChmod {
		return &os.PathError{Op: "chmod", Path: name, Err: errInjected}
	}
	return f.Fs.Chmod(name, mode)
}

func (f *faultFs) RemoveAll(path string) error {
	if f.failRemoveAll {
		return &os.PathError{Op: "removeall", Path: path, Err: errInjected}
	}
	return f.Fs.RemoveAll(path)
}

type faultFile struct {
	afero.File
	fs *faultFs
}

func (f *faultFile) Write(p []byte) (int, error) {
	if f.fs.failWrite {
		// Write part of the data first, like a disk filling up would.
		n, _ := f.File.Write(p[:len(p)/2])
		return n, errInjected
	}
	return f.File.Write(p)
}

func (f *faultFile) Sync() error {
	if f.fs.failSync {
		return errInjected
	}
	return f.File.Sync()
}

// backends runs fn against an in-memory and an on-disk filesystem; root is
// an existing empty directory on that filesystem.
func backends(t *testing.T, fn func(t *testing.T, fs afero.Fs, root string)) {
	t.Run("mem", func(t *testing.T) {
		fs := afero.NewMemMapFs()
		root := filepath.FromSlash("/work")
		if err := fs.MkdirAll(root, 0o755); err != nil {
			t.Fatal(err)
		}
		fn(t, fs, root)
	})
	t.Run("os", func(t *testing.T) {
		fn(t, afero.NewOsFs(), t.TempDir())
	})
}

// tree lists every path under root (relative, slash-separated, sorted),
// with directories suffixed by "/".
func tree(t *testing.T, fs afero.Fs, root string) []string {
	t.Helper()
	var out []string
	err := afero.Walk(fs, root, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		if rel == "." {
			return nil
		}
		rel = filepath.ToSlash(rel)
		if info.IsDir() {
			rel += "/"
		}
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func readString(t *testing.T, fs afero.Fs, name string) string {
	t.Helper()
	b, err := afero.ReadFile(fs, name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
