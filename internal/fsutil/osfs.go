package fsutil

import "github.com/spf13/afero"

// IsOS reports whether fs reaches the real disk (afero.OsFs, possibly behind a
// ReadRecorder). Only then do OS facilities apply: file locks, renameat2, symlinks.
func IsOS(fs afero.Fs) bool {
	for {
		switch f := fs.(type) {
		case *afero.OsFs:
			return true
		case *ReadRecorder:
			fs = f.Fs
		default:
			return false
		}
	}
}
