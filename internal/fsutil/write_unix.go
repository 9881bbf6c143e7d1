//go:build unix

package fsutil

import (
	"bufio"
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// writeNewOS is WriteNew on the real disk in four system calls or fewer (open with
// O_CREAT|O_EXCL, write, fchmod only when the umask narrowed the mode, close). An
// os.File costs twice that per file (the runtime poller's fcntl and epoll_ctl calls,
// a chmod by path): a device batch writes thousands of small files, and on a busy
// disk every call counts. Nothing is flushed: the caller flushes the tree (or the
// filesystem, once per group of devices) before it publishes it.
const haveWriteNewOS = true

func writeNewOS(path string, data []byte, perm os.FileMode, flush bool) error {
	var fd int
	var err error
	for {
		fd, err = unix.Open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, uint32(perm.Perm()))
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		return &os.PathError{Op: "open", Path: path, Err: err}
	}
	fail := func(op string, err error) error {
		_ = unix.Close(fd)
		return &os.PathError{Op: op, Path: path, Err: err}
	}
	for len(data) > 0 {
		n, err := unix.Write(fd, data)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return fail("write", err)
		}
		if n == 0 {
			return fail("write", unix.EIO)
		}
		data = data[n:]
	}
	if perm.Perm()&processUmask() != 0 {
		if err := unix.Fchmod(fd, uint32(perm.Perm())); err != nil {
			return fail("chmod", err)
		}
	}
	if flush {
		for {
			err := unix.Fsync(fd)
			if errors.Is(err, unix.EINTR) {
				continue
			}
			if err != nil {
				return fail("fsync", err)
			}
			break
		}
	}
	if err := unix.Close(fd); err != nil {
		return &os.PathError{Op: "close", Path: path, Err: err}
	}
	return nil
}

var (
	umaskOnce sync.Once
	umaskBits os.FileMode
)

// processUmask reads the umask from /proc/self/status (Linux 4.7 and later): unlike
// umask(2), reading it there does not change it under other goroutines creating
// files. Where it cannot be read, every bit counts as masked, so the exact mode is
// always set.
func processUmask() os.FileMode {
	umaskOnce.Do(func() {
		umaskBits = 0o777
		f, err := os.Open("/proc/self/status")
		if err != nil {
			return
		}
		defer f.Close()
		s := bufio.NewScanner(f)
		for s.Scan() {
			if v, ok := strings.CutPrefix(s.Text(), "Umask:"); ok {
				if m, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32); err == nil {
					umaskBits = os.FileMode(m) & 0o777
				}
				return
			}
		}
	})
	return umaskBits
}
