package cas

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/fsutil"
)

// Touch marks key's entry as used now, so Prune removes least recently used entries
// first. Reads do not otherwise change the cache (atime is often off), and a failure
// here only makes the entry look older.
func (s *Store) Touch(key string) {
	if validHex(key) {
		now := time.Now()
		_ = s.fs.Chtimes(s.entryPath(key), now, now)
	}
}

// PruneOptions say what Prune removes. Both zero removes nothing but objects no entry
// refers to.
type PruneOptions struct {
	// MaxSize bounds the cache's size in bytes (entries and objects): the least
	// recently used entries go first, until what remains fits. 0: no bound.
	MaxSize int64
	// OlderThan removes entries not used for this long. 0: no age limit.
	OlderThan time.Duration
	// Now is the time ages are measured from; zero means time.Now().
	Now time.Time
}

// PruneResult is what Prune did.
type PruneResult struct {
	Entries, Objects int   // removed
	Freed            int64 // bytes removed
	Size             int64 // bytes left
	Busy             bool  // another build was using the cache: nothing was removed
}

// ErrBusy is returned by Prune when wait is false and a build is using the cache.
var ErrBusy = errors.New("cas: the cache is in use by another build")

// Prune removes entries, oldest use first, then every object no remaining entry
// refers to. It runs only while no build uses the cache (it takes the lock builds
// share, exclusively, without waiting): removing an object a running build has just
// written and not yet referred to would cost that build a cache miss later, never a
// wrong result (Get re-hashes everything), but there is no reason to. Only files the
// cache itself names (entries/<key>.json, objects/xx/<digest>) are ever removed.
func (s *Store) Prune(o PruneOptions) (PruneResult, error) {
	var res PruneResult
	if _, err := s.fs.Stat(s.root); errors.Is(err, os.ErrNotExist) {
		return res, nil
	}
	if !fsutil.IsOS(s.fs) {
		return s.prune(o) // no file locks: tests in memory
	}
	ran := false
	var perr error
	unlock, err := fsutil.SharedLock(s.fs, filepath.Join(s.root, ".lock"), func() {
		ran = true
		res, perr = s.prune(o)
	})
	if err != nil {
		return res, err
	}
	unlock()
	if perr != nil {
		return res, perr
	}
	if !ran {
		res.Busy = true
		return res, ErrBusy
	}
	return res, nil
}

type pruneEntry struct {
	path  string
	mtime time.Time
	size  int64
	refs  []string
}

func (s *Store) prune(o PruneOptions) (PruneResult, error) {
	var res PruneResult
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	var entries []pruneEntry
	edir := filepath.Join(s.root, "entries")
	infos, err := afero.ReadDir(s.fs, edir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return res, err
	}
	for _, fi := range infos {
		name := fi.Name()
		if !fi.Mode().IsRegular() || !strings.HasSuffix(name, ".json") || !validHex(strings.TrimSuffix(name, ".json")) {
			continue
		}
		e := pruneEntry{path: filepath.Join(edir, name), mtime: fi.ModTime(), size: fi.Size()}
		if raw, err := afero.ReadFile(s.fs, e.path); err == nil {
			var en entry
			if json.Unmarshal(raw, &en) == nil {
				for _, b := range en.Blobs {
					if validHex(b.SHA256) {
						e.refs = append(e.refs, b.SHA256)
					}
				}
			}
		}
		entries = append(entries, e)
	}
	objects := map[string]int64{} // digest → size
	odir := filepath.Join(s.root, "objects")
	_ = afero.Walk(s.fs, odir, func(p string, fi fs.FileInfo, err error) error {
		if err != nil || !fi.Mode().IsRegular() {
			return nil
		}
		if d := fi.Name(); validHex(d) && filepath.Base(filepath.Dir(p)) == d[:2] {
			objects[d] = fi.Size()
		}
		return nil
	})
	// Newest first: entries are kept in this order while they fit.
	sort.Slice(entries, func(i, j int) bool { return entries[i].mtime.After(entries[j].mtime) })
	kept := map[string]bool{}
	var size int64
	for _, e := range entries {
		add := e.size
		for _, d := range e.refs {
			if !kept[d] {
				add += objects[d]
			}
		}
		old := o.OlderThan > 0 && now.Sub(e.mtime) > o.OlderThan
		over := o.MaxSize > 0 && size+add > o.MaxSize
		if old || over {
			if err := s.fs.Remove(e.path); err != nil && !errors.Is(err, os.ErrNotExist) {
				return res, err
			}
			res.Entries++
			res.Freed += e.size
			continue
		}
		size += add
		for _, d := range e.refs {
			kept[d] = true
		}
	}
	for d, n := range objects {
		if kept[d] {
			continue
		}
		if err := s.fs.Remove(s.objectPath(d)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return res, err
		}
		res.Objects++
		res.Freed += n
	}
	res.Size = size
	return res, nil
}

// Size is the bytes the cache's entries and objects take.
func (s *Store) Size() int64 {
	var n int64
	_ = afero.Walk(s.fs, s.root, func(p string, fi fs.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
		return nil
	})
	return n
}
