package merged

import (
	"bytes"
	"testing"

	"github.com/espcompose/espcompose/format/ihex"
)

// FuzzPrepareInput reads merge inputs as esptool does: Intel HEX is flattened,
// anything else passes through. Invariants: no panic; input not starting with ':'
// comes back unchanged; a flattened HEX input never exceeds MaxHexSpan, and every
// data byte of the HEX file at or above addr sits at its offset in the result.
func FuzzPrepareInput(f *testing.F) {
	hex1, err := ihex.Encode(&ihex.File{Segments: []ihex.Segment{{Addr: 0x1000, Data: []byte("bootloader")}, {Addr: 0x1100, Data: bytes.Repeat([]byte{7}, 40)}}})
	if err != nil {
		f.Fatal(err)
	}
	hex2, err := ihex.Encode(&ihex.File{Segments: []ihex.Segment{{Addr: 0x10000, Data: []byte{1, 2, 3}}, {Addr: 0x3F0000, Data: []byte{4}}}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint32(0x1000), hex1)
	f.Add(uint32(0x10000), hex2)
	f.Add(uint32(0), []byte{0xE9, 3, 2, 0x20})
	f.Add(uint32(0), []byte(":not hex at all\n"))
	f.Add(uint32(0x8000), []byte(":02000004FFFFFC\n:0100000001FE\n:00000001FF\n"))
	f.Fuzz(func(t *testing.T, addr uint32, data []byte) {
		out, err := PrepareInput(addr, data)
		if err != nil {
			return
		}
		if len(data) == 0 || data[0] != ':' {
			if !bytes.Equal(out, data) {
				t.Fatal("a binary input was changed")
			}
			return
		}
		if bytes.Equal(out, data) {
			return // not HEX after all: used as is, as esptool does
		}
		if len(out) > MaxHexSpan {
			t.Fatalf("flattened to %d bytes", len(out))
		}
		hf, err := ihex.Decode(data)
		if err != nil {
			t.Fatalf("flattened input that does not decode: %v", err)
		}
		for _, s := range hf.Segments {
			for i, b := range s.Data {
				a := uint64(s.Addr) + uint64(i)
				if a < uint64(addr) {
					continue
				}
				if off := a - uint64(addr); off < uint64(len(out)) && out[off] != b {
					t.Fatalf("byte at %#x is %#x in the output, %#x in the HEX file", a, out[off], b)
				}
			}
		}
	})
}
