//go:build !linux

package compose

const haveSyncfs = false

func syncfs(string) error { return nil }

func fsID(string) (uint64, error) { return 0, nil }
