package textpos

import "testing"

func TestInvalidUTF8(t *testing.T) {
	for _, c := range []struct {
		in      string
		at      Pos
		nonUTF8 bool
	}{
		{"a,b\nc,d\n", Pos{}, false},
		{"caf\xc3\xa9\n\xe9t\xe9\n", Pos{Line: 2, Column: 1, Byte: 6}, true},
		{"\xff", Pos{Line: 1, Column: 1, Byte: 0}, true},
		{"k,v\nk2,\xe2\x82\n", Pos{Line: 2, Column: 4, Byte: 7}, true}, // a sequence cut short
		{"\xed\xa0\x80", Pos{Line: 1, Column: 1, Byte: 0}, true},       // a surrogate half is not UTF-8
		{"é = \xff", Pos{Line: 1, Column: 5, Byte: 5}, true},           // columns count characters
	} {
		at, ok := InvalidUTF8([]byte(c.in))
		if ok != c.nonUTF8 || at != c.at {
			t.Errorf("%q: %+v, %v; want %+v, %v", c.in, at, ok, c.at, c.nonUTF8)
		}
	}
}
