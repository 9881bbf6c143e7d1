//go:build !unix

package compose

import (
	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/fsutil"
)

func readSmall(fsys afero.Fs, name string, max int64) ([]byte, error) {
	return readSmallFS(fsys, name, max)
}

func fileSHA256(fsys afero.Fs, name string) (string, bool) { return fileSHA256FS(fsys, name) }

func digestOS(string) (d string, opened, handled bool) { return "", false, false }

func osBelow(afero.Fs) (bool, []*fsutil.ReadRecorder) { return false, nil }
