package main

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

// TestSignerFindsEspcomposeOffPath builds the remote-signing example, whose signer
// script runs "${ESPCOMPOSE:-espcompose}" sign-digest, with no espcompose on PATH and
// ESPCOMPOSE empty in the inherited environment: as after `go run`. The build must
// pass the signer its own executable; without it (the control) the signer fails.
func TestSignerFindsEspcomposeOffPath(t *testing.T) {
	wrapper, err := executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", "/usr/bin:/bin")
	t.Setenv(signerEnvVar, "")
	fs := afero.NewOsFs()

	build := func() (int, string) {
		dir := t.TempDir()
		copyTree(t, filepath.Join(examplesDir, "remote-signing"), dir)
		code, _, stderr := runCLI(t, fs, map[string]string{}, "build", "-f", filepath.Join(dir, "espcompose.hcl"), "-o", filepath.Join(dir, "dist"))
		return code, stderr
	}
	if code, stderr := build(); code != 0 {
		t.Fatalf("build with the signer told where espcompose is: exit %d: %s", code, stderr)
	}

	executable = func() (string, error) { return "", errors.New("no executable") }
	defer func() { executable = func() (string, error) { return wrapper, nil } }()
	code, stderr := build()
	if code == 0 || !strings.Contains(stderr, "espcompose: not found") {
		t.Fatalf("control: the signer found espcompose without being told: exit %d: %s", code, stderr)
	}
}

// TestSignerEnvKeepsTheUsersChoice: an ESPCOMPOSE the user set is left alone.
func TestSignerEnvKeepsTheUsersChoice(t *testing.T) {
	a := &app{getenv: func(k string) string {
		if k == signerEnvVar {
			return "/opt/espcompose"
		}
		return ""
	}}
	if env := a.signerEnv(); env != nil {
		t.Errorf("signerEnv with ESPCOMPOSE set = %q, want nothing added", env)
	}
	a.getenv = func(string) string { return "" }
	exe, _ := executable()
	if env := a.signerEnv(); len(env) != 1 || env[0] != signerEnvVar+"="+exe {
		t.Errorf("signerEnv = %q, want ESPCOMPOSE=%s", env, exe)
	}
}
