package fatfs

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNoSpaceSaysHowMuch(t *testing.T) {
	// 64 KiB of 4096-byte sectors: boot, 2 FATs and 4 root sectors leave 9
	// data sectors; 40000 bytes need 10.
	_, err := Build([]Entry{{Path: "BIG.BIN", Data: make([]byte, 40000)}}, Options{Size: 64 << 10})
	var ns *NoSpaceError
	if !errors.As(err, &ns) || !errors.Is(err, ErrNoSpace) {
		t.Fatalf("error %v, want a NoSpaceError", err)
	}
	if ns.MoreSectors != 1 || ns.Path != "BIG.BIN" || !strings.Contains(err.Error(), "1 more 4096-byte sectors (4096 bytes)") {
		t.Fatalf("error %q (%+v): want 1 more sector at BIG.BIN", err, ns)
	}
	// Counting goes on to the end of the tree.
	_, err = Build([]Entry{{Path: "A.BIN", Data: make([]byte, 40000)}, {Path: "B.BIN", Data: make([]byte, 8192)}}, Options{Size: 64 << 10})
	if !errors.As(err, &ns) || ns.MoreSectors != 3 || ns.AtLeast {
		t.Fatalf("error %v: want 3 more sectors", err)
	}
}

func TestBuildErrors(t *testing.T) {
	file := func(p string) []Entry { return []Entry{{Path: p, Data: []byte("x")}} }
	cases := []struct {
		name    string
		entries []Entry
		opts    Options
		want    error
		text    string
	}{
		{"long name without LFN", file("LongFileName.txt"), Options{Size: 128 << 10}, ErrNameTooLong, "8 characters and 3 characters for extension"},
		{"long extension without LFN", file("A.HTML"), Options{Size: 128 << 10}, ErrNameTooLong, ""},
		{"long directory without LFN", file("ABCDEFGHI/X"), Options{Size: 128 << 10}, ErrNameTooLong, ""},
		{"FAT16 too small", file("A"), Options{Size: 1 << 20, FATType: 16}, ErrFATType, "the actual FATFS type: FAT12"},
		{"FAT12 too large", file("A"), Options{Size: 0x208000, SectorSize: 512, FATType: 12}, ErrFATType, "FAT16"},
		{"FAT32 size", file("A"), Options{Size: 64 << 20, SectorSize: 512}, ErrInvalid, "FAT32"},
		{"sector size", file("A"), Options{Size: 1 << 20, SectorSize: 3000}, ErrInvalid, "sector size"},
		{"root entries odd sectors", file("A"), Options{Size: 1 << 20, RootEntries: 384}, ErrInvalid, "even number"},
		{"root entries partial sector", file("A"), Options{Size: 1 << 20, RootEntries: 100}, ErrInvalid, "whole number"},
		{"too small for metadata", file("A"), Options{Size: 16 << 10}, ErrNoSpace, "do not hold"},
		{"same FAT name", []Entry{{Path: "a.txt"}, {Path: "A.TXT"}}, Options{Size: 1 << 20, LongNames: true}, ErrInvalid, "same FAT name"},
		{"file and directory", []Entry{{Path: "a", Dir: true}, {Path: "a"}}, Options{Size: 1 << 20}, ErrInvalid, "both"},
		{"absolute path", file("/etc/x"), Options{Size: 1 << 20}, ErrInvalid, "relative"},
		{"dot-dot", file("a/../b"), Options{Size: 1 << 20}, ErrInvalid, "bad component"},
		{"non-ASCII short name", file("É.TXT"), Options{Size: 1 << 20}, ErrInvalid, "ASCII"},
		{"trailing-dot folder", file("dir./x"), Options{Size: 1 << 20, LongNames: true}, ErrInvalid, "ends with a dot"},
		{"timestamp before 1980", file("A"), Options{Size: 1 << 20, Timestamp: ptrTime(time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC))}, ErrInvalid, "1980"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img, err := Build(c.entries, c.opts)
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.text) {
				t.Fatalf("error %v, want %v containing %q", err, c.want, c.text)
			}
			if img != nil {
				t.Fatal("an image came with the error")
			}
		})
	}
}

// TestSamePrefixLimit: the 128th long name sharing its first six characters
// in one directory is refused as fatfsgen refuses it.
func TestSamePrefixLimit(t *testing.T) {
	var es []Entry
	for i := 0; i < 128; i++ {
		es = append(es, Entry{Path: "samepfx" + strings.Repeat("x", i%5) + itoaHex(i) + "_long.txt"})
	}
	_, err := Build(es, Options{Size: 1 << 20, LongNames: true})
	if !errors.Is(err, ErrNoSpace) || !strings.Contains(err.Error(), "same prefix is 127") {
		t.Fatalf("error %v", err)
	}
	if _, err := Build(es[:127], Options{Size: 1 << 20, LongNames: true}); err != nil {
		t.Fatal(err)
	}
}

func ptrTime(t time.Time) *time.Time { return &t }

// TestTimestamp: a given time goes on file and directory entries (not "."
// and ".."), and the default is the FAT epoch.
func TestTimestamp(t *testing.T) {
	ts := time.Date(2024, 5, 17, 13, 45, 31, 0, time.UTC)
	es := []Entry{{Path: "D/F.TXT", Data: []byte("hi")}}
	img, err := Build(es, Options{Size: 128 << 10, Timestamp: &ts})
	if err != nil {
		t.Fatal(err)
	}
	root := 4096 * 3 // boot + 2 FATs of one sector
	date := []byte{byte(uint16(44<<9|5<<5|17) & 0xFF), byte(uint16(44<<9|5<<5|17) >> 8)}
	tm := uint16(13<<11 | 45<<5 | 15)
	e := img[root : root+32]
	if !bytes.Equal(e[24:26], date) || e[22] != byte(tm) || e[23] != byte(tm>>8) || !bytes.Equal(e[16:18], date) {
		t.Fatalf("D's entry % x", e)
	}
	epoch, err := Build(es, Options{Size: 128 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if e := epoch[root : root+32]; e[24] != 0x21 || e[25] != 0 || e[22] != 0 || e[23] != 0 {
		t.Fatalf("default entry % x, want the 1980-01-01 epoch", e)
	}
}

func TestDeterministic(t *testing.T) {
	es := randTree(newRand(), true, 5000)
	a, err := Build(es, Options{Size: 1 << 20, LongNames: true, VolumeID: 7})
	if err != nil {
		t.Fatal(err)
	}
	// Entry order must not matter: Build sorts as fatfsgen does.
	rev := make([]Entry, len(es))
	for i, e := range es {
		rev[len(es)-1-i] = e
	}
	b, err := Build(rev, Options{Size: 1 << 20, LongNames: true, VolumeID: 7})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("the same tree in another order gave another image")
	}
}
