package appimage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSetSecureVersion(t *testing.T) {
	for _, name := range []string{"esp32_app.bin", "esp32c3_app.bin", "esp32c6_app_nohash.bin", "esp32s3_app_padded.bin"} {
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			before := append([]byte(nil), in...)
			orig, err := Decode(in)
			if err != nil || orig.AppDesc == nil {
				t.Fatalf("decode input: %v", err)
			}
			for _, v := range []uint32{0, 1, 16, 0xFFFFFFFF} {
				out, err := SetSecureVersion(in, v)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(in, before) {
					t.Fatal("the input was modified")
				}
				img, err := Decode(out)
				if err != nil {
					t.Fatal(err)
				}
				if img.AppDesc == nil || img.AppDesc.SecureVersion != v {
					t.Fatalf("secure_version reads back %+v, want %d", img.AppDesc, v)
				}
				if !img.ChecksumValid() {
					t.Error("checksum no longer valid")
				}
				if orig.Header.HashAppended != img.Header.HashAppended || (img.Header.HashAppended && !img.SHA256Valid()) {
					t.Error("appended SHA-256 not recomputed")
				}
				if len(out) != len(in) {
					t.Fatalf("length %d, want %d", len(out), len(in))
				}
				// Exactly the field, the checksum byte and the hash may differ.
				// ESP-IDF links esp_app_desc_t first in the first (DROM) segment.
				field := orig.Segments[0].FileOffset + 8 + 4
				allowed := map[int]bool{img.ChecksumOffset: true}
				for i := 0; i < 4; i++ {
					allowed[field+i] = true
				}
				if img.Header.HashAppended {
					for i := 0; i < 32; i++ {
						allowed[img.DataLen+i] = true
					}
				}
				for i := range in {
					if in[i] != out[i] && !allowed[i] {
						t.Fatalf("byte 0x%x changed", i)
					}
				}
				if got := binary.LittleEndian.Uint32(out[field:]); got != v {
					t.Fatalf("field at 0x%x holds %d", field, got)
				}
			}
		})
	}
}

func TestSetSecureVersionRefuses(t *testing.T) {
	boot, _ := os.ReadFile(filepath.Join("testdata", "esp32_bootloader.bin"))
	if _, err := SetSecureVersion(boot, 1); !errors.Is(err, ErrNoAppDesc) {
		t.Errorf("bootloader: %v, want ErrNoAppDesc", err)
	}
	app, _ := os.ReadFile(filepath.Join("testdata", "esp32c3_app.bin"))
	img, _ := Decode(app)
	signed := append(append([]byte(nil), app[:img.Len()]...), 0xE7, 0x02, 0x00, 0x00)
	if _, err := SetSecureVersion(signed, 1); err == nil {
		t.Error("an image with a signature after it was patched")
	}
	if _, err := SetSecureVersion(app[:100], 1); err == nil {
		t.Error("a truncated image was patched")
	}
}
