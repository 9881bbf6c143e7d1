package fsimage

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/espcompose/espcompose/format/wl"
)

func webTree() []Entry {
	return []Entry{
		{Path: "index.html", Data: []byte("<html></html>\n")},
		{Path: "js/app.js", Data: []byte("let a = 1\n")},
		{Path: "css/site.css", Data: []byte("body{}\n")},
		{Path: "empty", Dir: true},
	}
}

func TestDeriveID(t *testing.T) {
	s := Defaults(WLFAT, 256<<10)
	s.LongNames = true
	tree := webTree()
	v := DeriveID("volume_id", s, tree)
	if v != DeriveID("volume_id", s, tree) {
		t.Fatal("not deterministic")
	}
	reversed := []Entry{tree[3], tree[2], tree[1], tree[0]}
	if v != DeriveID("volume_id", s, reversed) {
		t.Error("depends on the order entries are listed in")
	}
	if v == DeriveID("device_id", s, tree) {
		t.Error("volume and device id are the same")
	}
	given := uint32(7)
	withID := s
	withID.VolumeID = &given
	if v != DeriveID("volume_id", withID, tree) {
		t.Error("a given id changes the derived one")
	}
	changed := append([]Entry(nil), tree...)
	changed[1] = Entry{Path: "js/app.js", Data: []byte("let a = 2\n")}
	moved := append([]Entry(nil), tree...)
	moved[1] = Entry{Path: "js/main.js", Data: tree[1].Data}
	other := s
	other.RootEntries = 128
	for name, id := range map[string]uint32{
		"content": DeriveID("volume_id", s, changed), "path": DeriveID("volume_id", s, moved), "options": DeriveID("volume_id", other, tree),
	} {
		if id == v {
			t.Errorf("changing the %s keeps the id", name)
		}
	}
}

// TestDerivedIDsUsed: an image built without ids is the image built with the
// derived ids given; the WL device id reads back as derived.
func TestDerivedIDsUsed(t *testing.T) {
	s := Defaults(WLFAT, 256<<10)
	s.LongNames = true
	tree := webTree()
	img, err := Build(s, tree)
	if err != nil {
		t.Fatal(err)
	}
	vol, dev := DeriveID("volume_id", s, tree), DeriveID("device_id", s, tree)
	given := s
	given.VolumeID, given.DeviceID = &vol, &dev
	img2, err := Build(given, tree)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(img, img2) {
		t.Error("derived ids are not the ones used")
	}
	_, o, err := wl.Unwrap(img)
	if err != nil || o.DeviceID != dev {
		t.Errorf("device id %08x, %v; want %08x", o.DeviceID, err, dev)
	}
	other := uint32(1)
	given.VolumeID = &other
	if img3, _ := Build(given, tree); bytes.Equal(img, img3) {
		t.Error("the volume id is not in the image")
	}
}

