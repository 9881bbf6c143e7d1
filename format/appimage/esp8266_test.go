package appimage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// testdata/esp8266_v*.bin are hand-made ESP8266 V1/V2 images; the .txt files
// next to them are esptool 4.8.1 image_info output for them.
func TestInfoBytesESP8266(t *testing.T) {
	for _, name := range []string{"esp8266_v1", "esp8266_v2"} {
		b, err := os.ReadFile(filepath.Join("testdata", name+".bin"))
		if err != nil {
			t.Fatal(err)
		}
		for _, chip := range []string{ChipAuto, "esp8266"} {
			for _, v := range []int{1, 2} {
				txt := filepath.Join("testdata", fmt.Sprintf("%s.%s.v%d.txt", name, chip, v))
				want, err := os.ReadFile(txt)
				if err != nil {
					t.Fatal(err)
				}
				got, err := InfoBytes(b, chip, v)
				if err != nil {
					t.Fatalf("%s: %v", txt, err)
				}
				if Banner+got != string(want) {
					t.Errorf("%s mismatch\n--- got\n%s--- want\n%s", txt, Banner+got, want)
				}
			}
		}
		// Decode handles only ESP32-family images.
		if _, err := Decode(b); err == nil {
			t.Errorf("%s: Decode accepted an ESP8266 image", name)
		}
	}
}

func TestInfoBytesErrors(t *testing.T) {
	v2, _ := os.ReadFile("testdata/esp8266_v2.bin")
	cases := []struct {
		name string
		in   []byte
		chip string
		want error
	}{
		{"empty", nil, ChipAuto, ErrTruncated},
		{"magic", []byte{0x7F, 'E', 'L', 'F'}, ChipAuto, ErrBadMagic},
		{"v2 image as esp32", v2, "esp32", ErrBadMagic},
		{"unknown chip", builtApp(t), "esp31", ErrUnknownChip},
	}
	for _, c := range cases {
		if _, err := InfoBytes(c.in, c.chip, 2); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}
