package hclfmt

import "testing"

// A byte that is not UTF-8 outside a string used to get through the parser and be laid
// out differently on each pass (the fuzzer's A=\xe80); it is refused, at its position.
func TestFormatRefusesInvalidUTF8(t *testing.T) {
	for _, tc := range []struct {
		src       string
		line, col int
		byte      int
	}{
		{"A=\xe80 ", 1, 3, 2},
		{"a = 1\n# caf\xc3\xa9\nb = \xff\n", 3, 5, 18},
	} {
		out, diags := Format([]byte(tc.src), "m.hcl")
		if !diags.HasErrors() || out != nil {
			t.Fatalf("%q: formatted to %q, want an error", tc.src, out)
		}
		d := diags[0]
		if d.Summary != "Invalid character encoding" || d.Subject == nil {
			t.Fatalf("%q: diagnostic %+v", tc.src, d)
		}
		if s := d.Subject.Start; s.Line != tc.line || s.Column != tc.col || s.Byte != tc.byte {
			t.Errorf("%q: at %d:%d (byte %d), want %d:%d (byte %d)", tc.src, s.Line, s.Column, s.Byte, tc.line, tc.col, tc.byte)
		}
	}
	if diags := CheckUTF8([]byte("name = \"café\" # ünïcode\n"), "m.hcl"); diags.HasErrors() {
		t.Fatalf("valid UTF-8 refused: %v", diags)
	}
}
