package compose

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/fsutil"
	"github.com/espcompose/espcompose/internal/guard"
	"github.com/espcompose/espcompose/outputs"
)

// A batch tree is not swapped in as a whole, as a single build's output is: 10,000
// devices would mean rewriting every one of them for one changed row. Instead each
// devices/<id>/ is published on its own, as a small output tree with its own marker
// and the same temporary-folder-and-swap, so an interrupted batch leaves every device
// either as it was or as rebuilt. One lock on the whole tree, held for the run, keeps
// two batches (or a batch and a merge) apart, and the tree's own marker says
// espcompose made the folder. devices.json, devices.csv and SHA256SUMS are replaced
// last, each atomically: after an interrupted run they still describe the last
// complete one, and the next run finishes the job.

// BatchMarker marks the top of a batch tree.
const BatchMarker = ".espcompose-batch"

const batchMarkerText = "This folder was made by espcompose (a device batch). `espcompose build` updates\n" +
	"devices/<id>/ one device at a time and refuses to while it holds files it did not write.\n" +
	"format: espcompose-batch/1\n"

// Top-level files of a batch tree.
const (
	indexJSON = "devices.json"
	indexCSV  = "devices.csv"
	sumsName  = "SHA256SUMS"
	shardJSON = "shard.json"
)

// tree is a batch output folder being written under its lock.
type tree struct {
	fs     afero.Fs
	out    string
	unlock func()
	hook   func(string)
	// existing are the device folders found when the tree was opened.
	existing map[string]bool
	made     sync.Once
	madeErr  error
	sync     *groupSync
	// jobs is how many goroutines read records for the index (0: one per CPU).
	jobs int
	// devices.csv columns seen so far (addColumns)
	colMu             sync.Mutex
	fileCols, keyCols map[string]bool
}

// openTree locks out, cleans up after killed runs and checks that everything in it
// is espcompose's: nothing is written before that, and a folder with anything else in
// it is refused as a whole, before any device is built.
func openTree(fsys afero.Fs, out string, opts PublishSettings) (*tree, error) {
	out = filepath.Clean(out)
	if err := fsys.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return nil, err
	}
	unlock, err := fsutil.Lock(fsys, outputs.LockPath(out), lockTimeout(opts.LockTimeout), opts.OnWait)
	var le *fsutil.LockedError
	if errors.As(err, &le) {
		who := "another build"
		if le.PID > 0 {
			who = fmt.Sprintf("another build (pid %d)", le.PID)
		}
		return nil, fmt.Errorf("%s is writing %s; gave up after %s", who, out, lockTimeout(opts.LockTimeout))
	}
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", out, err)
	}
	t := &tree{fs: outFS(fsys), out: out, unlock: unlock, hook: opts.CrashHook, existing: map[string]bool{}, sync: newGroupSync(fsys, filepath.Dir(out))}
	if t.hook == nil {
		t.hook = func(string) {}
	}
	if err := t.check(opts, false); err != nil {
		unlock()
		return nil, err
	}
	return t, nil
}

// outFS is fsys without read recorders: what a batch reads of its own output tree
// (records, markers, the index) is not an input of the build, and a recorder would
// stat each file and remember its path, for every device of the batch.
func outFS(fsys afero.Fs) afero.Fs {
	base, _ := unwrapRecorders(fsys)
	return base
}

// unwrapRecorders returns what fsys reads through its read recorders, and those
// recorders, outermost first.
func unwrapRecorders(fsys afero.Fs) (afero.Fs, []*fsutil.ReadRecorder) {
	var recs []*fsutil.ReadRecorder
	for {
		r, ok := fsys.(*fsutil.ReadRecorder)
		if !ok {
			return fsys, recs
		}
		recs = append(recs, r)
		fsys = r.Fs
	}
}

// checkBatchOut is the batch tree's ownership check without the lock and without
// removing anything: what Load (validate, plan) reports for a devices manifest.
func checkBatchOut(fsys afero.Fs, out string) error {
	t := &tree{fs: outFS(fsys), out: filepath.Clean(out), existing: map[string]bool{}}
	return t.check(PublishSettings{}, true)
}

