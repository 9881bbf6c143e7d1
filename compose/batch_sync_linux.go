package compose

import (
	"os"

	"golang.org/x/sys/unix"
)

const haveSyncfs = true

// syncfs flushes the filesystem that holds dir.
func syncfs(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.Syncfs(int(f.Fd()))
}

// fsID identifies the filesystem that holds dir.
func fsID(dir string) (uint64, error) {
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		return 0, err
	}
	return uint64(st.Dev), nil
}
