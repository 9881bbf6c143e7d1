package hclfmt

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

func TestFormatHexCommentsIdempotent(t *testing.T) {
	src := "partition_table {\n  offset = 0x8000 # main table\n  md5=false\n}\n\n\npartition \"a\" {\n  size=0X1000\n  list = [0x1,0x20]\n  name = \"0x10\"\n}\n\n\n"
	want := "partition_table {\n  offset = 0x8000 # main table\n  md5    = false\n}\n\n\npartition \"a\" {\n  size = 0X1000\n  list = [0x1, 0x20]\n  name = \"0x10\"\n}\n"
	got, diags := Format([]byte(src), "t.hcl")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if string(got) != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	again, _ := Format(got, "t.hcl")
	if string(again) != string(got) {
		t.Fatalf("not idempotent:\n%s", again)
	}
}

func TestFormatRefusesBrokenInput(t *testing.T) {
	_, diags := Format([]byte("a {\n  b = \n"), "bad.hcl")
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "bad.hcl:") {
		t.Fatalf("want a diagnostic naming bad.hcl, got %v", diags)
	}
}

func FuzzFormatIdempotent(f *testing.F) {
	f.Add([]byte("a { b = 0x10 # c\n}\n"))
	f.Add([]byte("x = [1,2, 0x3]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		once, diags := Format(src, "f.hcl")
		if diags.HasErrors() {
			return
		}
		twice, diags := Format(once, "f.hcl")
		if diags.HasErrors() {
			t.Fatalf("formatted output does not parse: %v\n%s", diags, once)
		}
		if string(once) != string(twice) {
			t.Fatalf("not idempotent:\n%q\n%q", once, twice)
		}
		if a, b := tokenText(src), tokenText(once); a != b {
			t.Fatalf("formatting changed the tokens:\n%q\n%q", a, b)
		}
	})
}

// tokenText is the source's tokens without the space between them: formatting may
// change only that (and blank lines).
func tokenText(src []byte) string {
	toks, _ := hclsyntax.LexConfig(src, "t.hcl", hcl.InitialPos)
	var b strings.Builder
	for _, tok := range toks {
		switch tok.Type {
		case hclsyntax.TokenNewline, hclsyntax.TokenEOF:
			continue
		case hclsyntax.TokenComment:
			b.WriteString(strings.TrimSpace(string(tok.Bytes)))
		default:
			b.Write(tok.Bytes)
		}
		b.WriteByte(' ')
	}
	return b.String()
}
