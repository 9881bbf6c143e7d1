package outputs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
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
const markerText = "This folder was made by espcompose. `espcompose build` replaces it as a whole,\n" +
	"and refuses to while it holds files other than those listed below.\nformat: espcompose-output/1\n"

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
	// Ready, when set, is called once the new tree is written and flushed and before
	// it is swapped in; an error from it publishes nothing (the tree is removed) and
	// is returned. The build verifies its outputs while they are being written, and
	// only a verified tree is swapped in. It is not called when dir is up to date.
	Ready func() error
}

// StepWritten is the Hook step after the new tree is complete, before it is swapped in.
const StepWritten = "written"

// LockPath is the lock file of an output directory: a hidden sibling, since the
// directory itself is replaced by every build.
func LockPath(dir string) string {
	parent, base := filepath.Split(filepath.Clean(dir))
	return filepath.Join(parent, "."+base+".lock")
}

// CheckOwned refuses an existing dir that espcompose did not make (a file, a folder
// without the marker, even an empty one: it may be a mount point or someone's plan),
// and one espcompose made that has since received files it did not write.
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
	listed, ok := markerList(fs, dir)
	if !ok {
		if legacyOutput(fs, dir) {
			return nil
		}
		return &guard.Error{What: "output directory", Path: dir, Reason: "it exists and espcompose did not make it (it has no " + Marker +
			" file); espcompose only replaces folders it made. Choose a new folder with -o, or remove this one yourself"}
	}
	// Replacing the folder would delete files added since: they must be moved out first.
	if extra := foreign(fs, dir, listed, false); len(extra) > 0 {
		more := ""
		if len(extra) > 3 {
			more = fmt.Sprintf(" and %d more", len(extra)-3)
			extra = extra[:3]
		}
		return &guard.Error{What: "output directory", Path: dir, Reason: fmt.Sprintf(
			"it holds %s%s, which espcompose did not write; a build replaces the folder as a whole, so move them out first", strings.Join(extra, ", "), more)}
	}
	return nil
}

// owned: a leftover of a killed publish is ours when it carries the marker.
func owned(fs afero.Fs, dir string) bool {
	_, ok := markerList(fs, dir)
	return ok
}

// markerContent is the marker of a published tree: fixed text, then every file
// published, so a later build can tell its own files from anything added since.
func markerContent(files []File) []byte {
	names := make([]string, 0, len(files))
	for _, f := range files {
		names = append(names, f.Name)
	}
	sort.Strings(names)
	return []byte(markerText + markerFiles + strings.Join(names, "\n") + "\n")
}

const markerFiles = "files:\n"

// markerList reads the file list of dir's marker; ok is false without a valid marker.
func markerList(fs afero.Fs, dir string) (map[string]string, bool) {
	b, err := afero.ReadFile(fs, filepath.Join(dir, Marker))
	if err != nil || len(b) > 16<<20 {
		return nil, false
	}
	head, list, found := strings.Cut(string(b), markerFiles)
	if !found || head != markerText {
		return nil, false
	}
	listed := map[string]string{}
	for _, name := range strings.Split(list, "\n") {
		if name != "" {
			listed[name] = ""
		}
	}
	return listed, true
}

// Publish writes files into a temporary directory beside dir and swaps it into place,
// so dir holds either the previous build or this one, never a mix, and (on Linux)
// never nothing. It holds dir's lock throughout, cleans up after builds that were
// killed, and refuses to replace a dir espcompose did not make.
func Publish(fs afero.Fs, dir string, files []File, opts PublishOptions) error {
	_, err := PublishChanged(fs, dir, files, opts)
	return err
}

