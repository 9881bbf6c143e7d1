package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncfs flushes the filesystem that holds dir, as espcompose's batch does per group.
func syncfs(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.Syncfs(int(f.Fd()))
}
