package outputs

import (
	"strings"
	"testing"
)

func TestFleetSteps(t *testing.T) {
	sb := &EfuseSecureBoot{Version: 2, PublicKeys: []string{"keys/a.pub.pem"}, Digests: []string{"00"}}
	p := &EfusePlan{Chip: "esp32c3", SecureBoot: sb, Fleet: &EfuseFleet{
		SecureVersion: 2, SecureVersionImage: "app", SecureVersionBits: 16,
		UnusedSlots: []int{2}, RevokedKeys: []RevokedKey{{Slot: 0, Name: "old"}},
	}}
	script, md := string(p.Script()), string(p.Markdown())
	for _, want := range []string{
		"efuse burn_efuse 'SECURE_VERSION' '0x3'",
		"efuse burn_efuse 'SECURE_BOOT_KEY_REVOKE2' '1'",
		"efuse burn_efuse 'SECURE_BOOT_KEY_REVOKE0' '1'",
	} {
		if !strings.Contains(script, want) || !strings.Contains(md, want) {
			t.Errorf("plan lacks %q:\n%s", want, script)
		}
	}
	if !strings.Contains(md, "Revoke secure boot key old (digest slot 0)") {
		t.Error("markdown does not name the revoked key")
	}
	// Revocation comes after the digests are burned and Secure Boot is enabled.
	if strings.Index(script, "SECURE_BOOT_KEY_REVOKE") < strings.Index(script, "SECURE_BOOT_EN") {
		t.Error("a slot is revoked before Secure Boot is enabled")
	}

	// allow_unused_digest_slots: named as weakened, nothing revoked.
	p.Fleet = &EfuseFleet{UnrevokedSlots: []int{1, 2}}
	script, md = string(p.Script()), string(p.Markdown())
	if !strings.Contains(md, "`allow_unused_digest_slots = true`") || !strings.Contains(md, "SECURE_BOOT_KEY_REVOKE1, SECURE_BOOT_KEY_REVOKE2") {
		t.Errorf("weakened section lacks the open slots:\n%s", md)
	}
	for _, line := range strings.Split(script, "\n") {
		if strings.HasPrefix(line, "efuse ") && strings.Contains(line, "REVOKE") {
			t.Errorf("script burns %q", line)
		}
	}

	// ESP32: the field lives in BLOCK3, whose coding scheme matters.
	p = &EfusePlan{Chip: "esp32", Fleet: &EfuseFleet{SecureVersion: 32, SecureVersionImage: "app", SecureVersionBits: 32}}
	if s := string(p.Script()); !strings.Contains(s, "'SECURE_VERSION' '0xffffffff'") || !strings.Contains(s, "BLOCK3") {
		t.Errorf("esp32 plan:\n%s", s)
	}
}
