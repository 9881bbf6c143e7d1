package fsutil

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// RenameNoReplace renames oldpath to newpath unless newpath exists (then an error
// wrapping os.ErrExist), in one system call, so nothing that appears at newpath in
// the meantime is ever replaced. done is false where the filesystem or kernel cannot
// (EINVAL, ENOSYS): the caller looks before it renames. Paths of the OS filesystem.
func RenameNoReplace(oldpath, newpath string) (done bool, err error) {
	for {
		err = unix.Renameat2(unix.AT_FDCWD, oldpath, unix.AT_FDCWD, newpath, unix.RENAME_NOREPLACE)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOSYS):
		return false, nil
	}
	return true, &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: err}
}
