package fsutil

import (
	iofs "io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/afero"
)

// Sub returns the io/fs view of dir on fs, for codecs that read the files a data file
// names (CSV file rows, esp-at raw data). Unlike afero.BasePathFs it works with a
// relative dir (".", when the manifest is given as a bare file name) and on every
// backend; io/fs path rules already keep names inside dir (no "..", no leading "/").
func Sub(fs afero.Fs, dir string) iofs.FS {
	return afero.NewIOFS(&prefixFs{Fs: fs, dir: dir})
}

// prefixFs resolves the names io/fs hands it against dir.
type prefixFs struct {
	afero.Fs
	dir string
}

func (p *prefixFs) path(name string) string { return filepath.Join(p.dir, filepath.FromSlash(name)) }

func (p *prefixFs) Open(name string) (afero.File, error) { return p.Fs.Open(p.path(name)) }

func (p *prefixFs) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	return p.Fs.OpenFile(p.path(name), flag, perm)
}

func (p *prefixFs) Stat(name string) (os.FileInfo, error) { return p.Fs.Stat(p.path(name)) }
