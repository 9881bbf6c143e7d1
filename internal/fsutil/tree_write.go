package fsutil

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"sync"

	"github.com/spf13/afero"
)

// NewFile is one file WriteTree creates.
type NewFile struct {
	Path string
	Data []byte
	Perm os.FileMode
}

// WriteTree creates files (each new, in folders that exist, all under dir) and then
// makes everything under dir durable: the result is that of WriteNew for each file
// followed by SyncTree(dir), with the same guarantee (every file, then every folder
// deepest first, flushed once before the caller may rename dir into place). The
// difference is when the flushes start: each file is flushed by the worker that
// wrote it as soon as it is written, largest first, so the disk is busy with the
// largest file (a merged flash image, most of the bytes) while the small ones are
// still being created, instead of after the last of them. Files under dir that are
// not in files (written earlier) are flushed afterwards with the folders.
func WriteTree(fsys afero.Fs, dir string, files []NewFile) error {
	order := make([]int, len(files))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(len(files[b].Data), len(files[a].Data)) })
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	next := make(chan int)
	for range min(syncFlushers, len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := writeFlushed(fsys, files[i]); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, i := range order {
		next <- i
	}
	close(next)
	wg.Wait()
	if first != nil {
		return first
	}
	flushed := make(map[string]bool, len(files))
	for _, f := range files {
		flushed[f.Path] = true
	}
	return syncTreeExcept(fsys, dir, flushed)
}

// writeFlushed creates one file and flushes it before closing it.
func writeFlushed(fsys afero.Fs, f NewFile) error {
	if IsOS(fsys) && haveWriteNewOS {
		if err := writeNewOS(f.Path, f.Data, f.Perm, true); err != nil {
			return fmt.Errorf("fsutil: create %s: %w", f.Path, err)
		}
		return nil
	}
	if err := WriteNew(fsys, f.Path, f.Data, f.Perm); err != nil {
		return err
	}
	if err := syncPath(fsys, f.Path, false); err != nil {
		return fmt.Errorf("fsutil: sync %s: %w", f.Path, err)
	}
	return nil
}
