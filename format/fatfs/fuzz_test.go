package fatfs

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"
)

// seedImages are real images: small trees built with either name mode and
// both sector sizes, one with a directory over several clusters.
func seedImages(t testing.TB) [][]byte {
	// Small images (the fuzzer minimises large inputs slowly): 512-byte
	// sectors and a one-sector root directory.
	var out [][]byte
	r := rand.New(rand.NewPCG(5, 6))
	for i, o := range []Options{
		{Size: 12 << 10, SectorSize: 512, RootEntries: 16, LongNames: true},
		{Size: 12 << 10, SectorSize: 512, RootEntries: 16},
		{Size: 8 << 10, SectorSize: 512, RootEntries: 16, FATCount: 1},
	} {
		var img []byte
		var err error
		for try := 0; try < 100; try++ {
			if img, err = Build(randTree(r, o.LongNames, 600), o); err == nil {
				break
			}
		}
		if err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
		out = append(out, img)
	}
	// A directory over several clusters, a root chained through FAT[1].
	var many []Entry
	for i := 0; i < 8; i++ {
		many = append(many, Entry{Path: "d/file number " + string(rune('a'+i)) + ".txt", Data: []byte{byte(i)}})
	}
	for i := 0; i < 20; i++ {
		many = append(many, Entry{Path: "R" + string(rune('A'+i)), Dir: i%2 == 0})
	}
	img, err := Build(many, Options{Size: 24 << 10, SectorSize: 512, RootEntries: 16, LongNames: true})
	if err != nil {
		t.Fatal(err)
	}
	return append(out, img)
}

func FuzzDecode(f *testing.F) {
	for _, img := range seedImages(f) {
		f.Add(img)
	}
	f.Fuzz(func(t *testing.T, img []byte) {
		entries, err := Decode(img)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		total := 0
		for _, e := range entries {
			total += len(e.Data)
		}
		// Each cluster belongs to one file at most, so the files cannot
		// hold more than the image.
		if total > len(img) {
			t.Fatalf("%d bytes of files out of a %d-byte image", total, len(img))
		}
	})
}

// setFAT12 writes a FAT12 entry in every FAT of a Build image (512-byte
// sectors, one reserved sector).
func setFAT12(img []byte, id int, v uint16) {
	spf := int(binary.LittleEndian.Uint16(img[22:]))
	bps := int(binary.LittleEndian.Uint16(img[11:]))
	for f := 0; f < int(img[16]); f++ {
		t := img[bps+f*spf*bps:]
		o := id * 3 / 2
		if id%2 == 0 {
			t[o] = byte(v)
			t[o+1] = t[o+1]&0xF0 | byte(v>>8)&0x0F
		} else {
			t[o] = t[o]&0x0F | byte(v<<4)
			t[o+1] = byte(v >> 4)
		}
	}
}

func TestDecodeRefusesLoops(t *testing.T) {
	opts := Options{Size: 64 << 10, SectorSize: 512}
	base, err := Build([]Entry{{Path: "BIG.BIN", Data: make([]byte, 2000)}, {Path: "SUB/X.TXT", Data: []byte("x")}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(base); err != nil {
		t.Fatalf("the unmodified image: %v", err)
	}
	// BIG.BIN holds clusters 2..5, SUB is 6, X.TXT is 7.
	cases := map[string]func(img []byte){
		"file chain loops":        func(img []byte) { setFAT12(img, 5, 2) },
		"file chain cross-links":  func(img []byte) { setFAT12(img, 5, 6) },
		"directory chain loops":   func(img []byte) { setFAT12(img, 6, 6) },
		"free cluster in a chain": func(img []byte) { setFAT12(img, 3, 0) },
		"subdirectory is its own parent": func(img []byte) {
			// Point X.TXT's slot at SUB's own cluster as a directory.
			dir := 512 + 2*int(binary.LittleEndian.Uint16(img[22:]))*512 + 512*32 + 4*512
			e := img[dir+2*32:]
			e[11] = attrDir
			binary.LittleEndian.PutUint16(e[26:], 6)
		},
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			img := append([]byte{}, base...)
			mutate(img)
			if _, err := Decode(img); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Decode: %v, want ErrCorrupt", err)
			}
		})
	}
}
