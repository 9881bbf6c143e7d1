//go:build linux

package fsutil

import (
	"github.com/spf13/afero"
	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to begin writing a range of f to disk now, without
// waiting (sync_file_range with SYNC_FILE_RANGE_WRITE), so the flush that makes the
// file durable later finds less left to write. It promises nothing about durability
// itself; files without a descriptor (in-memory backends) are left alone.
func startWriteback(f afero.File, off, n int64) {
	if fd, ok := f.(interface{ Fd() uintptr }); ok {
		_ = unix.SyncFileRange(int(fd.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
	}
}
