package lock

import (
	"bytes"
	"testing"
)

// FuzzParse: a lock file is read from the project folder, so a damaged one must give
// an error, never a panic; one that parses survives a rewrite unchanged in meaning.
func FuzzParse(f *testing.F) {
	f.Add(sample().Marshal())
	f.Add([]byte(Header + "\nlock {\n  version = 1\n}\n"))
	f.Add([]byte(Header + "\npartition \"a\" {\n  offset = \"0x\"\n}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lf, err := Parse(data, "f.lock")
		if err != nil {
			return
		}
		again, err := Parse(lf.Marshal(), "f.lock")
		if err != nil {
			t.Fatalf("a rewritten lock does not parse: %v\n%s", err, lf.Marshal())
		}
		if ch := Compare(lf, again); len(ch) != 0 {
			t.Fatalf("rewrite changed %v", ch)
		}
		if !bytes.Equal(again.Marshal(), lf.Marshal()) {
			t.Fatal("rewriting twice is not stable")
		}
	})
}
