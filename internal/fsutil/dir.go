package fsutil

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/afero"
)

// ErrLeftover marks a ReplaceDir error where the new directory WAS published
// but the previous one, moved aside, could not be removed. Callers may treat
// it as a warning; the leftover path is in the message.
var ErrLeftover = errors.New("old directory left behind")

// ErrNotOurs marks a ReplaceDir that refused: finalDir exists and does not hold the
// proof that it is the caller's (ReplaceOptions.Proof), or appeared while the new
// directory was being written. Nothing was changed; tmpDir is left for the caller.
var ErrNotOurs = errors.New("exists and is not shown to be ours to replace")

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

// Steps named for ReplaceDirHook, in the order they happen.
const (
	StepSwapped = "swapped" // the new directory is in place; the old one is at the temporary name
	StepAside   = "aside"   // fallback only: the old directory is moved aside, the new one not yet in place
)

// ReplaceDir publishes the fully written directory tmpDir at finalDir.
//
// Guarantees:
//   - finalDir never contains a mix of old and new files: it is either the
//     old directory or the new directory.
//   - If finalDir does not exist, tmpDir is renamed into place in one step, which on
//     Linux never replaces anything that appeared there meanwhile (RenameNoReplace).
//   - An existing finalDir is replaced only if it holds a regular file named
//     ReplaceOptions.Proof (ReplaceDir, which has none, only ever makes a new
//     folder): otherwise ErrNotOurs and nothing changes. Callers check ownership
//     more closely (the marker's content); this is the last look, where the swap is.
//   - If it exists, on Linux the two are swapped with one renameat2(RENAME_EXCHANGE),
//     so finalDir is never absent; the old content, now at tmpDir, is removed.
//   - Where the OS cannot swap, the old directory is first renamed aside to a
//     unique hidden sibling (.finalDir.old-<random>), then tmpDir is renamed into
//     place, then the aside copy is removed. A crash between the two renames leaves
//     finalDir absent and the old copy aside, which RecoverDir puts back.
//   - On failure of the publish rename, the old directory is renamed back,
//     and tmpDir is left untouched for the caller to retry or remove.
//   - If only the final cleanup fails, the new content is published and the
//     error wraps ErrLeftover.
//
// tmpDir should come from TempDirFor so both names share a parent directory
// and the rename never crosses filesystems.
func ReplaceDir(fs afero.Fs, tmpDir, finalDir string) error {
	return ReplaceDirWith(fs, tmpDir, finalDir, ReplaceOptions{})
}

// ReplaceOptions tune ReplaceDirWith.
type ReplaceOptions struct {
	// Hook, when not nil, is called after each step, so crash tests can stop the
	// process exactly between two steps.
	Hook func(step string)
	// Proof names the file that shows a folder is ours: an existing finalDir
	// without it is never replaced, and the old tree is removed with it last (see
	// RecoverDir). "" replaces nothing: finalDir must not exist.
	Proof string
	// Owned, when set, decides instead whether an existing finalDir may be replaced
	// (the caller's own test: the proof's content, or an older form of its output).
	Owned func(dir string) bool
}

// removeTree removes dir with the file named proof (if any) last: proof is what shows
// the folder is ours (outputs' marker), so a removal cut short by a crash leaves a
// folder that is still recognisably ours, and the next RecoverDir finishes it.
func removeTree(fs afero.Fs, dir, proof string) error {
	if proof != "" {
		names, err := afero.ReadDir(fs, dir)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		for _, fi := range names {
			if fi.Name() == proof {
				continue
			}
			if err := fs.RemoveAll(filepath.Join(dir, fi.Name())); err != nil {
				return err
			}
		}
	}
	return fs.RemoveAll(dir)
}

