package merged

import (
	"bytes"
	"testing"
)

// Written sees the raw image grow front to back, each prefix already final, the
// last call the whole image; the output is the same with and without it.
func TestWrittenReportsFinalPrefixes(t *testing.T) {
	parts := []Part{
		{Addr: 0x0, Data: bytes.Repeat([]byte{1}, 5000)},
		{Addr: 0x8000, Data: bytes.Repeat([]byte{2}, 3072)},
		{Addr: 0x10000, Data: bytes.Repeat([]byte{3}, 700<<10)},
	}
	base := Options{Chip: "esp32c3", FlashMode: "keep", FlashFreq: "keep", FlashSize: "keep", FillFlashSize: "4MB"}
	want, err := Merge(base, parts)
	if err != nil {
		t.Fatal(err)
	}
	var seen [][]byte
	opts := base
	opts.Written = func(sofar []byte) { seen = append(seen, bytes.Clone(sofar)) }
	got, err := Merge(opts, parts)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("with Written: %d bytes, %v; want the same image", len(got), err)
	}
	if len(seen) < 4 || !bytes.Equal(seen[len(seen)-1], want) {
		t.Fatalf("%d calls; the last is not the whole image", len(seen))
	}
	prev := 0
	for i, s := range seen {
		if len(s) < prev || len(s)-prev > writtenStep {
			t.Fatalf("call %d: %d bytes after %d (steps of at most %d)", i, len(s), prev, writtenStep)
		}
		if !bytes.Equal(s, want[:len(s)]) {
			t.Fatalf("call %d: the first %d bytes are not final", i, len(s))
		}
		prev = len(s)
	}
}
