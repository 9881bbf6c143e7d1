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
	// Called through a link named espsecure.py, esptool, ... (espcompose links): that
	// tool's drop-in.
	os.Exit(a.run(busyboxArgs(os.Args[0], os.Args[1:])))
}
