package outputs

import (
	"slices"
	"strings"
	"testing"
)

// Every chip's release-mode plan, read back from its own script, has no gap; the
// same script with the secure-feature steps cut (a plan from before the per-chip
// lists burned only DIS_DOWNLOAD_MANUAL_ENCRYPT) misses exactly ESP-IDF's list.
func TestEfuseScriptReadBack(t *testing.T) {
	for chip := range secureFeatures {
		t.Run(chip, func(t *testing.T) {
			p := plan(chip, true, true)
			parsed, writes, err := ParseEfuseScript(p.Script())
			if err != nil {
				t.Fatal(err)
			}
			if parsed.Chip != chip || parsed.FlashEncryption == nil || !parsed.FlashEncryption.Release || parsed.SecureBoot == nil {
				t.Fatalf("parsed %+v", parsed)
			}
			if !slices.Equal(writes, p.EfuseWrites()) {
				t.Errorf("writes %v, plan %v", writes, p.EfuseWrites())
			}
			if gap := parsed.SecureFeatureGap(writes); len(gap.Missing)+len(gap.Weakened) != 0 {
				t.Errorf("gap %+v", gap)
			}
			var cut []string
			for _, l := range strings.Split(string(p.Script()), "\n") {
				if strings.HasPrefix(l, "efuse burn_efuse") && !strings.Contains(l, "CRYPT_CNT") && !strings.Contains(l, "CRYPT_CONFIG") &&
					!strings.Contains(l, "SECURE_BOOT_EN") && !strings.Contains(l, "ABS_DONE") || strings.HasPrefix(l, "efuse write_protect_efuse") {
					continue
				}
				cut = append(cut, l)
			}
			parsed, writes, err = ParseEfuseScript([]byte(strings.Join(cut, "\n")))
			if err != nil {
				t.Fatal(err)
			}
			gap := parsed.SecureFeatureGap(writes)
			if len(gap.Missing) == 0 || len(gap.Weakened) != 0 {
				t.Fatalf("cut script: gap %+v", gap)
			}
			want := espIDFRelease[chip]
			for _, w := range union(want.fe, want.sb) {
				if strings.HasPrefix(w, "SECURE_BOOT_EN") || strings.HasPrefix(w, "ABS_DONE") || strings.Contains(w, "CRYPT_CNT") || strings.Contains(w, "CRYPT_CONFIG") {
					continue
				}
				if !slices.Contains(gap.Missing, w) {
					t.Errorf("%s is not reported missing: %v", w, gap.Missing)
				}
			}
		})
	}
}

func TestEfuseGapNamesOptOuts(t *testing.T) {
	p := plan("esp32c3", true, true)
	p.Hardening = EfuseHardening{AllowJTAG: true, ROMDownload: ROMDownloadEnabled}
	parsed, writes, err := ParseEfuseScript(p.Script())
	if err != nil {
		t.Fatal(err)
	}
	gap := parsed.SecureFeatureGap(writes)
	if len(gap.Missing) != 0 {
		t.Errorf("missing %v", gap.Missing)
	}
	joined := strings.Join(gap.Weakened, "\n")
	for _, want := range []string{"DIS_PAD_JTAG=1 (allow_jtag = true)", "ENABLE_SECURITY_DOWNLOAD=1 (rom_download = \"enabled\")"} {
		if !strings.Contains(joined, want) {
			t.Errorf("weakened %v lacks %q", gap.Weakened, want)
		}
	}
	// Disabling download mode is stronger than Secure Download mode: not a gap.
	p.Hardening = EfuseHardening{ROMDownload: ROMDownloadDisabled}
	if gap := p.SecureFeatureGap(p.EfuseWrites()); len(gap.Missing)+len(gap.Weakened) != 0 {
		t.Errorf("download disabled: %+v", gap)
	}
}
