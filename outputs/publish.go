package outputs

import (
	"fmt"
	"os"
	"path"
	"path/filepath"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/fsutil"
)

// Publish writes files into a temporary directory beside dir and renames it into
// place, so dir holds either the previous build or this one, never a mix.
func Publish(fs afero.Fs, dir string, files []File) error {
	parent := filepath.Dir(filepath.Clean(dir))
	if err := fs.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", parent, err)
	}
	tmp, err := fsutil.TempDirFor(fs, dir)
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			_ = fs.RemoveAll(tmp)
		}
	}()
	for _, f := range files {
		p := filepath.Join(tmp, filepath.FromSlash(f.Name))
		if err := fs.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := fsutil.WriteFileAtomic(fs, p, f.Data, os.FileMode(f.Mode)); err != nil {
			return fmt.Errorf("write %s: %w", path.Join(dir, f.Name), err)
		}
	}
	if err := fsutil.ReplaceDir(fs, tmp, dir); err != nil {
		return err
	}
	ok = true
	return nil
}
