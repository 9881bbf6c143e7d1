package outputs

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/fsutil"
	"github.com/espcompose/espcompose/internal/guard"
)

// Marker is the file every output directory espcompose publishes carries. A build
// replaces an existing directory only when it holds this marker: espcompose made it,
// so nothing in it is anyone else's.
const Marker = ".espcompose-output"

// markerText is the marker's content: fixed, so outputs stay reproducible.
const markerText = "This folder was made by espcompose. `espcompose build` replaces it as a whole;\n" +
	"put nothing of your own here.\nformat: espcompose-output/1\n"

// PublishOptions tune Publish. The zero value waits 10 minutes for the lock.
type PublishOptions struct {
	// LockTimeout is how long to wait for another build writing the same directory.
	LockTimeout time.Duration
	// OnWait is told once that another build (pid, 0 if unknown) holds the lock.
	OnWait func(pid int)
	// OnRecovered is told the leftovers of killed builds that were removed.
	OnRecovered func(paths []string)
	// Hook is called between publish steps ("written", then fsutil.StepAside /
	// fsutil.StepSwapped). Crash tests stop the process there; nil in normal use.
	Hook func(step string)
}

// StepWritten is the Hook step after the new tree is complete, before it is swapped in.
const StepWritten = "written"

// LockPath is the lock file of an output directory: a hidden sibling, since the
// directory itself is replaced by every build.
func LockPath(dir string) string {
	parent, base := filepath.Split(filepath.Clean(dir))
	return filepath.Join(parent, "."+base+".lock")
}

// CheckOwned refuses an existing dir that espcompose did not make: a file, or a folder
// without the marker (even an empty one: it may be a mount point or someone's plan).
func CheckOwned(fs afero.Fs, dir string) error {
	st, err := fs.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return &guard.Error{What: "output directory", Path: dir, Reason: "it is a file, not a folder"}
	}
	if !owned(fs, dir) {
		return &guard.Error{What: "output directory", Path: dir, Reason: "it exists and espcompose did not make it (it has no " + Marker +
			" file); espcompose only replaces folders it made. Choose a new folder with -o, or remove this one yourself"}
	}
	return nil
}

func owned(fs afero.Fs, dir string) bool {
	st, err := fs.Stat(filepath.Join(dir, Marker))
	return (err == nil && st.Mode().IsRegular()) || legacyOutput(fs, dir)
}

// Publish writes files into a temporary directory beside dir and swaps it into place,
// so dir holds either the previous build or this one, never a mix, and (on Linux)
// never nothing. It holds dir's lock throughout, cleans up after builds that were
// killed, and refuses to replace a dir espcompose did not make.
func Publish(fs afero.Fs, dir string, files []File, opts PublishOptions) error {
	dir = filepath.Clean(dir)
	hook := opts.Hook
	if hook == nil {
		hook = func(string) {}
	}
	timeout := opts.LockTimeout
	if timeout == 0 {
		timeout = 10 * time.Minute
	}
	parent := filepath.Dir(dir)
	if err := fs.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", parent, err)
	}
	unlock, err := fsutil.Lock(fs, LockPath(dir), timeout, opts.OnWait)
	var le *fsutil.LockedError
	if errors.As(err, &le) {
		who := "another build"
		if le.PID > 0 {
			who = fmt.Sprintf("another build (pid %d)", le.PID)
		}
		return fmt.Errorf("%s is writing %s; gave up after %s", who, dir, timeout)
	}
	if err != nil {
		return fmt.Errorf("lock %s: %w", dir, err)
	}
	defer unlock()

	removed, err := fsutil.RecoverDir(fs, dir, func(d string) bool { return owned(fs, d) || markerOnly(fs, d) })
	if err != nil {
		return fmt.Errorf("clean up after an interrupted build of %s: %w", dir, err)
	}
	if len(removed) > 0 && opts.OnRecovered != nil {
		opts.OnRecovered(removed)
	}
	if err := CheckOwned(fs, dir); err != nil {
		return err
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
	// TempDir makes 0700; the published folder is an ordinary one (keys are never in it).
	if err := fs.Chmod(tmp, 0o755); err != nil {
		return err
	}
	// The marker goes first: a leftover of a killed build is then recognisably ours.
	if err := fsutil.WriteFileAtomic(fs, filepath.Join(tmp, Marker), []byte(markerText), 0o644); err != nil {
		return err
	}
	for _, f := range files {
		if f.Name == Marker || strings.HasPrefix(f.Name, Marker+"/") {
			return fmt.Errorf("output name %s is reserved", f.Name)
		}
		p := filepath.Join(tmp, filepath.FromSlash(f.Name))
		if err := fs.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := fsutil.WriteFileAtomic(fs, p, f.Data, os.FileMode(f.Mode)); err != nil {
			return fmt.Errorf("write %s: %w", path.Join(dir, f.Name), err)
		}
	}
	hook(StepWritten)
	if err := fsutil.ReplaceDirHook(fs, tmp, dir, hook); err != nil {
		if errors.Is(err, fsutil.ErrLeftover) {
			ok = true // published; the next build removes the leftover
		}
		return err
	}
	ok = true
	return nil
}

// markerOnly recognises a temporary directory killed before its marker was in place:
// it is empty or holds only the marker's own temporary file.
func markerOnly(fs afero.Fs, d string) bool {
	names, err := afero.ReadDir(fs, d)
	if err != nil {
		return false
	}
	for _, n := range names {
		if !strings.HasPrefix(n.Name(), "."+Marker+".tmp-") {
			return false
		}
	}
	return true
}
