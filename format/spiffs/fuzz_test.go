package spiffs

import (
	"math/rand"
	"testing"
)

// fuzzOptions are the geometries FuzzDecode reads an image with; the fuzzer
// picks one with its first input.
var fuzzOptions = []Options{
	DefaultOptions(0),
	{PageSize: 128, BlockSize: 1024, ObjNameLen: 16, MetaLen: 0, AlignedObjIxTables: true},
	{PageSize: 64, BlockSize: 1024, ObjNameLen: 8, MetaLen: 2, BigEndian: true},
	{PageSize: 256, BlockSize: 512, ObjNameLen: 32, MetaLen: 4},
}

// FuzzDecode: Decode never panics or hangs, whatever the bytes, and never
// returns more file data than the image holds.
func FuzzDecode(f *testing.F) {
	rng := rand.New(rand.NewSource(5))
	for sel, o := range fuzzOptions {
		o.Size = o.BlockSize * 4
		files := randomTree(rng, 6, o.ObjNameLen, o.PageSize)
		for len(files) > 0 {
			img, err := Build(files, o)
			if err == nil {
				f.Add(uint8(sel), img)
				break
			}
			files = files[1:]
		}
		empty, _ := Build(nil, o)
		f.Add(uint8(sel), empty)
	}
	f.Fuzz(func(t *testing.T, sel uint8, img []byte) {
		o := fuzzOptions[int(sel)%len(fuzzOptions)]
		files, err := Decode(img, o)
		if err != nil {
			return
		}
		total := 0
		for _, file := range files {
			total += len(file.Data)
		}
		if total > len(img) {
			t.Fatalf("decoded %d bytes of files from a %d-byte image", total, len(img))
		}
	})
}
