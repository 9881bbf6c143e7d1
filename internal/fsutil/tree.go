package fsutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"

	"github.com/spf13/afero"
)

// WriteFileNoSync is WriteFileAtomic without the flushes: readers still never see a
// partial file (temporary file, then rename), but after a power loss the file may be
// empty or absent. It is for files whose durability is someone else's job: a tree
// SyncTree flushes before it is published, or cache objects that are verified on
// read and can be made again.
func WriteFileNoSync(fs afero.Fs, path string, data []byte, perm os.FileMode) error {
	return replaceFile(fs, path, data, perm, false)
}

// WriteNew creates path, which must not exist, with data and mode perm, without a
// flush. It is for files inside a fresh temporary directory that nobody else sees
// until it is published: a kill mid-write leaves a short file only in that directory,
// which the next build removes, so no temporary name is needed; SyncTree flushes
// the whole tree once before it is published.
func WriteNew(fs afero.Fs, path string, data []byte, perm os.FileMode) (err error) {
	if IsOS(fs) && haveWriteNewOS {
		if err := writeNewOS(path, data, perm, false); err != nil {
			return fmt.Errorf("fsutil: create %s: %w", path, err)
		}
		return nil
	}
	f, err := fs.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("fsutil: create %s: %w", path, err)
	}
	if err = writeClose(fs, f, path, data, perm, false); err != nil {
		return fmt.Errorf("fsutil: create %s: %w", path, err)
	}
	return nil
}

// SyncTree makes everything under dir durable in one pass: each regular file is
// flushed once, then each directory (its entries), deepest first, dir last. Writing a
// tree and then flushing it costs far less than a flush per file plus one of its
// directory per file, and the tree is still complete on disk before the caller
// renames it into place. Unlike syncDir, failures are errors: a publish must not
// swap in a tree that may not be on disk. Directories that cannot be flushed on this
// platform or backend (EINVAL, as some filesystems answer) are skipped.
//
// The files are flushed concurrently: each fsync mostly waits for the disk (on ext4,
// for a journal commit), and flushes that wait together share commits, where one
// after another each can wait for its own; on a disk busy with other work that is
// most of a cold build's time. Only the directories, whose order matters, are
// flushed one by one, after every file.
func SyncTree(fsys afero.Fs, dir string) error {
	return syncTreeExcept(fsys, dir, nil)
}

// syncTreeExcept is SyncTree leaving out the files in flushed (already durable).
func syncTreeExcept(fsys afero.Fs, dir string, flushed map[string]bool) error {
	var dirs, files []string
	err := afero.Walk(fsys, dir, func(p string, info fs.FileInfo, err error) error {
		if err != nil {
			return err
		}
		switch {
		case info.IsDir():
			dirs = append(dirs, p)
		case info.Mode().IsRegular() && !flushed[p]:
			files = append(files, p)
		}
		return nil
	})
	if err == nil {
		err = syncAll(fsys, files)
	}
	if err != nil {
		return fmt.Errorf("fsutil: sync %s: %w", dir, err)
	}
	// Walk lists parents before children; flush children first, so a directory's
	// entries point at what is already on disk.
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := syncPath(fsys, dirs[i], true); err != nil {
			return fmt.Errorf("fsutil: sync %s: %w", dir, err)
		}
	}
	return nil
}

// syncFlushers bounds the concurrent flushes of SyncTree (open files, threads
// blocked in fsync).
const syncFlushers = 16

// syncAll flushes every file, up to syncFlushers at once, and returns the first error.
func syncAll(fsys afero.Fs, files []string) error {
	if len(files) <= 1 {
		for _, p := range files {
			if err := syncPath(fsys, p, false); err != nil {
				return err
			}
		}
		return nil
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	next := make(chan string)
	for range min(syncFlushers, len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range next {
				if err := syncPath(fsys, p, false); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, p := range files {
		next <- p
	}
	close(next)
	wg.Wait()
	return first
}

func syncPath(fs afero.Fs, p string, isDir bool) error {
	f, err := fs.Open(p)
	if err != nil {
		return err
	}
	err = f.Sync()
	cerr := f.Close()
	if isDir && errors.Is(err, errDirSyncUnsupported) {
		err = nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	return cerr
}

// Lstat is fs's Lstat where it has one (the OS and the memory filesystem, also behind
// a ReadRecorder), else Stat: a symlink then shows as itself, not as its target.
func Lstat(fs afero.Fs, name string) (os.FileInfo, error) {
	for {
		switch f := fs.(type) {
		case *ReadRecorder:
			fs = f.Fs
			continue
		case afero.Lstater:
			fi, _, err := f.LstatIfPossible(name)
			return fi, err
		}
		return fs.Stat(name)
	}
}
