package doctor

import (
	"bytes"
	"crypto/sha256"
	"fmt"

	"github.com/espcompose/espcompose/format/appimage"
	"github.com/espcompose/espcompose/format/secureboot"
)

// Header bytes esptool rewrites at the bootloader offset: 2 is the flash mode,
// 3 holds the flash size (high nibble) and frequency (low nibble).
const (
	offFlashMode = 2
	offSizeFreq  = 3
)

// parseSignatures reads a Secure Boot V2 signature sector (nil if it is none).
func parseSignatures(sector []byte) []*secureboot.SignatureBlock {
	if len(sector) < secureboot.SectorSize {
		return nil
	}
	blocks, err := secureboot.ParseSignatureSector(sector[:secureboot.SectorSize])
	if err != nil {
		return nil
	}
	return blocks
}

// digestMatches reports whether any block's image digest is that of content.
func digestMatches(content []byte, blocks []*secureboot.SignatureBlock) bool {
	u, err := secureboot.PrepareV2(content, secureboot.PrepareOptions{RequireAligned: true})
	if err != nil {
		return false
	}
	for _, b := range blocks {
		if bytes.Equal(u.Digest(b.Scheme()), b.ImageDigest) {
			return true
		}
	}
	return false
}

// signedHeader finds the header flash parameters a bootloader was signed with,
// when its signature no longer matches: esptool write_flash rewrites bytes 2-3
// (and recomputes the appended SHA-256) after signing (seed 004). Every mode (qio, qout, dio,
// dout) and size/frequency byte is tried; the bootloader is small (< 64 KiB), so
// the 1024 digests cost milliseconds. It returns the parameters as words.
func signedHeader(data []byte, length int, hashAppended bool, chip string) (string, bool) {
	end := (length + secureboot.SectorSize - 1) / secureboot.SectorSize * secureboot.SectorSize
	if end+secureboot.SectorSize > len(data) || end > 256<<10 {
		return "", false
	}
	blocks := parseSignatures(data[end:])
	if len(blocks) == 0 {
		return "", false
	}
	u, err := secureboot.PrepareV2(bytes.Clone(data[:end]), secureboot.PrepareOptions{RequireAligned: true})
	if err != nil || len(u.Content) < 4 {
		return "", false
	}
	now := [2]byte{u.Content[offFlashMode], u.Content[offSizeFreq]}
	c, _ := appimage.LookupChip(chip)
	for mode := range 4 {
		for sf := range 256 {
			if byte(mode) == now[0] && byte(sf) == now[1] {
				continue
			}
			u.Content[offFlashMode], u.Content[offSizeFreq] = byte(mode), byte(sf)
			if hashAppended && length >= sha256.Size {
				// esptool recomputes the appended SHA-256 when it patches the header;
				// the signature covers the hash as it was.
				sum := sha256.Sum256(u.Content[:length-sha256.Size])
				copy(u.Content[length-sha256.Size:length], sum[:])
			}
			for _, b := range blocks {
				if bytes.Equal(u.Digest(b.Scheme()), b.ImageDigest) {
					return headerWords(byte(mode), byte(sf), c), true
				}
			}
		}
	}
	return "", false
}

func headerWords(mode, sizeFreq byte, c *appimage.Chip) string {
	m, ok := appimage.FlashModeName(mode)
	if !ok {
		m = fmt.Sprintf("mode 0x%02x", mode)
	}
	s, ok := appimage.FlashSizeName(sizeFreq & 0xF0)
	if !ok {
		s = fmt.Sprintf("size 0x%x", sizeFreq>>4)
	}
	f := fmt.Sprintf("freq 0x%x", sizeFreq&0x0F)
	if c != nil {
		if name, ok := c.FlashFreqName(sizeFreq & 0x0F); ok {
			f = name
		}
	}
	return m + " " + f + " " + s
}
