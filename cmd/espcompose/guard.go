package main

import (
	"os"
	"path/filepath"

	"github.com/espcompose/espcompose/internal/fsutil"
	"github.com/espcompose/espcompose/internal/guard"
)

// checkOutputFile is the guard for a low-level command's single output file: it must
// not be any file the command read (its input, a key) nor a private key.
func (a *app) checkOutputFile(path string) error {
	var p guard.Protected
	p.FromRecorder(a.rec)
	if a.inPlace != "" {
		// The one input a command may replace by design (sign, as espsecure signs in
		// place); the write is atomic, and the command's key files stay protected.
		keep := p.Files[:0]
		for _, f := range p.Files {
			if fsutil.Abs(f.Path) != fsutil.Abs(a.inPlace) {
				keep = append(keep, f)
			}
		}
		p.Files = keep
	}
	return guard.CheckFile(a.fs, path, p)
}

// writeGuarded writes a low-level command's output file: checked by the guard, parent
// folders made as needed and removed again if the write fails, so a failed command
// leaves nothing behind. exclusive is for key files, which are never replaced.
func (a *app) writeGuarded(path string, data []byte, mode os.FileMode, exclusive bool) error {
	if err := a.checkOutputFile(path); err != nil {
		return err
	}
	created, err := fsutil.MkdirAllTracked(a.fs, filepath.Dir(path), 0o755)
	if err != nil {
		return err
	}
	if exclusive {
		err = fsutil.CreateExclusive(a.fs, path, data, mode)
	} else {
		err = fsutil.WriteFileAtomic(a.fs, path, data, mode)
	}
	if err != nil {
		fsutil.RemoveCreated(a.fs, created)
	}
	return err
}
