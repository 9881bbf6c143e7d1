package main

import (
	"fmt"
	"testing"

	"github.com/espcompose/espcompose/manifest"
)

// checkFleetBurns checks what efuse-plan.sh burned (eFuse names given to burn_efuse)
// against the manifest's fleet settings: every Secure Boot V2 digest slot the keys
// leave empty is revoked, as ESP-IDF's bootloader does (secure_boot_v2/secure_boot.c),
// a key marked revoked has its slot revoked, a signing key's never is; and an app
// secure_version is burned as SECURE_VERSION.
func checkFleetBurns(t *testing.T, cfg *manifest.Config, burned map[string]bool) {
	t.Helper()
	chip := cfg.Target.Chip
	if sec := cfg.Security; sec != nil && sec.SecureBoot != nil && sec.SecureBoot.Version == 2 && chip != "esp32" && chip != "esp32c2" {
		sb := sec.SecureBoot
		for slot := 0; slot < 3; slot++ {
			name := fmt.Sprintf("SECURE_BOOT_KEY_REVOKE%d", slot)
			want := slot >= len(sb.Keys) && !sb.AllowUnusedDigestSlots
			if slot < len(sb.Keys) {
				want = cfg.Key(sb.Keys[slot].Name).Revoked
			}
			if burned[name] != want {
				t.Errorf("efuse-plan.sh burns %s: %v, want %v (%d key(s))", name, burned[name], want, len(sb.Keys))
			}
		}
	}
	var secureVersion bool
	for _, im := range cfg.Images {
		secureVersion = secureVersion || im.SecureVersion != nil && *im.SecureVersion > 0
	}
	if burned["SECURE_VERSION"] != secureVersion {
		t.Errorf("efuse-plan.sh burns SECURE_VERSION: %v; the manifest sets a secure_version: %v", burned["SECURE_VERSION"], secureVersion)
	}
}