// RenameNew renames tmpDir to finalDir, which was not there when looked at, and never
// over something that appeared since (ErrNotOurs): on Linux in one system call
// (RenameNoReplace), elsewhere after a last look. It does not flush the parent folder:
// ReplaceDir does, and a device batch leaves it to its group flush.
func RenameNew(fs afero.Fs, tmpDir, finalDir string) error {
	if IsOS(fs) {
		done, err := RenameNoReplace(tmpDir, finalDir)
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%w: it appeared while the new folder was written", ErrNotOurs)
		}
		if done {
			return err
		}
	}
	if had, err := exists(fs, finalDir); err != nil {
		return err
	} else if had {
		return fmt.Errorf("%w: it appeared while the new folder was written", ErrNotOurs)
	}
	return fs.Rename(tmpDir, finalDir)
}

// mayReplace checks that the existing dir is the caller's: Owned says so, or dir holds
// Proof as a regular file (not a folder, not a link).
func (o ReplaceOptions) mayReplace(fs afero.Fs, dir string) error {
	switch {
	case o.Owned != nil:
		if !o.Owned(dir) {
			return fmt.Errorf("%w: nothing in it shows it is ours", ErrNotOurs)
		}
		return nil
	case o.Proof == "":
		return fmt.Errorf("%w: it exists, and only a new folder is made here", ErrNotOurs)
	}
	fi, err := Lstat(fs, filepath.Join(dir, o.Proof))
	if err != nil || !fi.Mode().IsRegular() {
		return fmt.Errorf("%w: it has no %s", ErrNotOurs, o.Proof)
	}
	return nil
}

// ReplaceDirWith is ReplaceDir with options.
func ReplaceDirWith(fs afero.Fs, tmpDir, finalDir string, o ReplaceOptions) error {
	hook := o.Hook
	if hook == nil {
		hook = func(string) {}
	}
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
		if err := RenameNew(fs, tmpDir, finalDir); err != nil {
			return fmt.Errorf("fsutil: publish %s: %w", finalDir, err)
		}
		syncDir(fs, filepath.Dir(finalDir))
		return nil
	}
	if err := o.mayReplace(fs, finalDir); err != nil {
		return fmt.Errorf("fsutil: publish %s: %w", finalDir, err)
	}

	swapped, err := exchange(fs, tmpDir, finalDir)
	if err != nil {
		return fmt.Errorf("fsutil: publish %s: %w", finalDir, err)
	}
	if swapped {
		syncDir(fs, filepath.Dir(finalDir))
		hook(StepSwapped)
		if err := removeTree(fs, tmpDir, o.Proof); err != nil {
			return fmt.Errorf("fsutil: publish %s: %w at %s: %v", finalDir, ErrLeftover, tmpDir, err)
		}
		return nil
	}

	aside, err := asideName(fs, finalDir)
	if err != nil {
		return fmt.Errorf("fsutil: publish %s: %w", finalDir, err)
	}
	if err := fs.Rename(finalDir, aside); err != nil {
		return fmt.Errorf("fsutil: publish %s: move old aside: %w", finalDir, err)
	}
	hook(StepAside)
	if err := fs.Rename(tmpDir, finalDir); err != nil {
		if rerr := fs.Rename(aside, finalDir); rerr != nil {
			return fmt.Errorf("fsutil: publish %s: %w (restoring old copy from %s also failed: %v)",
				finalDir, err, aside, rerr)
		}
		return fmt.Errorf("fsutil: publish %s: %w", finalDir, err)
	}
	syncDir(fs, filepath.Dir(finalDir))
	hook(StepSwapped)
	if err := removeTree(fs, aside, o.Proof); err != nil {
		return fmt.Errorf("fsutil: publish %s: %w at %s: %v", finalDir, ErrLeftover, aside, err)
	}
	return nil
}

// Leftovers lists the siblings of finalDir that a publish makes and a killed one can
// leave behind: temporary directories (.finalDir.tmp-*) and old copies moved aside
// (.finalDir.old-*, and finalDir.old-* from earlier versions), sorted.
func Leftovers(fs afero.Fs, finalDir string) ([]string, error) {
	parent, base := filepath.Split(filepath.Clean(finalDir))
	if parent == "" {
		parent = "."
	}
	names, err := afero.ReadDir(fs, parent)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, fi := range names {
		n := fi.Name()
		if fi.IsDir() && (strings.HasPrefix(n, "."+base+".tmp-") || strings.HasPrefix(n, "."+base+".old-") || strings.HasPrefix(n, base+".old-")) {
			out = append(out, filepath.Join(parent, n))
		}
	}
	sort.Strings(out)
	return out, nil
}

