package appimage

import (
	"crypto/sha256"
	"fmt"
)

// Keep leaves a flash parameter as the image has it (esptool's "keep").
const Keep = "keep"

// FlashParams holds esptool spellings: mode qio/qout/dio/dout, frequency such as
// "80m" (chip-specific), size such as "4MB". "" is treated as Keep.
type FlashParams struct {
	Mode, Freq, Size string
}

// AllKeep reports whether no parameter would change.
func (p FlashParams) AllKeep() bool {
	return isKeep(p.Mode) && isKeep(p.Freq) && isKeep(p.Size)
}

func isKeep(s string) bool { return s == "" || s == Keep }

// FlashParamsChange reports what PatchFlashParams did, mirroring esptool's
// "Flash params set to 0x...." and "SHA digest in image updated" messages.
type FlashParamsChange struct {
	Before, After [2]byte // header bytes 2-3 (mode, size|freq)
	HeaderChanged bool
	SHAUpdated    bool
}

// SetFlashParams patches flash mode/frequency/size into a bootloader image header
// and recomputes its appended SHA-256, exactly as esptool merge_bin and
// write_flash do at the bootloader offset. The input is never modified.
// Data that is not a valid image for the chip yields an error wrapping
// ErrNotImage (esptool warns and leaves such data alone).
func SetFlashParams(b []byte, chip, mode, freq, size string) ([]byte, error) {
	out, _, err := PatchFlashParams(b, chip, FlashParams{mode, freq, size})
	return out, err
}

// PatchFlashParams is SetFlashParams that also reports what changed.
func PatchFlashParams(b []byte, chip string, p FlashParams) ([]byte, FlashParamsChange, error) {
	var ch FlashParamsChange
	c, err := LookupChip(chip)
	if err != nil {
		return b, ch, err
	}
	if len(b) < commonHeaderLen {
		return b, ch, fmt.Errorf("%w: %d bytes is too short to be an image", ErrNotImage, len(b))
	}
	copy(ch.Before[:], b[offFlashMode:offSizeFreq+1])
	ch.After = ch.Before
	if p.AllKeep() {
		return b, ch, nil
	}
	if b[offMagic] != ImageMagic {
		return b, ch, fmt.Errorf("%w: data doesn't look like an image file (first byte 0x%02x)", ErrNotImage, b[0])
	}
	img, err := Decode(b)
	if err != nil {
		return b, ch, fmt.Errorf("%w: not a valid %s image: %w", ErrNotImage, c.DisplayName, err)
	}

	mode, sizeFreq := b[offFlashMode], b[offSizeFreq]
	if !isKeep(p.Mode) {
		if mode, err = FlashModeCode(p.Mode); err != nil {
			return b, ch, err
		}
	}
	freq := sizeFreq & 0x0F
	if !isKeep(p.Freq) {
		if freq, err = c.FlashFreqCode(p.Freq); err != nil {
			return b, ch, err
		}
	}
	size := sizeFreq & 0xF0
	if !isKeep(p.Size) {
		if size, err = c.FlashSizeCode(p.Size); err != nil {
			return b, ch, err
		}
	}
	ch.After = [2]byte{mode, size + freq}

	out := make([]byte, len(b))
	copy(out, b)
	if ch.After != ch.Before {
		ch.HeaderChanged = true
		out[offFlashMode], out[offSizeFreq] = ch.After[0], ch.After[1]
	}
	// esptool recomputes the digest whenever one is appended and any option is
	// not keep, even if the header did not change; a digest cut short by the end
	// of the data is completed, growing the output.
	if img.Header.HashAppended {
		sum := sha256.Sum256(out[:img.DataLen])
		tail := out[min(len(out), img.DataLen+sha256Len):]
		res := make([]byte, 0, img.DataLen+sha256Len+len(tail))
		res = append(res, out[:img.DataLen]...)
		res = append(res, sum[:]...)
		out = append(res, tail...)
		ch.SHAUpdated = true
	}
	return out, ch, nil
}
