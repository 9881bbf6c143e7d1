//go:build unix

package fsutil

import (
	"errors"
	"io"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// osTryLock tries flock(LOCK_EX|LOCK_NB) on path. On success it records this
// process's pid in the file; when busy it returns the holder's recorded pid.
func osTryLock(path string) (func(), int, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, 0, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		b, _ := io.ReadAll(io.LimitReader(f, 32))
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, parsePID(b), nil
		}
		return nil, 0, err
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return func() {
		_ = f.Truncate(0)
		_ = unix.Flock(int(f.Fd()), unix.LOCK_UN)
		f.Close()
	}, 0, nil
}

// osSharedLock takes a shared flock on path. It first tries an exclusive one: when
// that succeeds no other build is using what the lock guards, so alone (dead builds'
// leftovers, and nothing else, match its patterns) runs before the lock is turned
// into a shared one.
func osSharedLock(path string, alone func()) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	fd := int(f.Fd())
	if unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB) == nil && alone != nil {
		alone()
	}
	if err := unix.Flock(fd, unix.LOCK_SH); err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}