func TestNormalize(t *testing.T) {
	out, err := Normalize([]Entry{{Path: "a/b/c.txt"}, {Path: "a/d.txt"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range out {
		got = append(got, fmt.Sprintf("%s:%v", e.Path, e.Dir))
	}
	if strings.Join(got, " ") != "a:true a/b:true a/b/c.txt:false a/d.txt:false" {
		t.Errorf("got %v", got)
	}
	for _, bad := range [][]Entry{
		{{Path: "../x"}}, {{Path: "/x"}}, {{Path: "a//b"}}, {{Path: ""}}, {{Path: "a\\b"}}, {{Path: "a/./b"}},
		{{Path: "x"}, {Path: "x"}}, {{Path: "a"}, {Path: "a/b"}},
	} {
		if _, err := Normalize(bad); !errors.Is(err, ErrSpec) {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

func TestCheck(t *testing.T) {
	early := int64(300000000) // 1979
	s := Defaults(FAT, 64<<10)
	s.Timestamp = &early
	if err := s.Check(); !errors.Is(err, ErrSpec) || !strings.Contains(err.Error(), "before 1980-01-01") {
		t.Errorf("got %v", err)
	}
	w := Defaults(WLFAT, 64<<10)
	w.WLMode = "safe"
	if err := w.Check(); err == nil || !strings.Contains(err.Error(), "needs sector_size 512") {
		t.Errorf("got %v", err)
	}
	if err := (Spec{Type: "ext4"}).Check(); !errors.Is(err, ErrSpec) {
		t.Errorf("got %v", err)
	}
}

func TestTimestamp(t *testing.T) {
	s := Defaults(FAT, 64<<10)
	s.LongNames = true
	plain, err := Build(s, webTree())
	if err != nil {
		t.Fatal(err)
	}
	when := int64(1700000000)
	s.Timestamp = &when
	stamped, err := Build(s, webTree())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(plain, stamped) {
		t.Error("the timestamp changes nothing")
	}
}

func TestMinSize(t *testing.T) {
	big := []Entry{{Path: "big.bin", Data: bytes.Repeat([]byte{1}, 200<<10)}}
	for _, typ := range Types {
		s := Defaults(typ, 64<<10)
		if _, err := Build(s, big); !errors.Is(err, ErrNoSpace) {
			t.Fatalf("%s: %v", typ, err)
		}
		need, ok := MinSize(s, big)
		if !ok {
			t.Fatalf("%s: no size found", typ)
		}
		s.Size = need
		if _, err := Build(s, big); err != nil {
			t.Errorf("%s: %d bytes do not fit: %v", typ, need, err)
		}
		s.Size = need - s.Granule()
		if _, err := Build(s, big); err == nil {
			t.Errorf("%s: %d is not the smallest size", typ, need)
		}
	}
	if _, ok := MinSize(Defaults(SPIFFS, 64<<10), []Entry{{Path: strings.Repeat("n", 64)}}); ok {
		t.Error("a name too long is not a matter of size")
	}
}

func TestDetect(t *testing.T) {
	for _, typ := range Types {
		s := Defaults(typ, 128<<10)
		s.LongNames = typ != SPIFFS
		img, err := Build(s, webTree())
		if err != nil {
			t.Fatal(err)
		}
		if got := Detect(img); got != typ {
			t.Errorf("%s detected as %s", typ, got)
		}
	}
}

// TestRandomTrees builds random trees of each type and reads them back.
func TestRandomTrees(t *testing.T) {
	r := rand.New(rand.NewSource(12))
	for i := 0; i < 30; i++ {
		typ := Types[i%3]
		var tree []Entry
		n := 1 + r.Intn(12)
		for f := 0; f < n; f++ {
			p := fmt.Sprintf("f%d.bin", f)
			if r.Intn(2) == 0 {
				p = fmt.Sprintf("d%d/%s", r.Intn(3), p)
			}
			data := make([]byte, r.Intn(9000))
			r.Read(data)
			tree = append(tree, Entry{Path: p, Data: data})
		}
		s := Defaults(typ, 256<<10)
		s.LongNames = typ != SPIFFS
		img, err := Build(s, tree)
		if err != nil {
			t.Fatalf("tree %d (%s): %v", i, typ, err)
		}
		im, err := Decode(img, Detect(img), s.SPIFFSOptions())
		if err != nil {
			t.Fatalf("tree %d (%s): decode: %v", i, typ, err)
		}
		if err := Compare(im, tree); err != nil {
			t.Errorf("tree %d (%s): %v", i, typ, err)
		}
	}
}

func TestCompare(t *testing.T) {
	im := &Image{Type: FAT, Entries: []Entry{{Path: "INDEX.HTM", Data: []byte("a")}, {Path: "X", Data: nil}}}
	if err := Compare(im, []Entry{{Path: "index.htm", Data: []byte("a")}, {Path: "x"}}); err != nil {
		t.Errorf("FAT names differ in case only: %v", err)
	}
	err := Compare(im, []Entry{{Path: "index.htm", Data: []byte("b")}, {Path: "y"}})
	if !errors.Is(err, ErrDiffers) || !strings.Contains(err.Error(), "index.htm differs (1 bytes, want 1); missing y; unexpected X") {
		t.Errorf("got %v", err)
	}
	sp := &Image{Type: SPIFFS, Entries: []Entry{{Path: "A"}}}
	if err := Compare(sp, []Entry{{Path: "a"}}); err == nil {
		t.Error("SPIFFS names are case-sensitive")
	}
}

// TestMtools lists and extracts FAT and wear-levelled FAT images with mtools, an
// independent FAT implementation, where it is installed.
func TestMtools(t *testing.T) {
	if _, err := exec.LookPath("mcopy"); err != nil {
		t.Skip("mtools not installed")
	}
	tree := webTree()
	tree = append(tree, Entry{Path: "data/a-long-file-name.json", Data: bytes.Repeat([]byte("{}\n"), 3000)})
	for _, typ := range []string{FAT, WLFAT} {
		for _, sector := range []int{512, 4096} {
			s := Defaults(typ, 512<<10)
			s.LongNames, s.SectorSize = true, sector
			img, err := Build(s, tree)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			file := filepath.Join(dir, "img.bin")
			if err := os.WriteFile(file, img, 0o644); err != nil {
				t.Fatal(err)
			}
			target := file
			if typ == WLFAT {
				g, err := wl.Plan(s.wlOptions(tree))
				if err != nil {
					t.Fatal(err)
				}
				target = fmt.Sprintf("%s@@%d", file, g.FATOffset)
			}
			out := filepath.Join(dir, "out")
			cmd := exec.Command("mcopy", "-s", "-n", "-i", target, "::/", out+"/")
			cmd.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1")
			_ = os.Mkdir(out, 0o755)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s/%d: mcopy: %v\n%s", typ, sector, err, b)
			}
			for _, e := range tree {
				if e.Dir {
					if fi, err := os.Stat(filepath.Join(out, e.Path)); err != nil || !fi.IsDir() {
						t.Errorf("%s/%d: mtools has no folder %s", typ, sector, e.Path)
					}
					continue
				}
				got, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(e.Path)))
				if err != nil || !bytes.Equal(got, e.Data) {
					t.Errorf("%s/%d: mtools reads %s as %d bytes (%v), want %d", typ, sector, e.Path, len(got), err, len(e.Data))
				}
			}
		}
	}
}
