package outputs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/espcompose/espcompose/format/appimage"
	"github.com/espcompose/espcompose/format/flashenc"
	"github.com/espcompose/espcompose/format/parttable"
)

// ErrChipUnknown: with the key given, no chip's flash-encryption scheme turns the
// image into a bootloader or partition table.
var ErrChipUnknown = errors.New("the chip cannot be told from the encrypted image")

// detectEncryptedChip finds the chip of a flash-encrypted image with its key.
// Each chip encrypts with its own scheme (ESP32: AES-256 with the address-tweaked
// key; the others XTS-AES, 128 or 256 by key length) and boots from its own
// bootloader offset, so for each chip whose hardware takes a key of this length
// the first block at its bootloader offset is decrypted: it must show the image
// magic 0xE9 and that chip's image id in the extended header. The partition
// table, decrypted with the same scheme, must show its 0xAA50 magic too when it
// is there to read; chips that pass both beat chips that pass one.
func detectEncryptedChip(img, key []byte, conf *uint8, tableOff uint32) (string, error) {
	if tableOff == 0 {
		tableOff = parttable.DefaultOffset
	}
	best, bestScore := "", 0
	var tried []string
	for _, c := range appimage.Chips() {
		scheme, err := flashenc.SchemeFor(c.Name, len(key))
		if err != nil {
			continue
		}
		ciph, err := flashenc.NewCipher(key, flashenc.Options{Scheme: scheme, FlashCryptConf: conf})
		if err != nil {
			continue
		}
		tried = append(tried, c.Name)
		score := 0
		if hdr, ok := decryptBlock(ciph, img, c.BootloaderOffset); ok && hdr[0] == appimage.ImageMagic &&
			binary.LittleEndian.Uint16(hdr[12:]) == c.ImageChipID {
			score += 2
		}
		if score > 0 {
			if t, ok := decryptBlock(ciph, img, tableOff); ok && t[0] == 0xAA && t[1] == 0x50 {
				score++
			}
		}
		ciph.Close()
		if score > bestScore {
			best, bestScore = c.Name, score
		}
	}
	if best == "" {
		return "", fmt.Errorf("%w: with this %d-byte key no chip's scheme (tried %s) decrypts a bootloader header with its own chip id; wrong key, or give --chip", ErrChipUnknown, len(key), strings.Join(tried, ", "))
	}
	return best, nil
}

// decryptBlock decrypts the 32 bytes at off (one ESP32 tweak block, two XTS
// AES blocks; XTS works on 128-byte units but a shorter tail at a unit's start
// is decrypted with that unit's tweak).
func decryptBlock(c *flashenc.Cipher, img []byte, off uint32) ([]byte, bool) {
	if uint64(off)+32 > uint64(len(img)) {
		return nil, false
	}
	out := make([]byte, 32)
	if err := c.DecryptAt(out, img[off:off+32], off); err != nil {
		return nil, false
	}
	return out, true
}
