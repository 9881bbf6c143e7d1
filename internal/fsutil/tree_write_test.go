package fsutil

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"
)

func TestWriteTree(t *testing.T) {
	for name, fsys := range map[string]afero.Fs{"os": afero.NewOsFs(), "mem": afero.NewMemMapFs()} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "tree")
			if err := fsys.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
				t.Fatal(err)
			}
			// Written earlier, flushed with the folders.
			if err := WriteNew(fsys, filepath.Join(dir, ".marker"), []byte("m"), 0o644); err != nil {
				t.Fatal(err)
			}
			files := []NewFile{
				{filepath.Join(dir, "small"), []byte("s"), 0o644},
				{filepath.Join(dir, "sub", "big"), bytes.Repeat([]byte{0xff}, 1<<20), 0o600},
				{filepath.Join(dir, "run.sh"), []byte("#!/bin/sh\n"), 0o755},
			}
			if err := WriteTree(fsys, dir, files); err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				got, err := afero.ReadFile(fsys, f.Path)
				if err != nil || !bytes.Equal(got, f.Data) {
					t.Errorf("%s: %d bytes, %v; want %d", f.Path, len(got), err, len(f.Data))
				}
				if fi, err := fsys.Stat(f.Path); err != nil || fi.Mode().Perm() != f.Perm {
					t.Errorf("%s: mode %v, want %v", f.Path, fi.Mode().Perm(), f.Perm)
				}
			}
			// Never over an existing file: each is created new.
			err := WriteTree(fsys, dir, files[:1])
			if !errors.Is(err, os.ErrExist) {
				t.Errorf("writing over an existing file: %v, want it refused", err)
			}
		})
	}
}
