// Package buildinfo names the version of the running espcompose binary.
//
// A release build stamps the version at link time (-ldflags "-X main.version=...",
// as the GitHub Action's install step does). `go install module@version` stamps
// nothing by hand, but the Go toolchain records the module version in the binary's
// build info; a build from a checkout records the VCS revision instead. Reading the
// build info means every way of getting the binary names what it was built from,
// and build.json / the SBOM record it.
package buildinfo

import (
	"runtime/debug"
	"strings"
)

// Fallback is the version of a binary that carries neither a linked version nor
// usable build info: a `go run` or `go test` binary built with -buildvcs=false.
// Tests and goldens see this value.
const Fallback = "0.1.0-dev"

// Version returns linked when it is set, else what the running binary's build info
// says (see FromBuildInfo).
func Version(linked string) string {
	if linked != "" {
		return linked
	}
	bi, _ := debug.ReadBuildInfo()
	return FromBuildInfo(bi)
}

// FromBuildInfo derives a version from build info:
//   - the main module's version when the Go toolchain knows it: a tag or
//     pseudo-version for `go install ...@version`, and, since Go 1.24, for `go build`
//     in a tagged or committed checkout (with "+dirty" when files were modified);
//   - otherwise Fallback with the VCS revision as build metadata:
//     "0.1.0-dev+<12 hex>" and ".dirty" when the checkout had uncommitted changes;
//   - otherwise Fallback.
func FromBuildInfo(bi *debug.BuildInfo) string {
	if bi == nil {
		return Fallback
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev string
	var modified bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		return Fallback
	}
	if len(rev) > 12 {
		rev = rev[:12] // the length Go's pseudo-versions use
	}
	v := Fallback + "+" + strings.ToLower(rev)
	if modified {
		v += ".dirty"
	}
	return v
}
