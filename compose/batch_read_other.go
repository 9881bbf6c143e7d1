//go:build !unix

package compose

import "github.com/spf13/afero"

func readSmall(fsys afero.Fs, name string, max int64) ([]byte, error) {
	return readSmallFS(fsys, name, max)
}

func fileSHA256(fsys afero.Fs, name string) (string, bool) { return fileSHA256FS(fsys, name) }

func digestOS(string) (string, bool) { return "", false }
