package main

import "github.com/espcompose/espcompose/internal/buildinfo"

// A linked version (-X main.version) wins; otherwise `go install ...@v1.2.3` names
// v1.2.3 and a checkout build names its VCS revision. Package-level initialisers run
// before init, so cobra's root command (built later, in run) sees the result.
func init() { version = buildinfo.Version(version) }
