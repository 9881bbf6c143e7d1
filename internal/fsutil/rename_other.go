//go:build !linux

package fsutil

// RenameNoReplace: not available here; the caller looks before it renames.
func RenameNoReplace(oldpath, newpath string) (done bool, err error) { return false, nil }
