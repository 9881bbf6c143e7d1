package secureboot

import (
	"crypto/aes"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
)

const (
	// espImageMagic starts every ESP firmware image.
	espImageMagic = 0xE9
	// hashAppendedOffset is the extended-header byte saying a SHA-256 follows the image.
	hashAppendedOffset = 23
	// bootloaderDigestIVMax is how many IV bytes espsecure reads from the IV file.
	bootloaderDigestIVMax = 128
	// bootloaderDigestSector is the size of the digest sector written before the image.
	bootloaderDigestSector = 0x1000
)

// expandHardwareKey turns a 128/192/256-bit eFuse key into the 256-bit AES key the
// secure boot engine uses: 128-bit keys are extended with SHA-256 and 192-bit keys
// (3/4 coding scheme) by repeating bytes 8..15, as the hardware does.
func expandHardwareKey(key []byte) ([]byte, error) {
	switch len(key) {
	case 16:
		sum := sha256.Sum256(key)
		return sum[:], nil
	case 24:
		out := append(append([]byte{}, key...), key[8:16]...)
		return out, nil
	case 32:
		return append([]byte{}, key...), nil
	}
	return nil, fmt.Errorf("%w: Key file contains wrong length (%d bytes), 16, 24 or 32 expected", ErrHardwareKey, len(key))
}

// DigestSecureBootloader computes the Secure Boot V1 reflashable-bootloader digest and
// returns the 0x1000-byte digest sector (IV, digest, 0xFF padding) followed by the image
// as the ROM reads it, byte-exact with `espsecure.py digest_secure_bootloader`.
// key is the raw eFuse key (16, 24 or 32 bytes); only the first 128 bytes of iv are
// used, and a shorter iv is used as given. The caller supplies the IV: the tool's
// default is 128 random bytes.
func DigestSecureBootloader(key, iv, image []byte) ([]byte, error) {
	if len(iv) > bootloaderDigestIVMax {
		iv = iv[:bootloaderDigestIVMax]
	}
	aesKey, err := expandHardwareKey(key)
	if err != nil {
		return nil, err
	}
	if len(image) < hashAppendedOffset+1 || image[0] != espImageMagic {
		return nil, fmt.Errorf("%w: Invalid firmware image magic", ErrImage)
	}
	plain := append([]byte{}, image...)
	switch image[hashAppendedOffset] {
	case 0:
	case 1:
		// The ROM reads whole 128-byte blocks and ignores the appended SHA-256, so a
		// digest that spills at most 32 bytes into a final block is dropped.
		if rem := len(plain) % 128; rem <= 32 {
			plain = plain[:len(plain)-rem]
		}
	default:
		return nil, fmt.Errorf("%w: Invalid value for append_digest field (0x%02x). Should be 0 or 1.", ErrImage, image[hashAppendedOffset])
	}
	for len(plain)%128 != 0 {
		plain = append(plain, 0xFF)
	}

	block, err := aes.NewCipher(aesKey)
	if err != nil {
		return nil, err
	}
	h := sha512.New()
	in := append(append([]byte{}, iv...), plain...)
	var buf, out [16]byte
	// The engine runs AES-256-ECB on byte-reversed blocks and feeds SHA-512 with each
	// output word byte-swapped; a trailing partial block (short IV) is ignored.
	for off := 0; off+16 <= len(in); off += 16 {
		for i := range 16 {
			buf[i] = in[off+15-i]
		}
		block.Encrypt(out[:], buf[:])
		for w := 0; w < 16; w += 4 {
			// reverse(out) then reverse each word == words of out in reverse order
			h.Write(out[12-w : 16-w])
		}
	}
	digest := h.Sum(nil)

	res := make([]byte, 0, bootloaderDigestSector+len(plain))
	res = append(res, iv...)
	for w := 0; w < len(digest); w += 4 {
		res = append(res, digest[w+3], digest[w+2], digest[w+1], digest[w])
	}
	for len(res) < bootloaderDigestSector {
		res = append(res, 0xFF)
	}
	return append(res, plain...), nil
}
