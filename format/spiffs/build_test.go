package spiffs

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func paths(files []File) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Path)
	}
	return out
}

func TestWalkOrder(t *testing.T) {
	in := []File{{Path: "www/js/app.js"}, {Path: "zz/empty"}, {Path: "a/b/c/d/e.txt"}, {Path: "www/index.html"},
		{Path: "root.txt"}, {Path: "a/z.txt"}, {Path: "www/css/site.css"}, {Path: "é"}, {Path: "_u"}, {Path: "B"}, {Path: "a.txt"}}
	got, err := walkOrder(in)
	if err != nil {
		t.Fatal(err)
	}
	// Per folder: files by code point ("B" < "_u" < "a.txt" < "root.txt" < "é"),
	// then subfolders by name, depth first.
	want := "B _u a.txt root.txt é a/z.txt a/b/c/d/e.txt www/index.html www/css/site.css www/js/app.js zz/empty"
	if g := strings.Join(paths(got), " "); g != want {
		t.Fatalf("order\n got %s\nwant %s", g, want)
	}
}

func TestBadPaths(t *testing.T) {
	for _, files := range [][]File{
		{{Path: ""}}, {{Path: "/abs"}}, {{Path: "a//b"}}, {{Path: "a/../b"}}, {{Path: "./a"}}, {{Path: "a/"}},
		{{Path: "a\x00b"}}, {{Path: "bad\xffutf8"}},
		{{Path: "x"}, {Path: "x"}},
		{{Path: "x"}, {Path: "x/y"}}, {{Path: "x/y"}, {Path: "x"}},
	} {
		if _, err := Build(files, DefaultOptions(0x10000)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%q: got %v, want ErrInvalid", paths(files), err)
		}
	}
}

func TestNameLength(t *testing.T) {
	o := DefaultOptions(0x8000)
	ok31 := strings.Repeat("n", 30) // "/" + 30 = 31 characters: the most obj-name-len 32 allows
	if _, err := Build([]File{{Path: ok31}}, o); err != nil {
		t.Fatalf("31-character name: %v", err)
	}
	_, err := Build([]File{{Path: ok31 + "n"}}, o)
	if !errors.Is(err, ErrNameTooLong) || !strings.Contains(err.Error(), "'/"+ok31+"n' too long") {
		t.Fatalf("32-character name: got %v", err)
	}
	// spiffsgen counts characters, not bytes.
	if _, err := Build([]File{{Path: strings.Repeat("é", 30)}}, o); err != nil {
		t.Fatalf("30 two-byte characters: %v", err)
	}
}

func TestNoSpaceSaysHowMuch(t *testing.T) {
	o := DefaultOptions(0x8000)
	files := []File{{Path: "a.bin", Data: make([]byte, 35000)}, {Path: "b.txt", Data: []byte("b")}}
	_, err := Build(files, o)
	var ns *NoSpaceError
	if !errors.As(err, &ns) || !errors.Is(err, ErrNoSpace) {
		t.Fatalf("got %v, want *NoSpaceError", err)
	}
	if ns.File != "/a.bin" || ns.Over() <= 0 || ns.Over()%o.BlockSize != 0 ||
		!strings.Contains(err.Error(), "the image size has been exceeded") || !strings.Contains(err.Error(), "bytes over") {
		t.Fatalf("unhelpful error %v (%+v)", err, ns)
	}
	// Need is exact: the files fit an image of Need bytes, not one block less.
	o.Size = ns.Need
	if _, err := Build(files, o); err != nil {
		t.Fatalf("Need=%d is not enough: %v", ns.Need, err)
	}
	o.Size = ns.Need - o.BlockSize
	if _, err := Build(files, o); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("Need=%d is more than needed: %v", ns.Need, err)
	}
}

// spiffsgen stops at the first failure: once the image is full, a later name
// that is too long is never reached.
func TestFullBeforeLongName(t *testing.T) {
	files := []File{{Path: "a", Data: make([]byte, 40000)}, {Path: strings.Repeat("z", 40)}}
	if _, err := Build(files, DefaultOptions(0x8000)); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("got %v, want ErrNoSpace", err)
	}
	files[0].Data = nil
	if _, err := Build(files, DefaultOptions(0x8000)); !errors.Is(err, ErrNameTooLong) {
		t.Fatalf("got %v, want ErrNameTooLong", err)
	}
}

