package fsimage

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/spf13/afero"
)

// ReadDir reads a folder tree into entries (files with their bytes, and every folder),
// paths relative to dir in path order. A symlink or device file is refused rather than
// followed, so the image holds only what is inside the folder.
func ReadDir(fs afero.Fs, dir string) ([]Entry, error) {
	info, err := fs.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a folder", dir)
	}
	var out []Entry
	err = afero.Walk(fs, dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch {
		case fi.IsDir():
			out = append(out, Entry{Path: rel, Dir: true})
		case fi.Mode().IsRegular():
			data, err := afero.ReadFile(fs, p)
			if err != nil {
				return err
			}
			out = append(out, Entry{Path: rel, Data: data})
		default:
			return fmt.Errorf("%s is not a regular file or folder (%s)", rel, fi.Mode().Type())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}
