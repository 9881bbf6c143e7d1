package fsutil

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/afero"
)

// ErrLocked is returned by Lock when another process (or goroutine) still holds the
// lock after the timeout.
var ErrLocked = errors.New("locked")

// LockedError says who holds a lock that could not be taken.
type LockedError struct {
	Path string
	PID  int // 0 when unknown
}

func (e *LockedError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("%s is held by pid %d", e.Path, e.PID)
	}
	return e.Path + " is held by another process"
}

func (e *LockedError) Unwrap() error { return ErrLocked }

// Lock takes an exclusive lock named by path (a lock file it creates if needed),
// waiting up to timeout. onWait, when not nil, is called once with the holder's pid
// (0 if unknown) if the lock is busy. The returned function releases it.
//
// On the real disk the lock is flock(2) on the file, which the kernel drops when the
// holder dies, so a killed build never leaves a stale lock behind; the file itself
// stays (removing a lock file races with the next locker) and records the holder's
// pid for messages. On other filesystems (tests) it is an in-process lock.
func Lock(fs afero.Fs, path string, timeout time.Duration, onWait func(pid int)) (func(), error) {
	try := memTryLock
	if IsOS(fs) {
		try = osTryLock
	}
	deadline := time.Now().Add(timeout)
	waited := false
	for {
		unlock, pid, err := try(path)
		if err != nil || unlock != nil {
			return unlock, err
		}
		if !waited && onWait != nil {
			onWait(pid)
		}
		waited = true
		if !time.Now().Before(deadline) {
			return nil, &LockedError{Path: path, PID: pid}
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// parsePID reads the pid a holder wrote into its lock file.
func parsePID(b []byte) int {
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

var (
	memLocksMu sync.Mutex
	memLocks   = map[string]bool{}
)

// memTryLock is the in-process lock used on non-OS filesystems.
func memTryLock(path string) (func(), int, error) {
	path = Abs(path)
	memLocksMu.Lock()
	defer memLocksMu.Unlock()
	if memLocks[path] {
		return nil, 0, nil
	}
	memLocks[path] = true
	return func() {
		memLocksMu.Lock()
		delete(memLocks, path)
		memLocksMu.Unlock()
	}, 0, nil
}

// SharedLock takes a lock that many builds hold at once (the stage cache). When the
// caller is the only holder, alone runs first, under an exclusive lock: that is when
// leftovers of killed builds can be removed without touching a live build's files.
// On non-OS filesystems it is a no-op and alone never runs.
func SharedLock(fs afero.Fs, path string, alone func()) (func(), error) {
	if !IsOS(fs) {
		return func() {}, nil
	}
	return osSharedLock(path, alone)
}
