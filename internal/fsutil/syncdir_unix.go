//go:build unix

package fsutil

import "syscall"

// errDirSyncUnsupported is what fsync on a directory returns where the filesystem
// cannot flush directories; the entries are then as durable as the platform allows.
var errDirSyncUnsupported = syscall.EINVAL