// PublishSettings are the Options a batch tree's publish reads.
type PublishSettings struct {
	LockTimeout time.Duration
	OnWait      func(pid int)
	OnRecovered func(paths []string)
	CrashHook   func(step string)
}

func (t *tree) close() { t.unlock() }

func (t *tree) refuse(reason string) error {
	return &guard.Error{What: "output directory", Path: t.out, Reason: reason}
}

// check refuses an output folder espcompose did not make as a batch, and one that
// holds anything besides what a batch writes. Unless readOnly, it removes what killed
// runs left (temporary and set-aside device folders that carry espcompose's marker).
func (t *tree) check(opts PublishSettings, readOnly bool) error {
	st, err := t.fs.Stat(t.out)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return t.refuse("it is a file, not a folder")
	}
	m, err := readSmall(t.fs, filepath.Join(t.out, BatchMarker), 1<<16)
	if err != nil || string(m) != batchMarkerText {
		reason := "it exists and espcompose did not make it as a device batch (it has no " + BatchMarker +
			" file); espcompose only updates folders it made. Choose a new folder with -o, or remove this one yourself"
		if _, err := t.fs.Stat(filepath.Join(t.out, outputs.Marker)); err == nil {
			reason = "it holds a whole-tree build of an earlier espcompose, which a device batch does not update in place; remove it (or choose a new folder with -o) and build again"
		}
		return t.refuse(reason)
	}
	top, err := afero.ReadDir(t.fs, t.out)
	if err != nil {
		return err
	}
	var foreign []string
	for _, fi := range top {
		n := fi.Name()
		switch {
		case n == BatchMarker, n == indexJSON, n == indexCSV, n == sumsName, n == shardJSON:
			if !fi.Mode().IsRegular() {
				foreign = append(foreign, n)
			}
		case n == "devices" && fi.IsDir():
		case isTempFile(n):
			// a top-level file a killed run was replacing: ours, never published
			if readOnly {
				continue
			}
			if err := t.fs.Remove(filepath.Join(t.out, n)); err != nil {
				return err
			}
		default:
			foreign = append(foreign, n)
		}
	}
	devs := filepath.Join(t.out, "devices")
	entries, err := afero.ReadDir(t.fs, devs)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	recover := map[string]bool{}
	for _, fi := range entries {
		n := fi.Name()
		if strings.HasPrefix(n, ".") && fi.IsDir() && (strings.Contains(n, ".tmp-") || strings.Contains(n, ".old-")) {
			base := strings.TrimPrefix(n, ".")
			if i := strings.Index(base, ".tmp-"); i > 0 {
				base = base[:i]
			} else if i := strings.Index(base, ".old-"); i > 0 {
				base = base[:i]
			}
			recover[base] = true
			continue
		}
		if !fi.IsDir() {
			foreign = append(foreign, "devices/"+n)
			continue
		}
		t.existing[n] = true
	}
	// Killed device publishes: put back or remove what carries our marker, as a
	// single build's publish does for its own folder. Only names with leftovers are
	// looked at, so this costs nothing on a clean tree of any size.
	for base := range recover {
		if readOnly {
			if _, err := t.fs.Stat(filepath.Join(devs, base)); err == nil {
				t.existing[base] = true
			}
			continue
		}
		removed, err := fsutil.RecoverDir(t.fs, filepath.Join(devs, base), outputs.Marker, func(d string) bool {
			return outputs.CheckOwned(t.fs, d) == nil || emptyOrMarkerTemp(t.fs, d) || partialMarkerOnly(t.fs, d)
		})
		if err != nil {
			return fmt.Errorf("clean up after an interrupted build of %s: %w", filepath.Join(devs, base), err)
		}
		if len(removed) > 0 && opts.OnRecovered != nil {
			opts.OnRecovered(removed)
		}
		if _, err := t.fs.Stat(filepath.Join(devs, base)); err == nil {
			t.existing[base] = true
		}
	}
	for id := range t.existing {
		if err := outputs.CheckOwned(t.fs, filepath.Join(devs, id)); err != nil {
			var ge *guard.Error
			if errors.As(err, &ge) {
				foreign = append(foreign, "devices/"+id+" ("+ge.Reason+")")
				continue
			}
			return err
		}
	}
	if len(foreign) > 0 {
		sort.Strings(foreign)
		more := ""
		if len(foreign) > 3 {
			more = fmt.Sprintf(" and %d more", len(foreign)-3)
			foreign = foreign[:3]
		}
		return t.refuse(fmt.Sprintf("it holds %s%s, which espcompose did not write; move them out first", strings.Join(foreign, ", "), more))
	}
	return nil
}

