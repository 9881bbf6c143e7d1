package planner

import (
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/outputs"
)

func hardeningManifest(chip, security string) string {
	return `espcompose { version = 1 }
target {
  chip       = "` + chip + `"
  flash_size = "4MB"
}
key "flash" {
  algorithm = "` + map[bool]string{true: "aes-256", false: "xts-aes-128"}[chip == "esp32"] + `"
  file      = "keys/32.bin"
}
security {
` + security + `
  flash_encryption { key = key.flash }
}
image "app" { file = "images/` + map[bool]string{true: "esp32-app", false: "c3-app"}[chip == "esp32"] + `.bin" }
partition "factory" {
  type     = "app"
  subtype  = "factory"
  size     = "1M"
  contents = image.app
}
`
}

// TestHardeningOptOutsReachThePlan: the security block's opt-outs become the eFuse
// plan's settings.
func TestHardeningOptOutsReachThePlan(t *testing.T) {
	fs := testFS(t)
	src := hardeningManifest("esp32c3", `  allow_jtag           = true
  allow_cache_download = true
  aggressive_revoke    = true
  rom_download         = "disabled"`)
	if err := afero.WriteFile(fs, "/p/espcompose.hcl", []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	pl, diags := planFile(fs, "/p/espcompose.hcl")
	if diags.HasErrors() || pl == nil {
		t.Fatalf("plan failed:\n%s", describe(diags))
	}
	want := outputs.EfuseHardening{AllowJTAG: true, AllowCacheDownload: true, AggressiveRevoke: true, ROMDownload: "disabled"}
	if got := pl.hardening(); got != want {
		t.Errorf("hardening %+v, want %+v", got, want)
	}
}

// TestHardeningRefusals: settings the chip has no eFuse for are errors at their line.
func TestHardeningRefusals(t *testing.T) {
	for _, c := range []struct{ chip, security, want string }{
		{"esp32c3", `  rom_download = "maybe"`, "Invalid ROM download mode"},
		{"esp32", `  rom_download = "secure"`, "No Secure Download mode on this chip"},
		{"esp32", `  rom_download = "disabled"`, "ROM download mode cannot be disabled on this revision"},
		{"esp32c3", `  allow_rom_basic = true`, "allow_rom_basic does not apply"},
		{"esp32c3", `  allow_jtag = "yes please"`, "Incorrect attribute value type"},
	} {
		fs := testFS(t)
		if err := afero.WriteFile(fs, "/p/espcompose.hcl", []byte(hardeningManifest(c.chip, c.security)), 0o644); err != nil {
			t.Fatal(err)
		}
		_, diags := planFile(fs, "/p/espcompose.hcl")
		if !diags.HasErrors() || !strings.Contains(describe(diags), c.want) || !strings.Contains(describe(diags), "espcompose.hcl:") {
			t.Errorf("%s with %s: want %q naming the line, got\n%s", c.chip, c.security, c.want, describe(diags))
		}
	}
}
