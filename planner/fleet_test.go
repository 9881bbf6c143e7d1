package planner

import (
	"fmt"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/outputs"
)

func fleetManifest(chip string, secureVersion uint64) string {
	img := map[bool]string{true: "esp32-app", false: "c3-app"}[chip == "esp32"]
	return fmt.Sprintf(`espcompose { version = 1 }
target {
  chip       = %q
  flash_size = "4MB"
}
image "app" {
  file           = "images/%s.bin"
  secure_version = %d
}
partition "factory" {
  type     = "app"
  subtype  = "factory"
  size     = "1M"
  contents = image.app
}
`, chip, img, secureVersion)
}

// TestSecureVersionRangePerChip: secure_version may be at most the width of the chip's
// SECURE_VERSION eFuse field (ESP-IDF Kconfig.app_rollback), reported on its line.
func TestSecureVersionRangePerChip(t *testing.T) {
	for chip, bits := range map[string]uint64{"esp32": 32, "esp32c2": 4, "esp32c3": 16, "esp32c5": 9, "esp32h2": 16, "esp32p4": 16} {
		for _, v := range []uint64{bits, bits + 1} {
			fs := testFS(t)
			if err := afero.WriteFile(fs, "/p/espcompose.hcl", []byte(fleetManifest(chip, v)), 0o644); err != nil {
				t.Fatal(err)
			}
			_, diags := planFile(fs, "/p/espcompose.hcl")
			got := describe(diags)
			bad := strings.Contains(got, "secure_version out of range")
			if v > bits && (!bad || !strings.Contains(got, "espcompose.hcl:8") || !strings.Contains(got, fmt.Sprintf("%d-bit SECURE_VERSION", bits))) {
				t.Errorf("%s secure_version %d: want an out-of-range error on line 8, got\n%s", chip, v, got)
			}
			if v <= bits && bad {
				t.Errorf("%s secure_version %d refused:\n%s", chip, v, got)
			}
		}
	}
}

// TestFleetEfusePlan: the eFuse plan burns the secure version as set bits and
// revokes the digest slots the keys leave empty.
func TestFleetEfusePlan(t *testing.T) {
	fs := testFS(t)
	if err := afero.WriteFile(fs, "/p/espcompose.hcl", []byte(fleetManifest("esp32c3", 5)), 0o644); err != nil {
		t.Fatal(err)
	}
	pl, diags := planFile(fs, "/p/espcompose.hcl")
	if diags.HasErrors() {
		t.Fatal(describe(diags))
	}
	f := pl.fleet()
	if f == nil || f.SecureVersion != 5 || f.SecureVersionImage != "app" || f.SecureVersionBits != 16 || len(f.UnusedSlots) != 0 {
		t.Fatalf("fleet %+v", f)
	}
	if pl.Graph.Len() == 0 {
		t.Fatal("empty graph")
	}
	if _, ok := pl.Graph.Node("secure-version:image.app"); !ok {
		t.Error("no secure-version stage for image.app")
	}
	for v, want := range map[uint32]string{1: "0x1", 5: "0x1f", 16: "0xffff", 32: "0xffffffff"} {
		if got := outputs.SecureVersionValue(v); got != want {
			t.Errorf("SecureVersionValue(%d) = %s, want %s", v, got, want)
		}
	}
}
