package fsutil

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/afero"
)

// Pending is WriteFileAtomic taken apart, for a caller that writes a file piece by
// piece while it still computes the rest (`nvs encode` writes the pages of an image
// that can no longer change while it lays out the next ones): the temporary file
// beside path is created first, written at offsets, and Commit then makes it durable
// and renames it over path exactly as WriteFileAtomic does; Abort removes it. Until
// Commit, path is untouched.
type Pending struct {
	fs        afero.Fs
	f         afero.File
	tmp, path string
	perm      os.FileMode
}

// CreatePending creates the temporary file that will become path, with mode perm.
// The parent directory must exist.
func CreatePending(fs afero.Fs, path string, perm os.FileMode) (*Pending, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if st, err := fs.Stat(dir); err != nil {
		return nil, fmt.Errorf("fsutil: write %s: %w", path, err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("fsutil: write %s: parent %s is not a directory", path, dir)
	}
	f, err := createTemp(fs, dir, "."+base+".tmp-", perm)
	if err != nil {
		return nil, fmt.Errorf("fsutil: write %s: %w", path, err)
	}
	return &Pending{fs: fs, f: f, tmp: f.Name(), path: path, perm: perm}, nil
}

// WriteAt writes b at offset off of the temporary file. (Starting its writeback
// early with sync_file_range was tried and measured: the kernel submits the pages in
// the caller's time, which cost more than the final flush saved.)
func (p *Pending) WriteAt(b []byte, off int64) error {
	if _, err := p.f.WriteAt(b, off); err != nil {
		return fmt.Errorf("fsutil: write %s: %w", p.path, err)
	}
	return nil
}

// Commit flushes the temporary file, closes it, sets its mode and renames it over
// path, then flushes the directory: the steps of WriteFileAtomic after the write. On
// failure the temporary file is removed and path is untouched.
func (p *Pending) Commit() error {
	if err := writeClose(p.fs, p.f, p.tmp, nil, p.perm, true); err != nil {
		_ = p.fs.Remove(p.tmp)
		return fmt.Errorf("fsutil: write %s: %w", p.path, err)
	}
	if err := p.fs.Rename(p.tmp, p.path); err != nil {
		_ = p.fs.Remove(p.tmp)
		return fmt.Errorf("fsutil: write %s: %w", p.path, err)
	}
	syncDir(p.fs, filepath.Dir(p.path))
	return nil
}

// Abort closes and removes the temporary file; path is untouched.
func (p *Pending) Abort() {
	_ = p.f.Close()
	_ = p.fs.Remove(p.tmp)
}
