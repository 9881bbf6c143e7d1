package planner

import (
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/outputs"
)

// Fleet safety: anti-rollback (secure_version), OTA image state, Secure Boot V2 key
// revocation. Facts from ESP-IDF at commit 102122904ade11fd1ae373848f34ffd7dfb18aeb:
//
//   - components/bootloader/Kconfig.app_rollback, BOOTLOADER_APP_SEC_VER_SIZE_EFUSE_FIELD:
//     the secure version is kept in eFuse as a count of set bits, 32 bits on the ESP32,
//     4 on the ESP32-C2, 9 on the ESP32-C5, 16 elsewhere; components/efuse/<chip>/esp_efuse_table.csv
//     SECURE_VERSION has that width (ESP32: EFUSE_BLK3 bits 128..159).
//   - components/efuse/src/esp_efuse_fields.c: esp_efuse_check_secure_version boots an
//     app whose secure_version >= popcount(SECURE_VERSION); esp_efuse_update_secure_version
//     refuses a secure_version above the field width and burns bits (1<<v)-1.
//   - components/bootloader_support/src/secure_boot_v2/secure_boot.c,
//     esp_secure_boot_verify_or_... (the "Revoke the empty signature blocks" loop): with
//     SOC_EFUSE_REVOKE_BOOT_KEY_DIGESTS, every digest slot past the bootloader's signature
//     blocks is revoked with esp_efuse_set_digest_revoke, unless
//     CONFIG_SECURE_BOOT_ALLOW_UNUSED_DIGEST_SLOTS.
//   - components/soc/<chip>/include/soc/soc_caps.h: SOC_EFUSE_REVOKE_BOOT_KEY_DIGESTS and
//     SOC_EFUSE_SECURE_BOOT_KEY_DIGESTS (3) on every supported chip but the ESP32 and
//     ESP32-C2, which have one digest and no revocation bits.

// The eFuse names (SECURE_VERSION, SECURE_BOOT_KEY_REVOKE0..2) are espefuse's, checked in
// espefuse/efuse_defs/<chip>.yaml at esptool commit bb72741ff4fadb2c6958564140e755b44288af32.

// secureVersionBits is the width of each chip's SECURE_VERSION eFuse field, which
// bounds secure_version.
var secureVersionBits = map[string]int{
	"esp32": 32, "esp32s2": 16, "esp32s3": 16, "esp32c2": 4, "esp32c3": 16,
	"esp32c5": 9, "esp32c6": 16, "esp32c61": 16, "esp32h2": 16, "esp32p4": 16,
}

// revokeSlots is true for chips with SECURE_BOOT_KEY_REVOKE0..2.
func revokeSlots(chip string) bool { return chip != "esp32" && chip != "esp32c2" }

// digestSlots is SOC_EFUSE_SECURE_BOOT_KEY_DIGESTS.
func digestSlots(chip string) int {
	if revokeSlots(chip) {
		return 3
	}
	return 1
}

// checkFleet checks the fleet-safety settings against the chip, each on its line.
func (p *planner) checkFleet() {
	chip := p.plan.Chip.Name
	for _, im := range p.cfg.Images {
		if im.SecureVersion == nil {
			continue
		}
		v := *im.SecureVersion
		if bits := secureVersionBits[chip]; int64(v) > int64(bits) {
			p.errorf(im.SecureVersionRange, "secure_version out of range",
				"%s keeps the secure version as set bits of its %d-bit SECURE_VERSION eFuse field, so secure_version can be 0..%d, not %d (ESP-IDF BOOTLOADER_APP_SEC_VER_SIZE_EFUSE_FIELD).",
				chip, bits, bits, v)
		}
		if bl := p.cfg.Bootloader; bl != nil && bl.Image.Name == im.Name {
			p.errorf(im.SecureVersionRange, "secure_version on the bootloader",
				"secure_version is the app's anti-rollback version (esp_app_desc_t); image %q is the bootloader, which has none.", im.Name)
		}
		if info := p.plan.Images[im.Name]; info != nil && info.Image != nil && info.Image.AppDesc == nil {
			p.errorf(im.SecureVersionRange, "Image has no app description",
				"%s has no esp_app_desc_t, so there is no secure_version field to set.", p.rel(im.File))
		}
	}
	sb := p.secureBoot()
	revoked := 0
	for _, k := range p.cfg.Keys {
		if !k.Revoked {
			continue
		}
		revoked++
		switch {
		case sb == nil || sb.Version != 2 || !hasRef(sb.Keys, k.Name):
			p.errorf(k.RevokedRange, "Revoked key is not a Secure Boot V2 key",
				"revoked = true revokes a Secure Boot V2 digest slot; list key.%s in security.secure_boot.keys at the slot it was burned into.", k.Name)
		case !revokeSlots(chip):
			p.errorf(k.RevokedRange, "Key revocation not supported", "%s has a single Secure Boot digest and no SECURE_BOOT_KEY_REVOKE eFuses.", chip)
		}
	}
	if sb != nil && revoked > 0 && revoked >= len(sb.Keys) {
		p.errorf(sb.Range, "Every secure boot key is revoked", "At least one key of security.secure_boot.keys must stay unrevoked to sign the images.")
	}
}

func hasRef(refs []manifest.Ref, name string) bool {
	for _, r := range refs {
		if r.Name == name {
			return true
		}
	}
	return false
}

// fleet is the eFuse plan's anti-rollback and revocation part.
func (pl *Plan) fleet() *outputs.EfuseFleet {
	cfg := pl.Config
	chip := pl.Chip.Name
	f := &outputs.EfuseFleet{SecureVersionBits: secureVersionBits[chip]}
	for _, im := range cfg.Images {
		if im.SecureVersion != nil && *im.SecureVersion > f.SecureVersion {
			f.SecureVersion = *im.SecureVersion
			f.SecureVersionImage = im.Name
		}
	}
	if sec := cfg.Security; sec != nil && sec.SecureBoot != nil && sec.SecureBoot.Version == 2 && revokeSlots(chip) {
		sb := sec.SecureBoot
		for i, r := range sb.Keys {
			if k := cfg.Key(r.Name); k != nil && k.Revoked {
				f.RevokedKeys = append(f.RevokedKeys, outputs.RevokedKey{Slot: i, Name: r.Name})
			}
		}
		for i := len(sb.Keys); i < digestSlots(chip); i++ {
			if sb.AllowUnusedDigestSlots {
				f.UnrevokedSlots = append(f.UnrevokedSlots, i)
			} else {
				f.UnusedSlots = append(f.UnusedSlots, i)
			}
		}
	}
	if f.SecureVersion == 0 && len(f.RevokedKeys) == 0 && len(f.UnusedSlots) == 0 && len(f.UnrevokedSlots) == 0 {
		return nil
	}
	return f
}
