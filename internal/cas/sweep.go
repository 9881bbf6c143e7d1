package cas

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/fsutil"
)

// isTempName matches the temporary files fsutil.WriteFileNoSync makes for cache
// entries and objects (".<digest>.tmp-N", ".<key>.json.tmp-N"). Only these are ever
// swept: nothing else in the folder is the cache's to delete. (A plain function, not
// a package-level regexp: compiling one cost every process start 0.1 ms.)
func isTempName(name string) bool {
	rest, ok := strings.CutPrefix(name, ".")
	if !ok || len(rest) < 64 || !validHex(rest[:64]) {
		return false
	}
	rest = strings.TrimPrefix(rest[64:], ".json")
	n, ok := strings.CutPrefix(rest, ".tmp-")
	if !ok || n == "" {
		return false
	}
	for i := 0; i < len(n); i++ {
		if n[i] < '0' || n[i] > '9' {
			return false
		}
	}
	return true
}

// Open marks the cache as in use until the returned function is called. Builds share
// it; a build that finds no other one using the cache first removes the temporary
// files that killed builds left behind (a live build's are never touched, since it
// holds the lock too). On filesystems without file locks it only creates the folder.
//
// A cache folder that does not exist yet is made by the first Put, which takes the
// lock then: a build whose stages are all recomputed (nothing is worth storing)
// creates no cache at all, three fewer folder and file creations on its way, and a
// read of a cache that is not there is a miss.
func (s *Store) Open() (func(), error) {
	if _, err := s.fs.Stat(s.root); errors.Is(err, fs.ErrNotExist) {
		s.lazyMu.Lock()
		s.lazy = true
		s.lazyMu.Unlock()
		return func() {
			s.lazyMu.Lock()
			defer s.lazyMu.Unlock()
			if s.lazyClose != nil {
				s.lazyClose()
			}
			s.lazy, s.lazyClose, s.lazyErr = false, nil, nil
		}, nil
	}
	return s.open()
}

func (s *Store) open() (func(), error) {
	// entries/ from the start: a cache is recognisable (cache prune) even when its
	// builds stored nothing since.
	if err := s.fs.MkdirAll(filepath.Join(s.root, "entries"), dirPerm); err != nil {
		return nil, err
	}
	return fsutil.SharedLock(s.fs, filepath.Join(s.root, ".lock"), func() {
		if n := s.sweep(); n > 0 {
			s.log.Debugf("cas: removed %d temporary file(s) of interrupted builds", n)
		}
	})
}

// openLazily makes and locks a cache that Open found missing, once.
func (s *Store) openLazily() error {
	s.lazyMu.Lock()
	defer s.lazyMu.Unlock()
	if !s.lazy || s.lazyClose != nil || s.lazyErr != nil {
		return s.lazyErr
	}
	s.lazyClose, s.lazyErr = s.open()
	return s.lazyErr
}

// sweep removes leftover temporary files and reports how many.
func (s *Store) sweep() int {
	n := 0
	dirs := []string{filepath.Join(s.root, "entries")}
	if subs, err := afero.ReadDir(s.fs, filepath.Join(s.root, "objects")); err == nil {
		for _, d := range subs {
			if d.IsDir() {
				dirs = append(dirs, filepath.Join(s.root, "objects", d.Name()))
			}
		}
	}
	for _, dir := range dirs {
		names, err := afero.ReadDir(s.fs, dir)
		if err != nil {
			continue
		}
		for _, fi := range names {
			if fi.Mode().IsRegular() && isTempName(fi.Name()) {
				if s.fs.Remove(filepath.Join(dir, fi.Name())) == nil {
					n++
				}
			}
		}
	}
	return n
}
