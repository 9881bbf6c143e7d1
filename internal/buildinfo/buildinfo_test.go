package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "-buildmode", Value: "exe"}, {Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"no build info", nil, Fallback},
		{"go run, no vcs", &debug.BuildInfo{Main: debug.Module{Path: "github.com/espcompose/espcompose", Version: "(devel)"}}, Fallback},
		{"go install @v1.2.3", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3"},
		{"go install @latest on a pseudo-version", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261202070000-0123456789ab"}}, "v0.0.0-20261202070000-0123456789ab"},
		{"module version wins over vcs", &debug.BuildInfo{Main: debug.Module{Version: "v1.0.0+dirty"}, Settings: vcs("0123456789abcdef0123", "true")}, "v1.0.0+dirty"},
		{"checkout, clean", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("0123456789ABCDEF0123456789abcdef01234567", "false")}, "0.1.0-dev+0123456789ab"},
		{"checkout, modified", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("0123456789abcdef0123456789abcdef01234567", "true")}, "0.1.0-dev+0123456789ab.dirty"},
		{"short revision", &debug.BuildInfo{Settings: vcs("abc123", "false")}, "0.1.0-dev+abc123"},
	} {
		if got := FromBuildInfo(tc.bi); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestVersionPrefersLinked(t *testing.T) {
	if got := Version("v9.9.9"); got != "v9.9.9" {
		t.Errorf("Version(linked) = %q", got)
	}
	// A test binary is built without VCS stamping and with Main.Version "(devel)"
	// (or none), so it falls back; goldens depend on that.
	bi, _ := debug.ReadBuildInfo()
	if got, want := Version(""), FromBuildInfo(bi); got != want {
		t.Errorf("Version(\"\") = %q, build info says %q", got, want)
	}
}
