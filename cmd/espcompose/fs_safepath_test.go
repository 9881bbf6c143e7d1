package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// FuzzSafeRelPath: a name extract accepts always lands strictly inside the folder.
func FuzzSafeRelPath(f *testing.F) {
	for _, s := range []string{"a", "a/b", "../a", "a/../../b", "/etc/x", "a//b", "./a", "a/.", "..", "c:x", "a\\..\\b", "a\x00b", ".hidden", "a..b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if !safeRelPath(p) {
			return
		}
		base := "/extract/here"
		joined := filepath.Join(base, filepath.FromSlash(p))
		if !strings.HasPrefix(joined, base+"/") || joined == base {
			t.Fatalf("%q accepted but lands at %s", p, joined)
		}
		if rel, err := filepath.Rel(base, joined); err != nil || rel != filepath.FromSlash(p) {
			t.Fatalf("%q accepted but is %q relative to the folder (%v)", p, rel, err)
		}
	})
}

func TestSafeRelPath(t *testing.T) {
	for p, want := range map[string]bool{
		"a": true, "a/b.txt": true, ".hidden": true, "a..b": true,
		"": false, "..": false, "../a": false, "a/../b": false, "/a": false, "a//b": false, "./a": false,
		"a/": false, "a\\b": false, "c:x": false, "a\x00": false,
	} {
		if got := safeRelPath(p); got != want {
			t.Errorf("safeRelPath(%q) = %v, want %v", p, got, want)
		}
	}
}
