package ihex

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// readSegments parses testdata/*.txt: one "hexaddr hexdata" pair per line.
func readSegments(t *testing.T, path string) []Segment {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var segs []Segment
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) != 2 {
			continue
		}
		a, err := strconv.ParseUint(f[0], 16, 32)
		if err != nil {
			t.Fatal(err)
		}
		d, err := hex.DecodeString(f[1])
		if err != nil {
			t.Fatal(err)
		}
		segs = append(segs, Segment{uint32(a), d})
	}
	return segs
}

// The .hex files were written by python intelhex 2.3 (write_hex_file), the
// library esptool merge_bin --format hex uses.
func TestGoldenIntelhex(t *testing.T) {
	starts := map[string]*StartAddress{
		"start_linear":  {Linear: true, EIP: 0x40080000},
		"start_segment": {CS: 0x1234, IP: 0x5678},
	}
	files, _ := filepath.Glob("testdata/*.hex")
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, hf := range files {
		name := strings.TrimSuffix(filepath.Base(hf), ".hex")
		t.Run(name, func(t *testing.T) {
			want, _ := os.ReadFile(hf)
			segs := readSegments(t, strings.TrimSuffix(hf, ".hex")+".txt")
			got, err := Encode(&File{Segments: segs, Start: starts[name]})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("encode mismatch\n--- got\n%s--- want\n%s", got, want)
			}
			f, err := Decode(want)
			if err != nil {
				t.Fatal(err)
			}
			norm, _ := Normalize(segs)
			if !reflect.DeepEqual(f.Segments, norm) || !reflect.DeepEqual(f.Start, starts[name]) {
				t.Errorf("decode mismatch: %v %+v", f.Segments, f.Start)
			}
		})
	}
}

func TestDecodeLenient(t *testing.T) {
	// Records out of order, lower case, CRLF and lone CR line ends, an extended
	// segment address record, blank lines, and junk after the EOF record.
	in := ":020000021000EC\r\n\r\n:020010001122BB\r:02000000AABB99\n:00000001ff\nnot hex at all\n"
	f, err := Decode([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Segment{{0x10000, []byte{0xAA, 0xBB}}, {0x10010, []byte{0x11, 0x22}}}
	if !reflect.DeepEqual(f.Segments, want) {
		t.Fatalf("got %v", f.Segments)
	}
	// No EOF record is accepted, like intelhex.
	if _, err := Decode([]byte(":02000000AABB99")); err != nil {
		t.Fatal(err)
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		in   string
		want error
	}{
		{"02000000AABB99\n", ErrSyntax},                           // no colon
		{":02000000AABB98\n", ErrSyntax},                          // checksum
		{":03000000AABB99\n", ErrSyntax},                          // length
		{":02000006AABB93\n", ErrSyntax},                          // record type
		{":02000000AABB9\n", ErrSyntax},                           // odd digits
		{":02000000AABB99 \n", ErrSyntax},                         // trailing space
		{":0100000100FE\n", ErrSyntax},                            // EOF record with data
		{":0400000540080000AF\n:0400000540080000AF\n", ErrSyntax}, // two start records
		{":02000000AABB99\n:01000100CC32\n", ErrOverlap},
		{":02000004FFFFFC\n:10FFF8000102030405060708090A0B0C0D0E0F1071\n", ErrRange},
	}
	for _, c := range cases {
		_, err := Decode([]byte(c.in))
		if !errors.Is(err, c.want) {
			t.Errorf("%q: got %v, want %v", c.in, err, c.want)
		}
	}
	var le *LineError
	if _, err := Decode([]byte(":02000000AABB99\n:02000000AABB98\n")); !errors.As(err, &le) || le.Line != 2 {
		t.Errorf("want line 2 error, got %v", err)
	}
}

func TestEncodeOverlap(t *testing.T) {
	_, err := EncodeSegments(Segment{0, []byte{1, 2}}, Segment{1, []byte{3}})
	if !errors.Is(err, ErrOverlap) {
		t.Fatalf("got %v", err)
	}
}

func TestBinary(t *testing.T) {
	f := &File{Segments: []Segment{{0x1000, []byte{1, 2}}, {0x1004, []byte{3}}}}
	cases := []struct {
		start uint32
		want  []byte
	}{
		{0x1000, []byte{1, 2, 0xFF, 0xFF, 3}},
		{0x0FFE, []byte{0xFF, 0xFF, 1, 2, 0xFF, 0xFF, 3}},
		{0x1001, []byte{2, 0xFF, 0xFF, 3}},
		// intelhex swaps start and end when start is past the data.
		{0x1006, []byte{3, 0xFF, 0xFF}},
	}
	for _, c := range cases {
		if got := f.Binary(c.start); !bytes.Equal(got, c.want) {
			t.Errorf("Binary(0x%x) = %x, want %x", c.start, got, c.want)
		}
	}
	if got := (&File{}).Binary(0); len(got) != 0 {
		t.Errorf("empty file gave %x", got)
	}
}

func FuzzRoundTrip(f *testing.F) {
	f.Add(uint32(0), []byte{1, 2, 3}, uint32(0x10), []byte{4})
	f.Add(uint32(0xFFF8), bytes.Repeat([]byte{0xAB}, 40), uint32(0x3C0000), []byte("hello"))
	f.Add(uint32(0xFFFFFF00), bytes.Repeat([]byte{7}, 256), uint32(5), []byte{})
	f.Fuzz(func(t *testing.T, a1 uint32, d1 []byte, a2 uint32, d2 []byte) {
		segs := []Segment{{a1, d1}, {a2, d2}}
		norm, err := Normalize(segs)
		out, encErr := EncodeSegments(segs...)
		if (err == nil) != (encErr == nil) {
			t.Fatalf("Normalize err %v, Encode err %v", err, encErr)
		}
		if err != nil {
			return
		}
		dec, err := Decode(out)
		if err != nil {
			t.Fatalf("decode own output: %v\n%s", err, out)
		}
		if len(norm) == 0 {
			norm = nil
		}
		if !reflect.DeepEqual(dec.Segments, norm) {
			t.Fatalf("round trip: got %v want %v", dec.Segments, norm)
		}
	})
}

func BenchmarkEncode4MiB(b *testing.B) {
	data := bytes.Repeat([]byte{0x5A, 0xA5, 0x00, 0xFF}, 1<<20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := EncodeSegments(Segment{0x1000, data}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode4MiB(b *testing.B) {
	data := bytes.Repeat([]byte{0x5A, 0xA5, 0x00, 0xFF}, 1<<20)
	h, _ := EncodeSegments(Segment{0x1000, data})
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Decode(h); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzDecode feeds arbitrary text: nothing may panic, and what decodes must
// encode and decode back to the same data.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(":020000021000EC\r\n:020010001122BB\n:00000001FF\n"))
	f.Add([]byte(":0400000540080000AF\n:00000001FF\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Decode(b)
		if err != nil {
			return
		}
		out, err := Encode(file)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		again, err := Decode(out)
		if err != nil || !reflect.DeepEqual(again.Segments, file.Segments) || !reflect.DeepEqual(again.Start, file.Start) {
			t.Fatalf("round trip changed the data: %v", err)
		}
		if lo, ok := file.MinAddr(); ok && file.BinaryLen(lo) < 1<<20 {
			if bin := file.Binary(lo); uint64(len(bin)) != file.BinaryLen(lo) {
				t.Fatalf("Binary gave %d bytes, BinaryLen %d", len(bin), file.BinaryLen(lo))
			}
		}
	})
}
