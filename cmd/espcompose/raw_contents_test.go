package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

func TestRawFileAndFillPartitions(t *testing.T) {
	fs := afero.NewMemMapFs()
	_ = afero.WriteFile(fs, "/p/web.img", []byte("littlefs image bytes"), 0o644)
	_ = afero.WriteFile(fs, "/p/espcompose.hcl", []byte(`
espcompose { version = 1 }
target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
partition "www" {
  type    = "data"
  subtype = "littlefs"
  size    = "64K"
  file    = "web.img"
}
partition "scratch" {
  type    = "data"
  subtype = "undefined"
  size    = "8K"
  fill    = 0x00
}
`), 0o644)
	code, _, stderr := runCLI(t, fs, nil, "build", "-f", "/p/espcompose.hcl", "-o", "/out")
	if code != 0 {
		t.Fatal(stderr)
	}
	www, _ := afero.ReadFile(fs, "/out/partitions/www.bin")
	scratch, _ := afero.ReadFile(fs, "/out/partitions/scratch.bin")
	if string(www) != "littlefs image bytes" {
		t.Errorf("www = %q", www)
	}
	if !bytes.Equal(scratch, make([]byte, 8192)) {
		t.Errorf("scratch is not 8 KiB of 0x00")
	}
	merged, _ := afero.ReadFile(fs, "/out/flash-factory.bin")
	if !bytes.Equal(merged[0x9000:0x9000+len(www)], www) || !bytes.Equal(merged[0x19000:0x1b000], scratch) {
		t.Error("raw partitions are not at their offsets in the merged image")
	}
	// A file larger than its partition is a plan error on the file attribute.
	_ = afero.WriteFile(fs, "/p/web.img", bytes.Repeat([]byte{1}, 70000), 0o644)
	code, _, stderr = runCLI(t, fs, nil, "build", "-f", "/p/espcompose.hcl", "-o", "/out")
	if code != 2 || !strings.Contains(stderr, "web.img is 70000 bytes; partition \"www\" holds 65536, so it is 4464 bytes too large") {
		t.Errorf("oversized file: exit %d %s", code, stderr)
	}
}
