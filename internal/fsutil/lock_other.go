//go:build !unix

package fsutil

// Without flock(2) the in-process lock is the best available.
func osTryLock(path string) (func(), int, error) { return memTryLock(path) }

// Without flock(2) no process can tell it is alone, so nothing is swept.
func osSharedLock(string, func()) (func(), error) { return func() {}, nil }
