package fsimage

import (
	"testing"

	"github.com/espcompose/espcompose/format/spiffs"
)

// FuzzDetectDecode feeds arbitrary bytes through what `fs ls`, `inspect` and verify
// do with a partition: detect the type, then decode it as that type and as each other
// type. Nothing may panic; a decoded image's paths are what Compare and extract get.
func FuzzDetectDecode(f *testing.F) {
	for _, typ := range Types {
		s := Defaults(typ, 128<<10)
		s.LongNames = typ != SPIFFS
		img, err := Build(s, webTree())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(img)
	}
	f.Add([]byte{})
	f.Add(make([]byte, 4096))
	f.Fuzz(func(t *testing.T, data []byte) {
		typ := Detect(data)
		for _, try := range append([]string{typ}, Types...) {
			im, err := Decode(data, try, spiffs.DefaultOptions(len(data)))
			if err != nil {
				continue
			}
			_ = im.Files()
			_ = Compare(im, webTree())
		}
	})
}