// PublishChanged is Publish that leaves dir alone when it already holds exactly
// files: same names (its marker lists them), and on disk each a regular file of the
// same mode, size and bytes. Then nothing is written, not even a temporary
// directory, and upToDate is true. The decision is made under dir's lock, after the
// leftovers of killed builds are cleaned up and dir is checked to be ours, so a
// folder with foreign files is refused as by Publish.
func PublishChanged(fs afero.Fs, dir string, files []File, opts PublishOptions) (upToDate bool, err error) {
	dir = filepath.Clean(dir)
	hook := opts.Hook
	if hook == nil {
		hook = func(string) {}
	}
	timeout := opts.LockTimeout
	if timeout == 0 {
		timeout = 10 * time.Minute
	}
	for _, f := range files {
		if f.Name == Marker || strings.HasPrefix(f.Name, Marker+"/") {
			return false, fmt.Errorf("output name %s is reserved", f.Name)
		}
	}
	parent := filepath.Dir(dir)
	if err := fs.MkdirAll(parent, 0o755); err != nil {
		return false, fmt.Errorf("create %s: %w", parent, err)
	}
	unlock, err := fsutil.Lock(fs, LockPath(dir), timeout, opts.OnWait)
	var le *fsutil.LockedError
	if errors.As(err, &le) {
		who := "another build"
		if le.PID > 0 {
			who = fmt.Sprintf("another build (pid %d)", le.PID)
		}
		return false, fmt.Errorf("%s is writing %s; gave up after %s", who, dir, timeout)
	}
	if err != nil {
		return false, fmt.Errorf("lock %s: %w", dir, err)
	}
	defer unlock()

	removed, err := fsutil.RecoverDir(fs, dir, Marker, func(d string) bool { return owned(fs, d) || markerOnly(fs, d) })
	if err != nil {
		return false, fmt.Errorf("clean up after an interrupted build of %s: %w", dir, err)
	}
	if len(removed) > 0 && opts.OnRecovered != nil {
		opts.OnRecovered(removed)
	}
	if err := CheckOwned(fs, dir); err != nil {
		return false, err
	}
	if Unchanged(fs, dir, files) {
		return true, nil
	}

	tmp, err := fsutil.TempDirFor(fs, dir)
	if err != nil {
		return false, err
	}
	ok := false
	defer func() {
		if !ok {
			_ = fs.RemoveAll(tmp)
		}
	}()
	// TempDir makes 0700; the published folder is an ordinary one (keys are never in it).
	if err := fs.Chmod(tmp, 0o755); err != nil {
		return false, err
	}
	// The marker goes first, before any output, so a leftover of a killed build is
	// recognisably ours: whole, it lists every file; cut short, it is the only file
	// in the folder and begins as a marker does (markerOnly). Written in place: the
	// folder is new and private, so no temporary name and rename are needed.
	if err := fsutil.WriteNew(fs, filepath.Join(tmp, Marker), markerContent(files), 0o644); err != nil {
		return false, err
	}
	tree := make([]fsutil.NewFile, len(files))
	for i, f := range files {
		p := filepath.Join(tmp, filepath.FromSlash(f.Name))
		if err := fs.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return false, err
		}
		tree[i] = fsutil.NewFile{Path: p, Data: f.Data, Perm: os.FileMode(f.Mode)}
	}
	// Durable before it is visible: a crash after the swap must not leave dir naming
	// files whose data never reached the disk. WriteTree flushes each file as it is
	// written, then the marker and the folders.
	if err := fsutil.WriteTree(fs, tmp, tree); err != nil {
		return false, err // names the file; the caller names dir
	}
	if opts.Ready != nil {
		if err := opts.Ready(); err != nil {
			return false, err
		}
	}
	hook(StepWritten)
	// The last look, where the swap is: the folder replaced is still ours.
	mine := func(d string) bool { return owned(fs, d) || legacyOutput(fs, d) }
	if err := fsutil.ReplaceDirWith(fs, tmp, dir, fsutil.ReplaceOptions{Hook: hook, Proof: Marker, Owned: mine}); err != nil {
		if errors.Is(err, fsutil.ErrLeftover) {
			ok = true // published; the next build removes the leftover
		}
		return false, err
	}
	ok = true
	return false, nil
}

// markerOnly recognises a temporary directory killed before its marker was whole:
// it is empty, or holds only the marker cut short (its start, the fixed header, is
// all a marker can begin with), or only the marker's temporary file of earlier
// versions, which renamed it into place.
func markerOnly(fs afero.Fs, d string) bool {
	names, err := afero.ReadDir(fs, d)
	if err != nil {
		return false
	}
	for _, n := range names {
		switch {
		case strings.HasPrefix(n.Name(), "."+Marker+".tmp-"):
		case n.Name() == Marker && len(names) == 1 && n.Mode().IsRegular() && partialMarker(fs, filepath.Join(d, Marker)):
		default:
			return false
		}
	}
	return true
}

// partialMarker: the file is the start of a marker, at most the header cut short.
func partialMarker(fs afero.Fs, p string) bool {
	b, err := afero.ReadFile(fs, p)
	head := markerText + markerFiles
	return err == nil && len(b) <= len(head) && strings.HasPrefix(head, string(b))
}
