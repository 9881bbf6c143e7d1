package spiffs

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestGolden compares Build with images spiffsgen.py (ESP-IDF 1021229) made
// from testdata/golden/*/input, covering what the shared vectors do not:
// aligned index tables, big-endian, a name/meta length needing padding,
// multi-byte names, 128-byte pages. They run without ../shared.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/golden/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, "options.json"))
			if err != nil {
				t.Fatal(err)
			}
			var p struct {
				ImageSize   int  `json:"image_size"`
				PageSize    int  `json:"page_size"`
				BlockSize   int  `json:"block_size"`
				ObjNameLen  int  `json:"obj_name_len"`
				MetaLen     int  `json:"meta_len"`
				UseMagic    bool `json:"use_magic"`
				UseMagicLen bool `json:"use_magic_len"`
				Aligned     bool `json:"aligned_obj_ix_tables"`
				BigEndian   bool `json:"big_endian"`
			}
			if err := json.Unmarshal(raw, &p); err != nil {
				t.Fatal(err)
			}
			opts := Options{Size: p.ImageSize, PageSize: p.PageSize, BlockSize: p.BlockSize, ObjNameLen: p.ObjNameLen,
				MetaLen: p.MetaLen, UseMagic: p.UseMagic, UseMagicLen: p.UseMagicLen, AlignedObjIxTables: p.Aligned, BigEndian: p.BigEndian}
			files := readTree(t, filepath.Join(dir, "input"))
			gz, err := os.ReadFile(filepath.Join(dir, "expected.bin.gz"))
			if err != nil {
				t.Fatal(err)
			}
			want := gunzip(t, gz)
			img, err := Build(files, opts)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			if !bytes.Equal(img, want) {
				t.Fatalf("image differs from spiffsgen's (first difference at 0x%X)", firstDiff(img, want))
			}
			got, err := Decode(want, opts)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			ordered, _ := walkOrder(files)
			assertFiles(t, got, ordered)
		})
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// assertFiles checks that got lists exactly want, in order, with the same data.
func assertFiles(t *testing.T, got, want []File) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("decoded %d files, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Path != want[i].Path || !bytes.Equal(got[i].Data, want[i].Data) {
			t.Fatalf("file %d: got %q (%d bytes), want %q (%d bytes)", i, got[i].Path, len(got[i].Data), want[i].Path, len(want[i].Data))
		}
	}
}
