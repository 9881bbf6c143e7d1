package uf2

import (
	"bytes"
	"reflect"
	"testing"
)

// FuzzDecode reads arbitrary UF2 input. Invariants: no panic; every block that
// Decode accepts has a payload that fits its data area; files regrouped by Files
// re-encode (with the input's family and each file's chunk size) to blocks that
// decode to the same files; an accepted input is a whole number of blocks.
func FuzzDecode(f *testing.F) {
	for _, opts := range []Options{{FamilyID: familyC3}, {FamilyID: familyC3, DisableMD5: true}, {FamilyID: familyC3, ChunkSize: 256}} {
		b, err := Encode(opts, File{0x1000, bytes.Repeat([]byte{1, 2, 3}, 300)}, File{0x10000, []byte("app")})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:BlockSize])
	}
	f.Add(make([]byte, BlockSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		blocks, err := Decode(b)
		if err != nil {
			return
		}
		if len(b)%BlockSize != 0 || len(blocks) != len(b)/BlockSize {
			t.Fatalf("%d bytes decoded to %d blocks", len(b), len(blocks))
		}
		for i, bl := range blocks {
			if len(bl.Data) > dataArea || bl.BlockNo >= bl.NumBlocks {
				t.Fatalf("block %d: %d bytes, number %d of %d", i, len(bl.Data), bl.BlockNo, bl.NumBlocks)
			}
		}
		files, err := Files(blocks)
		if err != nil || len(files) == 0 {
			return
		}
		opts := Options{FamilyID: blocks[0].FamilyID, DisableMD5: blocks[0].Flags&FlagMD5Present == 0}
		var want []File
		for _, fl := range files {
			if len(fl.Data) > 0 && uint64(fl.Addr)+uint64(len(fl.Data)) <= 1<<32 {
				want = append(want, fl)
			}
		}
		out, err := Encode(opts, want...)
		if err != nil {
			return // e.g. a family id Encode does not write
		}
		again, err := Decode(out)
		if err != nil {
			t.Fatalf("own output does not decode: %v", err)
		}
		back, err := Files(again)
		if err != nil {
			t.Fatalf("own output does not regroup: %v", err)
		}
		if !reflect.DeepEqual(back, want) {
			t.Fatalf("round trip: %d files, want %d", len(back), len(want))
		}
	})
}
