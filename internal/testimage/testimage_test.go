package testimage

import (
	"bytes"
	"testing"

	"github.com/espcompose/espcompose/format/appimage"
)

func TestImagesDecode(t *testing.T) {
	for _, chip := range []string{"esp32", "esp32s2", "esp32s3", "esp32c2", "esp32c3", "esp32c6", "esp32h2"} {
		app, err := App(AppSpec{Chip: chip, Project: "demo", Version: "1.2.3"})
		if err != nil {
			t.Fatalf("%s app: %v", chip, err)
		}
		img, err := appimage.Decode(app)
		if err != nil {
			t.Fatalf("%s app decode: %v", chip, err)
		}
		c, _ := appimage.LookupChip(chip)
		if img.CheckChip(c) != nil || !img.ChecksumValid() || !img.SHA256Valid() {
			t.Errorf("%s app not well-formed", chip)
		}
		if img.AppDesc == nil || img.AppDesc.ProjectName != "demo" || img.AppDesc.Version != "1.2.3" {
			t.Errorf("%s app desc = %+v", chip, img.AppDesc)
		}
		bl, err := Bootloader(chip)
		if err != nil {
			t.Fatalf("%s bootloader: %v", chip, err)
		}
		bimg, err := appimage.Decode(bl)
		if err != nil || bimg.BootloaderDesc == nil {
			t.Fatalf("%s bootloader decode: %v", chip, err)
		}
	}
}

func TestDeterministicAndDistinct(t *testing.T) {
	a1, _ := App(AppSpec{Chip: "esp32c3", Project: "p", Version: "1"})
	a2, _ := App(AppSpec{Chip: "esp32c3", Project: "p", Version: "1"})
	b, _ := App(AppSpec{Chip: "esp32c3", Project: "p", Version: "2"})
	if !bytes.Equal(a1, a2) {
		t.Error("same spec, different bytes")
	}
	if bytes.Equal(a1, b) {
		t.Error("different versions, same bytes")
	}
	big, _ := App(AppSpec{Chip: "esp32c3", Project: "p", Version: "1", CodeSize: 0x40000})
	if len(big) < 0x40000 {
		t.Errorf("CodeSize not honoured: %d bytes", len(big))
	}
}
