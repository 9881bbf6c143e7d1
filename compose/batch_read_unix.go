//go:build unix

package compose

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"

	"github.com/spf13/afero"
	"golang.org/x/sys/unix"

	"github.com/espcompose/espcompose/internal/fsutil"
)

// A batch reads small files by the thousand: each device's record (to skip it, and
// twice more for the index), its marker, its published files' digests. An os.File
// costs the runtime poller's fcntl and epoll_ctl calls besides open, fstat, read and
// close; on the real disk these reads take open, read until end and close, nothing
// else. Only a bare OS filesystem qualifies: a read recorder must see every read.
func plainOS(fsys afero.Fs) bool {
	switch fsys.(type) {
	case *afero.OsFs, afero.OsFs:
		return true
	}
	return false
}

// osBelow reports whether fsys is the OS filesystem under zero or more read
// recorders, and returns those recorders: a caller that reads with its own system
// calls notes what it read in each.
func osBelow(fsys afero.Fs) (bool, []*fsutil.ReadRecorder) {
	base, recs := unwrapRecorders(fsys)
	return plainOS(base), recs
}

// readSmall reads a whole file of at most max bytes.
func readSmall(fsys afero.Fs, name string, max int64) ([]byte, error) {
	if !plainOS(fsys) {
		return readSmallFS(fsys, name, max)
	}
	var b []byte
	buf := make([]byte, 4096)
	err := readOS(name, buf, func(p []byte) error {
		if int64(len(b)+len(p)) > max {
			return fmt.Errorf("%s is larger than %d bytes", name, max)
		}
		b = append(b, p...)
		return nil
	})
	return b, err
}

// fileSHA256 is the hex sha256 of a file's content; ok is false when it cannot be read.
func fileSHA256(fsys afero.Fs, name string) (string, bool) {
	if !plainOS(fsys) {
		return fileSHA256FS(fsys, name)
	}
	h := sha256.New()
	if err := hashOS(name, h); err != nil {
		return "", false
	}
	return hex.EncodeToString(h.Sum(nil)), true
}

func hashOS(name string, h hash.Hash) error {
	buf := make([]byte, 32<<10)
	return readOS(name, buf, func(p []byte) error { h.Write(p); return nil })
}

// errNotRegular: readOS reads regular files only (a folder, a FIFO or a device is
// refused before any read, as the afero paths refuse or list them).
var errNotRegular = errors.New("not a regular file")

// digestOS is inputHasher.fileDigest's reading on the real disk: the hex sha256 of a
// regular file, "missing" when there is none or it cannot be read; opened says the
// file was opened (a read recorder notes it); handled is false for anything else (a
// folder), which the caller reads through afero as before.
func digestOS(name string) (d string, opened, handled bool) {
	h := sha256.New()
	err := hashOS(name, h)
	var pe *os.PathError
	opened = err == nil || (errors.As(err, &pe) && pe.Op != "open")
	if errors.Is(err, errNotRegular) {
		return "", opened, false
	}
	if err != nil {
		return "missing", opened, true
	}
	return hex.EncodeToString(h.Sum(nil)), true, true
}

// readOS hands each chunk of name to use, read through buf, in four system calls or
// more: open, fstat (regular files only), read until it returns 0, close.
func readOS(name string, buf []byte, use func([]byte) error) error {
	var fd int
	var err error
	for {
		// O_NONBLOCK: a FIFO must not block the open; it is refused below.
		fd, err = unix.Open(name, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		return &os.PathError{Op: "open", Path: name, Err: err}
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return &os.PathError{Op: "stat", Path: name, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return &os.PathError{Op: "read", Path: name, Err: errNotRegular}
	}
	for {
		n, err := unix.Read(fd, buf)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return &os.PathError{Op: "read", Path: name, Err: err}
		}
		if n == 0 {
			return nil
		}
		if err := use(buf[:n]); err != nil {
			return err
		}
	}
}
