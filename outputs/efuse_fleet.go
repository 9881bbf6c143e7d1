package outputs

import (
	"fmt"
	"strings"
)

// EfuseFleet is the eFuse plan's fleet-safety part: the anti-rollback secure version
// and Secure Boot V2 key revocation. The planner fills it from ESP-IDF's rules
// (planner/fleet.go cites the files).
type EfuseFleet struct {
	// SecureVersion is the highest secure_version the build writes into an app
	// (SecureVersionImage); 0 burns nothing.
	SecureVersion      uint32
	SecureVersionImage string
	SecureVersionBits  int // the chip's SECURE_VERSION field width
	// UnusedSlots are digest slots past the manifest's keys, revoked as ESP-IDF's
	// bootloader revokes them when it enables Secure Boot V2.
	UnusedSlots []int
	// UnrevokedSlots are unused slots left open by allow_unused_digest_slots.
	UnrevokedSlots []int
	// RevokedKeys are keys the manifest marks revoked = true, by digest slot.
	RevokedKeys []RevokedKey
}

// RevokedKey is a Secure Boot key whose digest slot is revoked.
type RevokedKey struct {
	Slot int
	Name string
}

// SecureVersionValue is what espefuse burns for secure version v: ESP-IDF stores the
// version as the number of set bits, the low v bits (esp_efuse_update_secure_version).
func SecureVersionValue(v uint32) string {
	return fmt.Sprintf("0x%x", uint64(1)<<v-1)
}

func (p *EfusePlan) fleetSteps() []efuseStep {
	f := p.Fleet
	if f == nil {
		return nil
	}
	var steps []efuseStep
	if f.SecureVersion > 0 {
		why := fmt.Sprintf("image %s has secure_version %d; a bootloader built with CONFIG_BOOTLOADER_APP_ANTI_ROLLBACK boots only apps whose secure_version "+
			"is at least the number of bits set in SECURE_VERSION (%d bits on %s), so no older, vulnerable release can be flashed back",
			f.SecureVersionImage, f.SecureVersion, f.SecureVersionBits, p.Chip)
		if p.Chip == "esp32" {
			why += "; on the ESP32 the field is in BLOCK3, which must use coding scheme None (esp_efuse_update_secure_version refuses any other)"
		}
		steps = append(steps, efuseStep{"Set the anti-rollback secure version", why,
			[]string{"efuse burn_efuse " + shQuote("SECURE_VERSION") + " " + shQuote(SecureVersionValue(f.SecureVersion))}})
	}
	if len(f.UnusedSlots) > 0 {
		var args []string
		for _, s := range f.UnusedSlots {
			args = append(args, shQuote(fmt.Sprintf("SECURE_BOOT_KEY_REVOKE%d", s)), shQuote("1"))
		}
		steps = append(steps, efuseStep{"Revoke the unused secure boot digest slots",
			"ESP-IDF's bootloader revokes every digest slot past its keys when it enables Secure Boot V2 (secure_boot_v2/secure_boot.c); " +
				"a plan that enables Secure Boot itself must too, or a key burned into an empty slot later would be trusted",
			[]string{"efuse burn_efuse " + strings.Join(args, " ")}})
	}
	for _, k := range f.RevokedKeys {
		steps = append(steps, efuseStep{fmt.Sprintf("Revoke secure boot key %s (digest slot %d)", k.Name, k.Slot),
			fmt.Sprintf("the manifest marks key %s revoked: the ROM and bootloader then refuse signatures made with it; the images are signed with the remaining keys", k.Name),
			[]string{"efuse burn_efuse " + shQuote(fmt.Sprintf("SECURE_BOOT_KEY_REVOKE%d", k.Slot)) + " " + shQuote("1")}})
	}
	return steps
}

// fleetWeakened names the revocations the manifest opted out of.
func (p *EfusePlan) fleetWeakened() []string {
	if p.Fleet == nil || len(p.Fleet.UnrevokedSlots) == 0 {
		return nil
	}
	var names []string
	for _, s := range p.Fleet.UnrevokedSlots {
		names = append(names, fmt.Sprintf("SECURE_BOOT_KEY_REVOKE%d", s))
	}
	return []string{"`allow_unused_digest_slots = true`: empty Secure Boot digest slots stay open for a key burned later (CONFIG_SECURE_BOOT_ALLOW_UNUSED_DIGEST_SLOTS); not burned: " + strings.Join(names, ", ")}
}
