package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"
)

// BenchmarkNVSEncodeDisk5000 is `espcompose nvs encode` of bench/run.sh's 5,000-row
// CSV in process, on the real disk (a temporary folder): reading, parsing, layout,
// the durable write and rename, without the process start.
func BenchmarkNVSEncodeDisk5000(b *testing.B) {
	dir := b.TempDir()
	in := filepath.Join(dir, "nvs5000.csv")
	if err := os.WriteFile(in, []byte(bigNVSCSV("")), 0o644); err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(dir, "nvs.bin")
	fs := afero.NewOsFs()
	for b.Loop() {
		if code, _, stderr := runCLI(b, fs, nil, "nvs", "encode", in, out, "--size", "0x60000"); code != 0 {
			b.Fatal(stderr)
		}
	}
}
