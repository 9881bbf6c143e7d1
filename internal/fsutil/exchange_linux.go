//go:build linux

package fsutil

import (
	"errors"

	"github.com/spf13/afero"
	"golang.org/x/sys/unix"
)

// exchange swaps two existing paths in one step with renameat2(RENAME_EXCHANGE), so
// there is no instant at which either name is missing. ok is false when the kernel or
// the filesystem cannot do it (older kernels, some network and FUSE filesystems), and
// the caller falls back to two renames.
func exchange(fs afero.Fs, a, b string) (ok bool, err error) {
	if !IsOS(fs) {
		return false, nil
	}
	err = unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EOPNOTSUPP) {
		return false, nil
	}
	return err == nil, err
}
