package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/flashenc"
	"github.com/espcompose/espcompose/internal/conformance"
)

// TestEspAtExampleMatchesVectors builds the esp-at example from each espat vector's own
// raw data and module: its main table, at_customize secondary table and mfg_nvs image
// must equal what esp-at's build and the reference tools made.
func TestEspAtExampleMatchesVectors(t *testing.T) {
	for _, c := range conformance.Load(t, "espat") {
		t.Run(c.Name, func(t *testing.T) {
			if c.Param("platform") != "PLATFORM_ESP32C3" {
				t.Skipf("the example is the ESP32-C3 layout; this case is %s", c.Param("platform"))
			}
			var cfg []string
			for _, o := range c.Params["effective_config"].([]any) {
				cfg = append(cfg, fmt.Sprintf("%q", o))
			}
			dir := t.TempDir()
			copyTree(t, filepath.Join(examplesDir, "esp-at"), dir)
			code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "build", "-f", filepath.Join(dir, "espcompose.hcl"), "-o", filepath.Join(dir, "dist"),
				"--var", "at_raw_data="+c.Dir, "--var", "platform="+c.Param("platform"), "--var", "module="+c.Param("module"),
				"--var", "at_config=["+strings.Join(cfg, ",")+"]")
			if code != 0 {
				t.Fatalf("build: %s", stderr)
			}
			read := func(name string) []byte {
				b, err := os.ReadFile(filepath.Join(dir, "dist", name))
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			// The main table is flash-encrypted in dist/; decrypt it to compare.
			key, _ := os.ReadFile(filepath.Join(dir, "keys", "flash_encryption_key.bin"))
			enc := read("partition-table.bin")
			table := make([]byte, len(enc))
			if err := flashenc.Decrypt(table, enc, key, 0x8000, flashenc.Options{Scheme: flashenc.XTSAES128}); err != nil {
				t.Fatal(err)
			}
			wantTable := c.File(t, "partition-table.bin")
			if !bytes.Equal(table[:len(wantTable)], wantTable) {
				t.Skipf("this case's main table is not the example's layout")
			}
			if !bytes.Equal(read("partitions/at_customize.table.bin"), c.File(t, "at_customize.bin")) {
				t.Errorf("at_customize secondary table differs from the vector")
			}
			if !bytes.Equal(read("partitions/mfg_nvs.bin"), c.File(t, "mfg_nvs.bin")) {
				t.Errorf("mfg_nvs differs from the vector")
			}
		})
	}
}