// RecoverDir cleans up after publishes that were killed, and must run while the
// caller holds the directory's lock (so no live publish owns a leftover). owned says
// whether a leftover was made by this tool; others are never touched. If finalDir is
// missing because a publish died between its two renames, the old copy is put back
// first. proof is removed last, as in ReplaceOptions. It returns the leftovers it removed.
func RecoverDir(fs afero.Fs, finalDir, proof string, owned func(dir string) bool) ([]string, error) {
	left, err := Leftovers(fs, finalDir)
	if err != nil {
		return nil, err
	}
	had, err := exists(fs, finalDir)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, d := range left {
		if !owned(d) {
			continue
		}
		isAside := !strings.Contains(filepath.Base(d), ".tmp-")
		if !had && isAside {
			if err := fs.Rename(d, finalDir); err != nil {
				return removed, err
			}
			had = true
			continue
		}
		if err := removeTree(fs, d, proof); err != nil {
			return removed, err
		}
		removed = append(removed, d)
	}
	return removed, nil
}

// asideName picks an unused sibling name for the directory being replaced.
func asideName(fs afero.Fs, finalDir string) (string, error) {
	for range 16 {
		var b [6]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", err
		}
		parent, base := filepath.Split(finalDir)
		name := filepath.Join(parent, "."+base+".old-"+hex.EncodeToString(b[:]))
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

// MkdirAllTracked is MkdirAll that reports the folders it created, outermost first,
// so a command that then fails can remove exactly those and leave nothing behind.
func MkdirAllTracked(fs afero.Fs, dir string, perm os.FileMode) ([]string, error) {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		ok, err := exists(fs, d)
		if err != nil {
			return nil, err
		}
		if ok || d == filepath.Dir(d) {
			break
		}
		missing = append(missing, d)
	}
	var created []string
	for i := len(missing) - 1; i >= 0; i-- {
		if err := fs.Mkdir(missing[i], perm); err != nil {
			RemoveCreated(fs, created)
			return nil, err
		}
		created = append(created, missing[i])
	}
	return created, nil
}

// RemoveCreated removes folders MkdirAllTracked made, innermost first, each only if it
// is still empty.
func RemoveCreated(fs afero.Fs, created []string) {
	for i := len(created) - 1; i >= 0; i-- {
		if names, err := afero.ReadDir(fs, created[i]); err == nil && len(names) == 0 {
			_ = fs.Remove(created[i])
		}
	}
}

// NewTempDirFor is TempDirFor with the folder's mode set to perm (not TempDir's 0700),
// in one mkdir where the umask leaves perm as it is: a device batch makes one per
// device.
func NewTempDirFor(fs afero.Fs, finalDir string, perm os.FileMode) (string, error) {
	parent, base := filepath.Split(filepath.Clean(finalDir))
	if parent == "" {
		parent = "."
	}
	for range 16 {
		var b [6]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", err
		}
		d := filepath.Join(parent, "."+base+".tmp-"+hex.EncodeToString(b[:]))
		err := MkdirExact(fs, d, perm)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("fsutil: temp dir for %s: %w", finalDir, err)
		}
		return d, nil
	}
	return "", fmt.Errorf("fsutil: temp dir for %s: no free name", finalDir)
}

// MkdirExact creates the folder path with mode perm, setting the mode only where the
// umask narrowed it (one system call instead of two for each of thousands of folders).
func MkdirExact(fs afero.Fs, path string, perm os.FileMode) error {
	if err := fs.Mkdir(path, perm); err != nil {
		return err
	}
	if !IsOS(fs) || perm.Perm()&processUmask() != 0 {
		return fs.Chmod(path, perm)
	}
	return nil
}
