package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/dropin"
)

// TestMain lets the test binary stand in for the espcompose command, so examples
// whose signer runs `$ESPCOMPOSE sign-digest` work without an installed binary.
func TestMain(m *testing.M) {
	if _, ok := dropin.Tools[filepath.Base(os.Args[0])]; ok {
		// Run through a link named like an Espressif tool (espcompose links).
		a := &app{fs: afero.NewOsFs(), stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, environ: os.Environ}
		os.Exit(a.run(busyboxArgs(os.Args[0], os.Args[1:])))
	}
	if os.Getenv("ESPCOMPOSE_TEST_AS_CLI") == "1" {
		a := &app{fs: afero.NewOsFs(), stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, environ: os.Environ}
		os.Exit(a.run(os.Args[1:]))
	}
	code := func() int {
		exe, err := os.Executable()
		if err != nil {
			return m.Run()
		}
		dir, err := os.MkdirTemp("", "espcompose-cli")
		if err != nil {
			return m.Run()
		}
		defer os.RemoveAll(dir)
		wrapper := filepath.Join(dir, "espcompose")
		script := "#!/bin/sh\nESPCOMPOSE_TEST_AS_CLI=1 exec '" + exe + "' \"$@\"\n"
		if err := os.WriteFile(wrapper, []byte(script), 0o755); err == nil {
			os.Setenv("ESPCOMPOSE", wrapper)
			// In-process runs (runCLI) pass signers this binary as ESPCOMPOSE; it is
			// the CLI only through the wrapper.
			executable = func() (string, error) { return wrapper, nil }
		}
		return m.Run()
	}()
	os.Exit(code)
}
