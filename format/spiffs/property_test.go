package spiffs

import (
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// randomTree makes a tree of up to maxFiles files in nested folders, with names
// from a mixed alphabet (multi-byte letters too) no longer than nameLen-1
// characters including the leading "/", and sizes around page boundaries.
func randomTree(rng *rand.Rand, maxFiles, nameLen, pageSize int) []File {
	letters := []rune("abcxyzABCXYZ019_-.~éß日")
	word := func(n int) string {
		var b strings.Builder
		for range 1 + rng.Intn(n) {
			b.WriteRune(letters[rng.Intn(len(letters))])
		}
		if s := b.String(); s != "." && s != ".." {
			return s
		}
		return "d"
	}
	dirs := []string{""}
	for range rng.Intn(5) {
		dirs = append(dirs, dirs[rng.Intn(len(dirs))]+word(4)+"/")
	}
	seen := map[string]bool{}
	var files []File
	for range rng.Intn(maxFiles + 1) {
		p := dirs[rng.Intn(len(dirs))] + word(8)
		if seen[p] || len([]rune(p))+1 > nameLen-1 || isDirPrefix(dirs, p) {
			continue
		}
		seen[p] = true
		content := pageSize - dataHdrLen
		var n int
		switch rng.Intn(5) {
		case 0:
			n = 0
		case 1:
			n = content*(1+rng.Intn(3)) + rng.Intn(3) - 1
		case 2:
			n = rng.Intn(20000)
		default:
			n = rng.Intn(600)
		}
		data := make([]byte, max(n, 0))
		rng.Read(data)
		files = append(files, File{Path: p, Data: data})
	}
	return files
}

func isDirPrefix(dirs []string, p string) bool {
	for _, d := range dirs {
		if strings.HasPrefix(d, p+"/") {
			return true
		}
	}
	return false
}

// TestRoundTrip: Decode(Build(x)) gives back x, in spiffsgen's walk order, for
// random trees under random options.
func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(20260412))
	built := 0
	for i := range 300 {
		o := DefaultOptions(0)
		o.PageSize = []int{128, 256, 256, 512, 1024}[rng.Intn(5)]
		o.BlockSize = o.PageSize * []int{8, 16, 32, 64}[rng.Intn(4)]
		o.ObjNameLen = []int{16, 32, 48, 64}[rng.Intn(4)]
		o.MetaLen = rng.Intn(9)
		o.UseMagic, o.UseMagicLen = rng.Intn(2) == 0, rng.Intn(2) == 0
		o.AlignedObjIxTables, o.BigEndian = rng.Intn(2) == 0, rng.Intn(4) == 0
		files := randomTree(rng, 25, o.ObjNameLen, o.PageSize)
		total := 0
		for _, f := range files {
			total += len(f.Data)
		}
		// Room for the data, one index page per ~100 data pages and per file,
		// and the lookup pages, rounded up to whole blocks with one to spare.
		o.Size = ((total*2+len(files)*o.PageSize*2)/o.BlockSize + 2) * o.BlockSize
		img, err := Build(files, o)
		if errors.Is(err, ErrInvalid) && strings.Contains(err.Error(), "multi-byte") {
			continue // spiffsgen cannot build it either
		}
		if err != nil {
			t.Fatalf("case %d (%+v, %d files): Build: %v", i, o, len(files), err)
		}
		built++
		got, err := Decode(img, o)
		if err != nil {
			t.Fatalf("case %d (%+v): Decode: %v", i, o, err)
		}
		want, err := walkOrder(files)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(fmt.Sprint(i), func(t *testing.T) { assertFiles(t, got, want) })
	}
	if built < 250 {
		t.Fatalf("only %d of 300 random trees were built", built)
	}
}
