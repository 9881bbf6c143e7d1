//go:build !linux

package main

import "errors"

func syncfs(string) error {
	return errors.New("floor batch flushes with syncfs(2), which only Linux has")
}
