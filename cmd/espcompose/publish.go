package main

import (
	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/outputs"
)

func publish(fs afero.Fs, dir string, b *outputs.Bundle) error {
	files, err := outputs.Files(b)
	if err != nil {
		return err
	}
	return outputs.Publish(fs, dir, files)
}
