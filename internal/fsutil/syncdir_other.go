//go:build !unix

package fsutil

import "os"

// errDirSyncUnsupported: Windows cannot open a directory for flushing at all (it
// fails at Sync with a permission error).
var errDirSyncUnsupported = os.ErrPermission
