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

// Where hclwrite would join two tokens into another by removing the space between them
// (the fuzzer's A=0. 0, laid out as the number 0.0), Format refuses, pointing at the
// first token that would change, instead of rewriting the meaning of the file.
func TestFormatRefusesJoiningTokens(t *testing.T) {
	out, diags := Format([]byte("a = 1\nA=0. 0\n"), "m.hcl")
	if !diags.HasErrors() || out != nil {
		t.Fatalf("formatted to %q, want an error", out)
	}
	d := diags[0]
	if d.Summary != "Cannot format without changing the meaning" || d.Subject == nil || d.Subject.Start.Line != 2 {
		t.Fatalf("diagnostic %q at %v, want line 2", d.Summary, d.Subject)
	}
	// Ordinary layout changes (spaces, alignment, comments, hex literals) still pass.
	if _, diags := Format([]byte("a=1 # x\nbb = [1,2,0x30]\nc {\n d=\"${a+1}\"\n}\n"), "m.hcl"); diags.HasErrors() {
		t.Fatalf("an ordinary file refused: %v", diags)
	}
}
