package flashenc

import "crypto/sha256"

// expandKey writes the key the hardware actually uses into dst and returns its
// length, applying espsecure's extensions: SHA-256 of a 16-byte key (the
// ESP32-C2 derived key) and k || k[8:16] for a 24-byte key (ESP32 3/4 coding).
// The caller has already checked len(key).
func expandKey(dst *[64]byte, key []byte) int {
	switch len(key) {
	case 16:
		sum := sha256.Sum256(key)
		copy(dst[:], sum[:])
		clear(sum[:])
		return 32
	case 24:
		copy(dst[:24], key)
		copy(dst[24:32], key[8:16])
		return 32
	}
	return copy(dst[:], key)
}
