package appimage

import (
	"strconv"
	"testing"

	"github.com/espcompose/espcompose/internal/conformance"
)

// imageInfoArgs reads --chip, --version and the file name from an esptool argv.
func imageInfoArgs(t *testing.T, argv []string) (chip string, version int, file string) {
	t.Helper()
	chip, version = ChipAuto, 1
	seen := false
	for i := 0; i < len(argv); i++ {
		a := argv[i]
		switch {
		case a == "--chip" || a == "-c":
			i++
			chip = argv[i]
		case a == "image_info":
			seen = true
		case seen && a == "--version":
			i++
			v, err := strconv.Atoi(argv[i])
			if err != nil {
				t.Fatalf("bad --version %q", argv[i])
			}
			version = v
		case seen:
			file = a
		}
	}
	if !seen || file == "" {
		t.Fatalf("not an image_info command: %q", argv)
	}
	return chip, version, file
}

func TestConformanceImageInfo(t *testing.T) {
	for _, c := range conformance.Load(t, "imageinfo") {
		t.Run(c.Name, func(t *testing.T) {
			chip, version, file := imageInfoArgs(t, c.Command)
			data := c.File(t, file)
			out, err := InfoBytes(data, chip, version)
			if err == nil && !c.ExpectedError {
				// The decoded path must agree with the byte-level one for
				// ESP32-family images.
				if img, derr := Decode(data); derr == nil {
					if viaImage, ierr := Info(img, chip, version); ierr != nil || viaImage != out {
						t.Errorf("Info(Decode) disagrees with InfoBytes: %v", ierr)
					}
				}
			}
			if c.ExpectedError {
				if err == nil {
					t.Fatalf("expected an error, got none")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := string(c.File(t, *c.Expected))
			if got := Banner + out; got != want {
				t.Errorf("image_info mismatch\n--- got\n%s\n--- want\n%s", got, want)
			}
		})
	}
}
