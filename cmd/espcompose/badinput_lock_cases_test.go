package main

import "github.com/espcompose/espcompose/lock"

// lockCases are bad input around the layout lock (docs/lock.md).
func lockCases() []badCase {
	qs := func(cmd string) []string { return argv(cmd + " -f qs/espcompose.hcl -o out --cache-dir cache") }
	foreign := file("qs/espcompose.lock", "# my notes\nlock = true\n")
	header := `(its first line is not "` + lock.Header + `")`
	return []badCase{
		{"lock over a foreign file", foreign, qs("lock"), 2, "espcompose: refusing to use qs/espcompose.lock as a lock file: espcompose did not write it " + header + ", so it is never replaced"},
		{"lock --update over a foreign file", foreign, qs("lock --update"), 2, "espcompose: refusing to use qs/espcompose.lock as a lock file: espcompose did not write it " + header + ", so it is never replaced"},
		{"plan with a foreign lock", foreign, qs("plan"), 2, "espcompose: qs/espcompose.lock:1: not an espcompose lock file " + header},
		{"lock with --no-lock", nil, qs("lock --no-lock"), 2, "espcompose: --no-lock makes no sense with lock"},
		{"validate --lock-file missing", nil, qs("validate --lock-file qs/none.lock"), 2, "espcompose: lock file qs/none.lock: no such file or directory"},
		{"build lock of another version", file("qs/espcompose.lock", lock.Header+"\nlock {\n  version = 2\n}\n"), qs("build"), 2, "espcompose: qs/espcompose.lock:3: lock format version 2 is not 1, the one this espcompose reads"},
		{"plan lock with an unknown attribute", file("qs/espcompose.lock", lock.Header+"\nlock {\n  version = 1\n  colour = \"red\"\n}\n"), qs("plan"), 2, "espcompose: qs/espcompose.lock:4: unknown attribute \"colour\" in lock block"},
	}
}
