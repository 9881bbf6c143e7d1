package appimage

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/espcompose/espcompose/internal/conformance"
)

// The merge vectors record what esptool did to the bootloader header; check
// SetFlashParams alone reproduces it, driven by each case's params.
func TestConformanceMergeBootloaderPatch(t *testing.T) {
	for _, c := range conformance.Load(t, "merge") {
		var extra struct {
			Params struct {
				Chip       string `json:"chip"`
				FlashMode  string `json:"flash_mode"`
				FlashFreq  string `json:"flash_freq"`
				FlashSize  string `json:"flash_size"`
				BootOffset string `json:"bootloader_offset"`
				Files      []struct {
					Address string `json:"address"`
					File    string `json:"file"`
				} `json:"files"`
				SHAUpdated *bool `json:"bootloader_sha256_updated"`
				Bytes      *struct {
					Before string `json:"before"`
					After  string `json:"after"`
				} `json:"bootloader_header_bytes_2_3"`
			} `json:"params"`
		}
		c.Decode(t, &extra)
		p := extra.Params
		if p.Bytes == nil {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			var boot []byte
			for _, f := range p.Files {
				if f.Address == p.BootOffset {
					boot = c.File(t, f.File)
				}
			}
			if boot == nil {
				t.Fatal("no bootloader in case")
			}
			out, ch, err := PatchFlashParams(boot, p.Chip, FlashParams{p.FlashMode, p.FlashFreq, p.FlashSize})
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(ch.Before[:]); got != p.Bytes.Before {
				t.Errorf("before %s, want %s", got, p.Bytes.Before)
			}
			if got := hex.EncodeToString(out[2:4]); got != p.Bytes.After {
				t.Errorf("after %s, want %s", got, p.Bytes.After)
			}
			if p.SHAUpdated != nil && ch.SHAUpdated != *p.SHAUpdated {
				t.Errorf("SHA updated %v, want %v", ch.SHAUpdated, *p.SHAUpdated)
			}
			if img, err := Decode(out); err != nil || (img.Header.HashAppended && !img.SHA256Valid()) {
				t.Errorf("patched image does not verify: %v", err)
			}
		})
	}
}

func TestSetFlashParams(t *testing.T) {
	app := builtApp(t)
	same, err := SetFlashParams(app, "esp32", "keep", "", Keep)
	if err != nil || !bytes.Equal(same, app) {
		t.Fatalf("keep changed the image: %v", err)
	}
	out, err := SetFlashParams(app, "esp32", "qout", "80m", "16MB")
	if err != nil {
		t.Fatal(err)
	}
	if out[2] != 1 || out[3] != 0x4F {
		t.Errorf("header %x", out[2:4])
	}
	if app[2] != 2 {
		t.Error("input was modified")
	}
	img, _ := Decode(out)
	if !img.SHA256Valid() || !bytes.Equal(out[4:img.DataLen-1], app[4:img.DataLen-1]) {
		t.Error("only bytes 2-3 and the digest may change")
	}
	// A digest cut short is completed, as esptool does.
	short := app[:len(app)-10]
	out, err = SetFlashParams(short, "esp32", "dio", "", "")
	if err != nil || len(out) != len(app) {
		t.Fatalf("len %d err %v", len(out), err)
	}
	sum := sha256.Sum256(out[:len(out)-32])
	if !bytes.Equal(out[len(out)-32:], sum[:]) {
		t.Error("digest not recomputed")
	}

	errCases := []struct {
		name          string
		data          []byte
		chip, m, f, s string
		want          error
	}{
		{"not image", []byte("hello world, not an image"), "esp32", "dio", "", "", ErrNotImage},
		{"too short", []byte{0xE9}, "esp32", "dio", "", "", ErrNotImage},
		{"truncated image", app[:40], "esp32", "dio", "", "", ErrNotImage},
		{"freq for chip", app, "esp32", "", "60m", "", ErrFlashParam},
		{"size", app, "esp32", "", "", "2MB-c1", ErrFlashParam},
		{"mode", app, "esp32", "fast", "", "", ErrFlashParam},
		{"chip", app, "esp8266", "dio", "", "", ErrUnknownChip},
	}
	for _, c := range errCases {
		out, err := SetFlashParams(c.data, c.chip, c.m, c.f, c.s)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
		if !bytes.Equal(out, c.data) {
			t.Errorf("%s: data changed on error", c.name)
		}
	}
}

func BenchmarkSetFlashParams(b *testing.B) {
	boot, err := Build(buildCases[3].spec)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(boot)))
	for b.Loop() {
		if _, err := SetFlashParams(boot, "esp32", "qio", "80m", "4MB"); err != nil {
			b.Fatal(err)
		}
	}
}
