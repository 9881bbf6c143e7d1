//go:build !linux

package compose

// renameNoReplace: not available here; the caller looks before it renames.
func renameNoReplace(oldpath, newpath string) (done bool, err error) { return false, nil }
