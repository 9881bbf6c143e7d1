package textpos

import "testing"

func TestInvalidUTF8(t *testing.T) {
	for _, c := range []struct {
		in      string
		line    int
		off     int
		nonUTF8 bool
	}{
		{"a,b\nc,d\n", 0, 0, false},
		{"caf\xc3\xa9\n\xe9t\xe9\n", 2, 6, true},
		{"\xff", 1, 0, true},
		{"k,v\nk2,\xe2\x82\n", 2, 7, true}, // a sequence cut short
		{"\xed\xa0\x80", 1, 0, true},       // a surrogate half is not UTF-8
	} {
		line, off, ok := InvalidUTF8([]byte(c.in))
		if ok != c.nonUTF8 || line != c.line || off != c.off {
			t.Errorf("%q: line %d, offset %d, %v; want %d, %d, %v", c.in, line, off, ok, c.line, c.off, c.nonUTF8)
		}
	}
}
