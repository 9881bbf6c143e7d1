package stages

import (
	"fmt"
	"sort"
	"strings"

	"github.com/espcompose/espcompose/format/flashenc"
)

// flashAlgorithm is what a flash encryption key algorithm names: the hardware scheme
// and the length of the key file that the eFuse (or key manager) holds.
type flashAlgorithm struct {
	scheme flashenc.Scheme
	keyLen int
}

// flashAlgorithms are the manifest's flash encryption algorithms. Which chip has which
// follows ESP-IDF, through flashenc's chip table:
//   - components/soc/<chip>/include/soc/soc_caps.h: SOC_FLASH_ENCRYPTION_XTS_AES_128
//     (256-bit key in one BLOCK_KEYN), SOC_FLASH_ENCRYPTION_XTS_AES_256 (512-bit key in
//     two blocks: ESP32-S2, -S3, -P4; -C5 through its key manager) and
//     SOC_FLASH_ENCRYPTION_XTS_AES_128_DERIVED (ESP32-C2 only: 128 eFuse bits from which
//     the chip derives its XTS-AES-128 key with SHA-256);
//   - components/bootloader_support/Kconfig, SECURE_FLASH_ENCRYPTION_KEYSIZE: the choices
//     AES128_DERIVED, AES128 (256-bit key) and AES256 (512-bit key), each offered only
//     where the soc_caps above say so;
//   - the ESP32 has no XTS: it encrypts with AES-256 keyed by BLOCK1, tweaked by
//     FLASH_CRYPT_CONFIG, and under the 3/4 eFuse coding scheme that block holds 192 bits.
//
// "aes-128" is deliberately absent: no chip flash-encrypts with a plain 128-bit key
// (a 16-byte key on the ESP32-C2 is xts-aes-128-derived, which must be said).
var flashAlgorithms = map[string]flashAlgorithm{
	"aes-256":             {flashenc.ESP32AES, 32},
	"aes-192":             {flashenc.ESP32AES, 24},
	"xts-aes-128":         {flashenc.XTSAES128, 32},
	"xts-aes-256":         {flashenc.XTSAES256, 64},
	"xts-aes-128-derived": {flashenc.XTSAES128, 16},
}

// FlashScheme is the scheme a chip uses for a key of algorithm, or an error when the
// chip has no such algorithm. The algorithm decides, never the key's length alone:
// a 32-byte xts-aes-128 key on an ESP32 would otherwise be used as AES-256.
func FlashScheme(chip, algorithm string) (flashenc.Scheme, error) {
	a, ok := flashAlgorithms[algorithm]
	if !ok {
		return 0, fmt.Errorf("%q is not a flash encryption algorithm; %s takes %s", algorithm, chip, strings.Join(FlashAlgorithms(chip), " or "))
	}
	s, err := flashenc.SchemeFor(chip, a.keyLen)
	if err != nil || s != a.scheme {
		have := FlashAlgorithms(chip)
		if len(have) == 0 {
			return 0, fmt.Errorf("%s has no flash encryption that espcompose can pre-encrypt for", chip)
		}
		return 0, fmt.Errorf("%s has no %s flash encryption; it supports %s", chip, algorithm, strings.Join(have, " or "))
	}
	return s, nil
}

// FlashAlgorithms lists the flash encryption algorithms of chip, sorted.
func FlashAlgorithms(chip string) []string {
	var out []string
	for name, a := range flashAlgorithms {
		if s, err := flashenc.SchemeFor(chip, a.keyLen); err == nil && s == a.scheme {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// FlashKeyLen is the key file length of a flash encryption algorithm (0: not one).
func FlashKeyLen(algorithm string) int { return flashAlgorithms[algorithm].keyLen }
