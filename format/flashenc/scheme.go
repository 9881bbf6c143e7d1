package flashenc

import (
	"fmt"
	"slices"
	"strings"
)

// Scheme is a flash-encryption algorithm as the chip applies it.
type Scheme int

const (
	// ESP32AES is the original ESP32 scheme: AES-256 with a per-32-byte key tweak.
	ESP32AES Scheme = iota + 1
	// XTSAES128 is XTS-AES-128: a 256-bit key file (two AES-128 keys), or a
	// 128-bit key that is extended with SHA-256 (ESP32-C2).
	XTSAES128
	// XTSAES256 is XTS-AES-256: a 512-bit key file (two AES-256 keys).
	XTSAES256
)

func (s Scheme) String() string {
	switch s {
	case ESP32AES:
		return "ESP32 AES-256"
	case XTSAES128:
		return "XTS-AES-128"
	case XTSAES256:
		return "XTS-AES-256"
	}
	return fmt.Sprintf("Scheme(%d)", int(s))
}

// KeyLengths lists the key lengths in bytes the scheme accepts, as espsecure does:
// 16 is extended with SHA-256 and 24 with its own middle 8 bytes, both to 32.
func (s Scheme) KeyLengths() []int {
	switch s {
	case ESP32AES, XTSAES128:
		return []int{16, 24, 32}
	case XTSAES256:
		return []int{64}
	}
	return nil
}

func (s Scheme) acceptsKey(n int) bool { return slices.Contains(s.KeyLengths(), n) }

// SchemeForKey picks the scheme espsecure uses for a key file of keyLen bytes:
// with aesXTS (its --aes_xts flag) a 64-byte key means XTS-AES-256 and any other
// accepted length XTS-AES-128; without it, the ESP32 scheme.
func SchemeForKey(aesXTS bool, keyLen int) (Scheme, error) {
	s := ESP32AES
	if aesXTS {
		s = XTSAES128
		if keyLen == 64 {
			s = XTSAES256
		}
	}
	switch {
	case !slices.Contains([]int{16, 24, 32, 64}, keyLen):
		return 0, keyLengthError("flash encryption", keyLen, []int{16, 24, 32, 64})
	case !s.acceptsKey(keyLen):
		return 0, keyLengthError(s.String(), keyLen, s.KeyLengths())
	}
	return s, nil
}

// chipKey is one key length a chip's hardware can use and the scheme it selects.
type chipKey struct {
	keyLen int
	scheme Scheme
}

// chipKeys follows ESP-IDF's soc_caps.h (SOC_FLASH_ENCRYPTION_XTS_AES_128/_256/
// _128_DERIVED) and Kconfig: which key lengths each chip's hardware can hold.
// ESP32 holds 256 bits, or 192 bits under the 3/4 coding scheme; espsecure's
// SHA-256 extension of a 16-byte key is not an ESP32 hardware mode, so it is
// only reachable through Options, not through a chip name.
func chipKeys(chip string) ([]chipKey, bool) {
	x128 := chipKey{32, XTSAES128}
	x256 := chipKey{64, XTSAES256}
	switch chip {
	case "esp32":
		return []chipKey{{24, ESP32AES}, {32, ESP32AES}}, true
	case "esp32c2":
		return []chipKey{{16, XTSAES128}, x128}, true
	case "esp32c3", "esp32c6", "esp32c61", "esp32h2", "esp32h21":
		return []chipKey{x128}, true
	case "esp32s2", "esp32s3", "esp32c5", "esp32p4", "esp32h4":
		// On ESP32-C5 the 512-bit key is deployed by the key manager, not efuses.
		return []chipKey{x128, x256}, true
	}
	return nil, false
}

// normalizeChip accepts "esp32c3", "ESP32-C3" and "esp32_c3".
func normalizeChip(chip string) string {
	chip = strings.ToLower(chip)
	chip = strings.ReplaceAll(chip, "-", "")
	return strings.ReplaceAll(chip, "_", "")
}

// SchemeFor returns the scheme chip uses with a key of keyLen bytes. A length the
// chip's hardware cannot hold fails with ErrKeyLength naming the lengths it can.
func SchemeFor(chip string, keyLen int) (Scheme, error) {
	keys, ok := chipKeys(normalizeChip(chip))
	if !ok {
		return 0, fmt.Errorf("%w: %q", ErrChip, chip)
	}
	lens := make([]int, 0, len(keys))
	for _, k := range keys {
		if k.keyLen == keyLen {
			return k.scheme, nil
		}
		lens = append(lens, k.keyLen)
	}
	return 0, keyLengthError(chip, keyLen, lens)
}

// ChipSchemes lists the schemes chip supports, in the order of KeyLengths.
func ChipSchemes(chip string) ([]Scheme, error) {
	keys, ok := chipKeys(normalizeChip(chip))
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrChip, chip)
	}
	var out []Scheme
	for _, k := range keys {
		if len(out) == 0 || out[len(out)-1] != k.scheme {
			out = append(out, k.scheme)
		}
	}
	return out, nil
}

// keyLengthError words the failure like espsecure's "Key file contains wrong
// length (20 bytes), 16, 24, 32 or 64 expected."
func keyLengthError(what string, got int, allowed []int) error {
	list := ""
	for i, l := range allowed {
		switch {
		case i == 0:
		case i == len(allowed)-1:
			list += " or "
		default:
			list += ", "
		}
		list += fmt.Sprint(l)
	}
	return fmt.Errorf("%w: %s key has wrong length (%d bytes), %s expected", ErrKeyLength, what, got, list)
}
