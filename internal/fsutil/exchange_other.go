//go:build !linux

package fsutil

import "github.com/spf13/afero"

// exchange has no portable equivalent outside Linux; callers fall back to two renames.
func exchange(afero.Fs, string, string) (bool, error) { return false, nil }