// isTempFile: fsutil's temporary names for files being replaced (".name.tmp-N").
func isTempFile(n string) bool {
	for _, f := range []string{indexJSON, indexCSV, sumsName, shardJSON, BatchMarker} {
		if strings.HasPrefix(n, "."+f+".tmp-") {
			return true
		}
	}
	return false
}

func emptyOrMarkerTemp(fsys afero.Fs, d string) bool {
	names, err := afero.ReadDir(fsys, d)
	if err != nil {
		return false
	}
	for _, n := range names {
		if !strings.HasPrefix(n.Name(), "."+outputs.Marker+".tmp-") {
			return false
		}
	}
	return true
}

// partialMarkerOnly: d holds nothing but a marker cut short, what a run killed while
// it wrote a device's marker (stageDevice writes it first, in place) leaves.
func partialMarkerOnly(fsys afero.Fs, d string) bool {
	names, err := afero.ReadDir(fsys, d)
	if err != nil || len(names) != 1 || names[0].Name() != outputs.Marker || !names[0].Mode().IsRegular() {
		return false
	}
	b, err := readSmall(fsys, filepath.Join(d, outputs.Marker), 1<<16)
	if err != nil {
		return false
	}
	// The marker of no files is the marker's fixed start and one newline.
	head := strings.TrimSuffix(string(outputs.MarkerFor(nil)), "\n")
	return strings.HasPrefix(head, string(b)) || strings.HasPrefix(string(b), head)
}

// ensure creates the tree and its marker, once something is to be written.
func (t *tree) ensure() error {
	t.made.Do(func() { t.madeErr = t.create0() })
	return t.madeErr
}

func (t *tree) create0() error {
	if err := t.fs.MkdirAll(filepath.Join(t.out, "devices"), 0o755); err != nil {
		return err
	}
	p := filepath.Join(t.out, BatchMarker)
	if b, err := readSmall(t.fs, p, 1<<16); err == nil && string(b) == batchMarkerText {
		return nil
	}
	return fsutil.WriteFileAtomic(t.fs, p, []byte(batchMarkerText), 0o644)
}

// publishDevice replaces devices/<id>/ with files (the record among them) in one
// swap: a temporary folder beside it, written and flushed, then exchanged. The
// marker lists the files, so the folder is recognisably ours at every instant.
func (t *tree) publishDevice(id string, files []outputs.File) error {
	tmp, err := t.stageDevice(id, files)
	if err != nil {
		return err
	}
	// Durable before it is visible, as a single build's publish.
	if err := t.sync.flush(tmp); err != nil {
		_ = t.fs.RemoveAll(tmp)
		return err
	}
	if err := t.commitDevice(id, tmp); err != nil {
		return err
	}
	return t.syncDevices()
}

