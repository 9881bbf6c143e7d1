package spiffs_test

import (
	"errors"
	"fmt"

	"github.com/espcompose/espcompose/format/spiffs"
)

func Example() {
	files := []spiffs.File{
		{Path: "www/index.html", Data: []byte("<h1>hi</h1>")},
		{Path: "config.json", Data: []byte(`{"led":true}`)},
	}
	opts := spiffs.DefaultOptions(0x10000) // a 64 KiB "spiffs" data partition
	img, err := spiffs.Build(files, opts)
	if err != nil {
		panic(err)
	}
	back, err := spiffs.Decode(img, opts)
	if err != nil {
		panic(err)
	}
	for _, f := range back {
		fmt.Printf("%s %d\n", f.Path, len(f.Data))
	}

	_, err = spiffs.Build([]spiffs.File{{Path: "big.bin", Data: make([]byte, 70000)}}, opts)
	var full *spiffs.NoSpaceError
	if errors.As(err, &full) {
		fmt.Printf("%d bytes over\n", full.Over())
	}
	// Output:
	// config.json 12
	// www/index.html 11
	// 12288 bytes over
}
