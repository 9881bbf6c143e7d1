package uf2

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

const familyC3 = 0xD42BA06C

// testdata/*.uf2 were written by esptool 4.8.1's UF2Writer from a.bin at 0x0 and
// b.bin at 0x10000.
func TestGoldenEsptool(t *testing.T) {
	a, _ := os.ReadFile("testdata/a.bin")
	b, _ := os.ReadFile("testdata/b.bin")
	files := []File{{0, a}, {0x10000, b}}
	cases := map[string]Options{
		"default":        {FamilyID: familyC3},
		"nomd5":          {FamilyID: familyC3, DisableMD5: true},
		"chunk256":       {FamilyID: familyC3, ChunkSize: 256},
		"chunk256_nomd5": {FamilyID: familyC3, ChunkSize: 256, DisableMD5: true},
	}
	for name, opts := range cases {
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", name+".uf2"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Encode(opts, files...)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatal("encode differs from esptool")
			}
			blocks, err := Decode(want)
			if err != nil {
				t.Fatal(err)
			}
			for _, bl := range blocks {
				if bl.FamilyID != familyC3 || bl.Flags&FlagFamilyIDPresent == 0 {
					t.Errorf("block %+v lacks family id", bl)
				}
			}
			back, err := Files(blocks)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, files) {
				t.Error("Files did not give the inputs back")
			}
		})
	}
}

func TestChunkSizeChecks(t *testing.T) {
	for _, o := range []Options{{ChunkSize: 454}, {ChunkSize: 2}, {ChunkSize: -4}, {ChunkSize: 480, DisableMD5: true}} {
		if _, err := Encode(o, File{0, []byte{1}}); !errors.Is(err, ErrChunkSize) {
			t.Errorf("%+v: got %v", o, err)
		}
	}
	if _, err := Encode(Options{ChunkSize: 476, DisableMD5: true}, File{0, []byte{1}}); err != nil {
		t.Error(err)
	}
}

func TestDecodeErrors(t *testing.T) {
	good, _ := Encode(Options{FamilyID: 1}, File{0x1000, []byte("payload")})
	mutate := func(off int, v byte) []byte {
		b := append([]byte{}, good...)
		b[off] ^= v
		return b
	}
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"short", good[:511], ErrBadBlock},
		{"magic", mutate(0, 1), ErrBadBlock},
		{"end magic", mutate(511, 1), ErrBadBlock},
		{"size", mutate(17, 2), ErrBadBlock},
		{"payload vs md5", mutate(32, 1), ErrMD5},
		{"block number", mutate(20, 5), ErrBadBlock},
	}
	for _, c := range cases {
		if _, err := Decode(c.in); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}

func FuzzRoundTrip(f *testing.F) {
	f.Add(uint32(0), []byte("abc"), uint32(0x10000), bytes.Repeat([]byte{1}, 1000), 0, false)
	f.Add(uint32(0x2000), []byte{}, uint32(0), []byte{9}, 256, true)
	f.Fuzz(func(t *testing.T, a1 uint32, d1 []byte, a2 uint32, d2 []byte, chunk int, nomd5 bool) {
		opts := Options{FamilyID: familyC3, ChunkSize: chunk, DisableMD5: nomd5}
		files := []File{{a1, d1}, {a2, d2}}
		out, err := Encode(opts, files...)
		if err != nil {
			return
		}
		blocks, err := Decode(out)
		if err != nil {
			t.Fatalf("decode own output: %v", err)
		}
		back, err := Files(blocks)
		if err != nil {
			t.Fatal(err)
		}
		var want []File
		for _, f := range files {
			if len(f.Data) > 0 { // an empty file has no blocks
				want = append(want, f)
			}
		}
		if !reflect.DeepEqual(back, want) {
			t.Fatalf("round trip: got %d files want %d", len(back), len(want))
		}
	})
}

func BenchmarkEncode4MiB(b *testing.B) {
	data := bytes.Repeat([]byte{1, 2, 3, 4}, 1<<20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Encode(Options{FamilyID: familyC3}, File{0, data}); err != nil {
			b.Fatal(err)
		}
	}
}