// stageDevice writes a device's new folder under a temporary name beside its place,
// without flushing it: nobody sees it until commitDevice.
func (t *tree) stageDevice(id string, files []outputs.File) (string, error) {
	dir := filepath.Join(t.out, "devices", id)
	tmp, err := fsutil.NewTempDirFor(t.fs, dir, 0o755)
	if err != nil {
		return "", err
	}
	ok := false
	defer func() {
		if !ok {
			_ = t.fs.RemoveAll(tmp)
		}
	}()
	// The marker first: from then on the folder is recognisably ours. A kill while it
	// is written leaves a folder holding only the start of a marker, which the next
	// run recognises too (partialMarkerOnly). Every file is created exclusively and
	// unflushed; the group's flush makes the folder durable before the swap.
	if err := fsutil.WriteNew(t.fs, filepath.Join(tmp, outputs.Marker), outputs.MarkerFor(files), 0o644); err != nil {
		return "", err
	}
	made := map[string]bool{}
	for _, f := range files {
		p := filepath.Join(tmp, filepath.FromSlash(f.Name))
		if d := filepath.Dir(p); d != tmp && !made[d] {
			if err := t.mkdirs(tmp, d, made); err != nil {
				return "", err
			}
		}
		if err := fsutil.WriteNew(t.fs, p, f.Data, os.FileMode(f.Mode)); err != nil {
			return "", err
		}
	}
	ok = true
	return tmp, nil
}

// mkdirs makes d and its parents up to the fresh folder tmp, each 0755 whatever the
// umask, one mkdir each (the folder is new: nothing in it exists but what made holds).
func (t *tree) mkdirs(tmp, d string, made map[string]bool) error {
	if d == tmp || made[d] {
		return nil
	}
	if !strings.HasPrefix(d, tmp+string(filepath.Separator)) {
		return fmt.Errorf("internal: %s is not inside %s", d, tmp)
	}
	if err := t.mkdirs(tmp, filepath.Dir(d), made); err != nil {
		return err
	}
	if err := fsutil.MkdirExact(t.fs, d, 0o755); err != nil {
		return err
	}
	made[d] = true
	return nil
}

// commitDevice swaps a staged folder, already durable, into place. A device built for
// the first time is renamed into place, never over a folder that appeared meanwhile; the rename is made durable by the next group's
// flush (or syncDevices at the end), which costs one flush per group instead of one
// per device. A device that replaces its old folder takes the swap a single build
// uses, which flushes as it goes.
func (t *tree) commitDevice(id, tmp string) error {
	t.hook(outputs.StepWritten)
	dir := filepath.Join(t.out, "devices", id)
	if !t.existing[id] {
		err := fsutil.RenameNew(t.fs, tmp, dir)
		if err == nil {
			return nil
		}
		_ = t.fs.RemoveAll(tmp)
		if !errors.Is(err, fsutil.ErrNotOurs) {
			return err
		}
		// dir was not there when the tree was checked and is now: not provably
		// espcompose's, so never replaced (a swap would delete what it holds).
		return t.refuse(fmt.Sprintf("devices/%s appeared while the batch ran; espcompose did not write it. Move it out and build again", id))
	}
	err := fsutil.ReplaceDirWith(t.fs, tmp, dir, fsutil.ReplaceOptions{Hook: t.hook, Proof: outputs.Marker})
	if err != nil && !errors.Is(err, fsutil.ErrLeftover) {
		_ = t.fs.RemoveAll(tmp)
		return err
	}
	return nil // published; a leftover is removed by the next run
}

// removeStale removes the device folders of devices no longer in the batch: every
// one was checked to be espcompose's when the tree was opened.
func (t *tree) removeStale(keep func(id string) bool) (int, error) {
	n := 0
	ids := make([]string, 0, len(t.existing))
	for id := range t.existing {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if keep(id) {
			continue
		}
		if err := t.fs.RemoveAll(filepath.Join(t.out, "devices", id)); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func lockTimeout(d time.Duration) time.Duration {
	if d == 0 {
		return 10 * time.Minute
	}
	return d
}

// indexDigest identifies the index files as they are now ("" when there are none),
// to tell whether a run changed them.
func (t *tree) indexDigest() string {
	h := ""
	for _, n := range []string{indexCSV, indexJSON, sumsName, shardJSON} {
		if d, ok := fileSHA256(t.fs, filepath.Join(t.out, n)); ok {
			h += n + "=" + d + ";"
		}
	}
	return h
}

// syncDevices makes the renames in devices/ durable.
func (t *tree) syncDevices() error {
	if !fsutil.IsOS(t.fs) {
		return nil
	}
	f, err := os.Open(filepath.Join(t.out, "devices"))
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
