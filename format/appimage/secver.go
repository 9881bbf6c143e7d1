package appimage

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrNoAppDesc is an image without esp_app_desc_t, so without a secure_version.
var ErrNoAppDesc = errors.New("image has no app description (esp_app_desc_t)")

// SetSecureVersion writes secure_version into the image's esp_app_desc_t (the
// uint32 after magic_word, at offset 4 of the struct, as
// components/esp_app_format/include/esp_app_desc.h lays it out) and recomputes the
// image checksum and the appended SHA-256, so the bootloader's anti-rollback check
// (esp_efuse_check_secure_version) reads the new value from a valid image. It refuses
// an image that carries anything after its hash (a signature block): patching would
// invalidate it, so signing must come after this. The input is never modified.
func SetSecureVersion(b []byte, version uint32) ([]byte, error) {
	img, err := Decode(b)
	if err != nil {
		return nil, err
	}
	if img.AppDesc == nil {
		return nil, ErrNoAppDesc
	}
	if len(img.Trailer) > 0 && !allBytes(img.Trailer, 0xFF) && !allBytes(img.Trailer, 0x00) {
		return nil, fmt.Errorf("image has %d bytes after its hash (a signature?); secure_version must be set before the image is signed", len(img.Trailer))
	}
	// The descriptor starts the first DROM segment; find that segment's data offset.
	at := -1
	chip, err := ChipByImageID(img.Header.ChipID)
	if err != nil {
		return nil, err
	}
	for _, s := range img.Segments {
		if has(chip.MemoryTypes(s.Addr), "DROM") {
			at = s.FileOffset + segmentHeaderLen + adSecureVer
			break
		}
	}
	if at < 0 {
		return nil, ErrNoAppDesc
	}
	out := append([]byte(nil), b...)
	binary.LittleEndian.PutUint32(out[at:], version)
	patched, err := Decode(out)
	if err != nil {
		return nil, err
	}
	out[patched.ChecksumOffset] = patched.CalcChecksum()
	if patched.Header.HashAppended {
		if len(patched.StoredSHA256) != sha256Len {
			return nil, fmt.Errorf("%w: appended SHA-256 cut short", ErrTruncated)
		}
		sum := sha256.Sum256(out[:patched.DataLen])
		copy(out[patched.DataLen:], sum[:])
	}
	return out, nil
}

func allBytes(b []byte, v byte) bool {
	for _, c := range b {
		if c != v {
			return false
		}
	}
	return true
}
