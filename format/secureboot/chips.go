package secureboot

import (
	"errors"
	"fmt"
	"slices"
)

// ErrChip reports a chip or revision without the requested Secure Boot support.
var ErrChip = errors.New("secureboot: not supported by chip")

// ChipCaps is what a chip's ROM and ESP-IDF bootloader accept for Secure Boot.
type ChipCaps struct {
	Chip string
	// V1 is the legacy ESP32-only scheme (ECDSA P-256 bootloader digest).
	V1 bool
	// Schemes lists the Secure Boot V2 signature schemes, in ESP-IDF's menu order.
	Schemes []Scheme
	// KeyDigests is the number of public-key digests eFuse holds, hence how many
	// signature blocks the chip can check (espsecure itself writes up to three).
	KeyDigests int
}

// Supports reports whether s is a V2 scheme of the chip.
func (c ChipCaps) Supports(s Scheme) bool { return slices.Contains(c.Schemes, s) }

// CapsFor returns the Secure Boot support of chip (esptool's name: "esp32", "esp32c3",
// ...) at minimum revision revFull (major*100 + minor, e.g. 300 for v3.0; ESP-IDF's
// CONFIG_<CHIP>_REV_MIN_FULL). It follows ESP-IDF v6.0: soc_caps SOC_SECURE_BOOT_V1,
// SOC_SECURE_BOOT_V2_RSA, SOC_SECURE_BOOT_V2_ECC, SOC_ECDSA_SUPPORT_CURVE_P384,
// SOC_EFUSE_SECURE_BOOT_KEY_DIGESTS and the bootloader Kconfig SECURE_BOOT_V2_* rules:
//   - esp32: V1; V2 RSA only from ECO3 (rev v3.0), with a single key digest.
//   - esp32c2: ECDSA P-192 and P-256 only, a single key digest.
//   - P-384 only where SOC_ECDSA_SUPPORT_CURVE_P384 (esp32c5, esp32p4 from v3.0).
//   - esp32h21 and esp32h4 follow ESP-IDF master, which withdrew their ECDSA
//     (h21) and all (h4) Secure Boot support that v6.0 still declared.
//
// P-192 is legacy: ESP-IDF master (v6.1) removes it from the bootloader, and ESP-IDF
// master marks ECDSA Secure Boot on esp32c5, esp32c61, esp32h2 and esp32p4 as insecure
// for some inputs (needs SECURE_BOOT_V2_FORCE_ENABLE_ECDSA); callers may want to warn.
func CapsFor(chip string, revFull int) (ChipCaps, error) {
	rsa := []Scheme{SchemeRSA3072}
	ecc := []Scheme{SchemeECDSAP192, SchemeECDSAP256}
	ecc384 := []Scheme{SchemeECDSAP192, SchemeECDSAP256, SchemeECDSAP384}
	c := ChipCaps{Chip: chip, KeyDigests: 3}
	switch chip {
	case "esp32":
		c.V1, c.KeyDigests = true, 1
		if revFull >= 300 {
			c.Schemes = rsa
		}
	case "esp32s2", "esp32s3", "esp32c3", "esp32h21":
		c.Schemes = rsa
	case "esp32c2":
		c.Schemes, c.KeyDigests = ecc, 1
	case "esp32c6", "esp32h2":
		c.Schemes = append(rsa, ecc...)
	case "esp32c61":
		c.Schemes = ecc
	case "esp32c5":
		c.Schemes = append(rsa, ecc384...)
	case "esp32p4":
		if revFull >= 300 {
			c.Schemes = append(rsa, ecc384...)
		} else {
			c.Schemes = append(rsa, ecc...)
		}
	default:
		return ChipCaps{}, fmt.Errorf("%w: no Secure Boot support known for %q", ErrChip, chip)
	}
	return c, nil
}

// CheckChipScheme returns an error wrapping ErrChip unless chip (at revFull) accepts
// V2 signatures of scheme s.
func CheckChipScheme(chip string, revFull int, s Scheme) error {
	c, err := CapsFor(chip, revFull)
	if err != nil {
		return err
	}
	if !c.Supports(s) {
		return fmt.Errorf("%w: %s (rev %d.%d) does not accept Secure Boot V2 %v signatures", ErrChip, chip, revFull/100, revFull%100, s)
	}
	return nil
}
