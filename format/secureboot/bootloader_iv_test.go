package secureboot

import (
	"bytes"
	"testing"
)

func TestDerivedBootloaderIV(t *testing.T) {
	k1, k2 := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	img := []byte("bootloader")
	a, b := DerivedBootloaderIV(k1, img), DerivedBootloaderIV(k1, img)
	if len(a) != 128 || !bytes.Equal(a, b) {
		t.Fatal("not a reproducible 128-byte IV")
	}
	if bytes.Equal(a, DerivedBootloaderIV(k2, img)) || bytes.Equal(a, DerivedBootloaderIV(k1, []byte("other"))) {
		t.Fatal("IV does not depend on key and image")
	}
	if bytes.Contains(a, k1[:8]) {
		t.Fatal("IV exposes the key")
	}
}
