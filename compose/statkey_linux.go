package compose

import (
	"os"
	"syscall"
)

// statKey is what the up-to-date record keeps of a file or folder to tell that it is
// the same one, untouched: device, inode, type and permissions, size, and the
// modification and change times in nanoseconds. Any write, chmod, rename onto it or
// replacement changes at least one of them; the change time cannot be set back by
// tools that copy timestamps (cp -p, tar, rsync -t). ok is false where the FileInfo
// does not come from the operating system (an in-memory filesystem).
func statKey(fi os.FileInfo) (statID, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return statID{}, false
	}
	return statID{
		Dev: uint64(st.Dev), Ino: uint64(st.Ino), Mode: uint32(fi.Mode()), Size: fi.Size(),
		Mtime: st.Mtim.Nano(), Ctime: st.Ctim.Nano(),
	}, true
}
