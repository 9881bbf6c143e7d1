package fsutil

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/afero"
)

// ErrLeftover marks a ReplaceDir error where the new directory WAS published
// but the previous one, moved aside, could not be removed. Callers may treat
// it as a warning; the leftover path is in the message.
var ErrLeftover = errors.New("old directory left behind")

// TempDirFor creates a fresh, empty temporary directory beside finalDir
// (same parent, so ReplaceDir's rename stays on one filesystem) and returns
// its path. The parent of finalDir must exist.
func TempDirFor(fs afero.Fs, finalDir string) (string, error) {
	parent, base := filepath.Split(filepath.Clean(finalDir))
	if parent == "" {
		parent = "."
	}
	d, err := afero.TempDir(fs, parent, "."+base+".tmp-")
	if err != nil {
		return "", fmt.Errorf("fsutil: temp dir for %s: %w", finalDir, err)
	}
	return d, nil
}

// ReplaceDir publishes the fully written directory tmpDir at finalDir.
//
// Guarantees:
//   - finalDir never contains a mix of old and new files: it is either the
//     old directory, absent, or the new directory (each step is one rename).
//   - If finalDir does not exist, tmpDir is renamed into place in one step.
//   - If it exists, it is first renamed aside to a unique sibling
//     (finalDir.old-<random>), then tmpDir is renamed into place, then the
//     aside copy is removed. Between the two renames finalDir is briefly
//     absent; a crash in that window leaves it absent with the old copy at
//     the .old-* sibling, so readers must treat a missing output as "not
//     built" (a cache miss), never as an error to recover from by hand.
//   - On failure of the publish rename, the old directory is renamed back,
//     and tmpDir is left untouched for the caller to retry or remove.
//   - If only the final cleanup fails, the new content is published and the
//     error wraps ErrLeftover.
//
// tmpDir should come from TempDirFor so both names share a parent directory
// and the rename never crosses filesystems.
func ReplaceDir(fs afero.Fs, tmpDir, finalDir string) error {
	tmpDir = filepath.Clean(tmpDir)
	finalDir = filepath.Clean(finalDir)
	st, err := fs.Stat(tmpDir)
	if err != nil {
		return fmt.Errorf("fsutil: publish %s: %w", finalDir, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("fsutil: publish %s: %s is not a directory", finalDir, tmpDir)
	}
	had, err := exists(fs, finalDir)
	if err != nil {
		return fmt.Errorf("fsutil: publish %s: %w", finalDir, err)
	}
	if !had {
		if err := fs.Rename(tmpDir, finalDir); err != nil {
			return fmt.Errorf("fsutil: publish %s: %w", finalDir, err)
		}
		syncDir(fs, filepath.Dir(finalDir))
		return nil
	}

	aside, err := asideName(fs, finalDir)
	if err != nil {
		return fmt.Errorf("fsutil: publish %s: %w", finalDir, err)
	}
	if err := fs.Rename(finalDir, aside); err != nil {
		return fmt.Errorf("fsutil: publish %s: move old aside: %w", finalDir, err)
	}
	if err := fs.Rename(tmpDir, finalDir); err != nil {
		if rerr := fs.Rename(aside, finalDir); rerr != nil {
			return fmt.Errorf("fsutil: publish %s: %w (restoring old copy from %s also failed: %v)",
				finalDir, err, aside, rerr)
		}
		return fmt.Errorf("fsutil: publish %s: %w", finalDir, err)
	}
	syncDir(fs, filepath.Dir(finalDir))
	if err := fs.RemoveAll(aside); err != nil {
		return fmt.Errorf("fsutil: publish %s: %w at %s: %v", finalDir, ErrLeftover, aside, err)
	}
	return nil
}

// asideName picks an unused sibling name for the directory being replaced.
func asideName(fs afero.Fs, finalDir string) (string, error) {
	for range 16 {
		var b [6]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", err
		}
		name := finalDir + ".old-" + hex.EncodeToString(b[:])
		ok, err := exists(fs, name)
		if err != nil {
			return "", err
		}
		if !ok {
			return name, nil
		}
	}
	return "", fmt.Errorf("no free name beside %s: %w", finalDir, os.ErrExist)
}
