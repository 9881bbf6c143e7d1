package main

import (
	"fmt"
	"os"

	"github.com/espcompose/espcompose/compose"
)

// quickUpToDate answers `build` from the up-to-date record when nothing changed
// since a build last found the output folder up to date (compose.QuickUpToDate): the
// same "Up to date" line, without parsing or planning. JSON output, two-phase
// signing and the crash tests always take the full build.
func (a *app) quickUpToDate(sigDir string) bool {
	if a.json || sigDir != "" || a.outIsFile || a.getenv(crashEnv) != "" {
		return false
	}
	opts, err := a.composeOptions(sigDir, nil)
	if err != nil {
		return false // the full build reports it
	}
	n, ok := compose.QuickUpToDate(opts)
	if ok {
		fmt.Fprintf(a.stdout, "Up to date: %s (%d files unchanged).\n", a.out, n)
	}
	return ok
}

// buildID names this executable by path, size and modification time, so a record
// written by one espcompose binary is never trusted by another (compose.Options.BuildID).
// "" (no shortcut) when the executable cannot be found.
func buildID() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	st, err := os.Stat(exe)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%s|%d|%d", exe, st.Size(), st.ModTime().UnixNano())
}
