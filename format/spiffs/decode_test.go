package spiffs

import (
	"bytes"
	"errors"
	"testing"
)

// twoFiles builds "/a" (300 bytes: index page 1, data pages 2-3) and "/b"
// (10 bytes: index page 4, data page 5) in block 0 of a default image.
func twoFiles(t *testing.T) ([]byte, Options) {
	t.Helper()
	o := DefaultOptions(0x8000)
	img, err := Build([]File{{Path: "a", Data: bytes.Repeat([]byte{'a'}, 300)}, {Path: "b", Data: []byte("0123456789")}}, o)
	if err != nil {
		t.Fatal(err)
	}
	return img, o
}

// The SPIFFS driver deletes an object by zeroing its lookup entries and clearing
// the deleted flag of its pages; Decode skips it, like the driver.
func TestDecodeSkipsDeleted(t *testing.T) {
	img, o := twoFiles(t)
	for _, p := range []int{1, 2, 3} {
		img[(p-1)*2], img[(p-1)*2+1] = 0, 0
		img[p*256+4] &^= flagDeleted
	}
	files, err := Decode(img, o)
	if err != nil || len(files) != 1 || files[0].Path != "b" || string(files[0].Data) != "0123456789" {
		t.Fatalf("got %v, %+v", err, files)
	}
}

// A page the driver had not finished writing (final flag still set) is ignored.
func TestDecodeSkipsUnfinished(t *testing.T) {
	img, o := twoFiles(t)
	img[4*256+4] |= flagFinal
	files, err := Decode(img, o)
	if err != nil || len(files) != 1 || files[0].Path != "a" {
		t.Fatalf("got %v, %+v", err, paths(files))
	}
}

func TestDecodeCorrupt(t *testing.T) {
	for name, damage := range map[string]func(img []byte){
		"data page of another object":   func(img []byte) { img[2*256] = 7; img[2] = 7 },
		"data page with the wrong span": func(img []byte) { img[3*256+2] = 5 },
		"reference to a lookup page":    func(img []byte) { img[256+13+32+4] = 0 },
		"header disagrees with lookup":  func(img []byte) { img[5*256] = 9 },
		"two first index pages":         func(img []byte) { img[4*256], img[6] = 1, 1; img[4*256+1], img[7] = 0x80, 0x80 },
		"not a file":                    func(img []byte) { img[256+12] = 2 },
		"name without NUL":              func(img []byte) { copy(img[256+13:512], bytes.Repeat([]byte{'x'}, 243)) },
		"size beyond the image":         func(img []byte) { copy(img[256+8:], []byte{0, 0, 0, 0x10}) },
	} {
		img, o := twoFiles(t)
		damage(img)
		if _, err := Decode(img, o); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: got %v, want ErrCorrupt", name, err)
		}
	}
}

func TestDecodeBadSize(t *testing.T) {
	img, o := twoFiles(t)
	if _, err := Decode(img[:len(img)-1], o); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("got %v", err)
	}
	o.BlockSize = 1000
	if _, err := Decode(img, o); !errors.Is(err, ErrInvalid) {
		t.Fatalf("got %v", err)
	}
}
