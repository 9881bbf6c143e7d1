package manifest

import (
	"strings"
	"testing"
)

// A manifest that is not UTF-8 is refused where the bad byte is, even where HCL's own
// scanner lets it through (outside a string), and the diagnostic can show the line.
func TestParseRefusesInvalidUTF8(t *testing.T) {
	src := "espcompose {\n  version = 1\n}\n# \xe8\n"
	f, diags := ParseBytes([]byte(src), "m.hcl")
	if !diags.HasErrors() {
		t.Fatal("a manifest with a byte that is not UTF-8 parsed")
	}
	d := diags[0]
	if d.Summary != "Invalid character encoding" || d.Subject.Start.Line != 4 || d.Subject.Start.Column != 3 {
		t.Fatalf("diagnostic %q at %v, want Invalid character encoding at 4:3", d.Summary, d.Subject.Start)
	}
	if f == nil || !strings.Contains(string(f.Files()["m.hcl"].Bytes), "version = 1") {
		t.Fatal("the source is not kept for the diagnostic's snippet")
	}
}
