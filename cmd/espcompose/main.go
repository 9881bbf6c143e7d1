// Command espcompose composes ESP32-family flash images from one HCL manifest.
package main

import (
	"crypto/rand"
	"os"

	"github.com/spf13/afero"
)

func main() {
	a := &app{
		fs:      afero.NewOsFs(),
		stdin:   os.Stdin,
		stdout:  os.Stdout,
		stderr:  os.Stderr,
		getenv:  os.Getenv,
		environ: os.Environ,
		rand:    rand.Reader,
	}
	os.Exit(a.run(os.Args[1:]))
}