func TestBadOptions(t *testing.T) {
	for _, c := range []struct {
		mod  func(*Options)
		text string
	}{
		{func(o *Options) { o.BlockSize = 4000 }, "block size should be a multiple of page size"},
		{func(o *Options) { o.Size = 0x10001 }, "image size should be a multiple of block size"},
		{func(o *Options) { o.PageSize = 0 }, "page size"},
		{func(o *Options) { o.PageSize, o.BlockSize = 8, 64 }, "too small"},
		{func(o *Options) { o.BlockSize = 256 }, "no page for files"},
		{func(o *Options) { o.Size = -4096 }, "negative"},
		{func(o *Options) { o.PageSize, o.BlockSize, o.ObjNameLen = 64, 1024, 64 }, "cannot hold an object index page header"},
	} {
		o := DefaultOptions(0x10000)
		c.mod(&o)
		_, err := Build([]File{{Path: "f"}}, o)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%+v: got %v, want ErrInvalid saying %q", o, err, c.text)
		}
	}
}

// A multi-byte name on a file whose first index page is full overflows the page
// in spiffsgen (an assertion); Build refuses it instead of writing garbage.
func TestMultiByteNameOverflow(t *testing.T) {
	_, err := Build([]File{{Path: "日本.bin", Data: make([]byte, 30000)}}, DefaultOptions(0x10000))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "multi-byte") {
		t.Fatalf("got %v", err)
	}
	if _, err := Build([]File{{Path: "ascii.bin", Data: make([]byte, 30000)}}, DefaultOptions(0x10000)); err != nil {
		t.Fatal(err)
	}
}

func TestDeterministic(t *testing.T) {
	files := []File{{Path: "b/x", Data: []byte("1")}, {Path: "a", Data: bytes.Repeat([]byte("2"), 900)}, {Path: "b/a", Data: nil}}
	one, err := Build(files, DefaultOptions(0x10000))
	if err != nil {
		t.Fatal(err)
	}
	rev := []File{files[2], files[1], files[0]}
	two, err := Build(rev, DefaultOptions(0x10000))
	if err != nil || !bytes.Equal(one, two) {
		t.Fatalf("input order changed the image (%v)", err)
	}
}

// An empty folder still gives a formatted image: magic in every block (or all
// 0xFF without magic), no files when read back.
func TestEmptyImage(t *testing.T) {
	o := DefaultOptions(0x4000)
	img, err := Build(nil, o)
	if err != nil {
		t.Fatal(err)
	}
	// Block 1 of 4: 0x20140529 ^ page size 256 ^ (4 blocks - 1), low 16 bits, at
	// the second-to-last entry of the lookup page.
	if got := img[0x1000+252 : 0x1000+254]; !bytes.Equal(got, []byte{0x2A, 0x04}) {
		t.Fatalf("magic of block 1 = % X", got)
	}
	if files, err := Decode(img, o); err != nil || len(files) != 0 {
		t.Fatalf("Decode: %v, %d files", err, len(files))
	}
	o.UseMagic = false
	img, _ = Build(nil, o)
	if !bytes.Equal(img, bytes.Repeat([]byte{0xFF}, len(img))) {
		t.Fatal("image without magic is not erased flash")
	}
}

// A backslash in a file name is stored as a slash, as spiffsgen does; the file
// still sorts by its own name ("a\\b" after "a.txt", before "b").
func TestBackslashName(t *testing.T) {
	o := DefaultOptions(0x8000)
	img, err := Build([]File{{Path: "b", Data: []byte("2")}, {Path: `a\b`, Data: []byte("1")}, {Path: "a.txt"}}, o)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Decode(img, o)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(paths(files), " "); got != "a.txt a/b b" {
		t.Fatalf("got %s", got)
	}
}
