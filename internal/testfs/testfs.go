// Package testfs copies example and fixture trees for tests: into memory, so
// benchmarks measure espcompose rather than the disk, or into a temporary
// directory, so builds never write into the repository.
package testfs

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"
)

// skipDir names build outputs and caches that are never copied.
func skipDir(name string) bool { return name == ".espcompose" || name == "dist" }

// ToMem copies the tree at src into a new in-memory filesystem under root.
func ToMem(tb testing.TB, src, root string) afero.Fs {
	tb.Helper()
	mfs := afero.NewMemMapFs()
	err := fs.WalkDir(os.DirFS(src), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if skipDir(d.Name()) {
				return fs.SkipDir
			}
			return mfs.MkdirAll(path.Join(root, p), 0o755)
		}
		data, err := os.ReadFile(filepath.Join(src, filepath.FromSlash(p)))
		if err != nil {
			return err
		}
		return afero.WriteFile(mfs, path.Join(root, p), data, 0o600)
	})
	if err != nil {
		tb.Fatal(err)
	}
	return mfs
}

// ToDir copies the tree at src into dst on the OS filesystem, keeping file modes.
func ToDir(tb testing.TB, src, dst string) {
	tb.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			if skipDir(d.Name()) {
				return fs.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm())
	})
	if err != nil {
		tb.Fatal(err)
	}
}
