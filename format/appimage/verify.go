package appimage

import "fmt"

// Verify checks the stored checksum and, when one is appended, the SHA-256.
func (img *Image) Verify() error {
	if calc := img.CalcChecksum(); calc != img.Checksum {
		return &OffsetError{img.ChecksumOffset, ErrChecksum,
			fmt.Sprintf("checksum 0x%02x stored, 0x%02x calculated", img.Checksum, calc)}
	}
	if img.Header.HashAppended && !img.SHA256Valid() {
		return &OffsetError{img.DataLen, ErrDigest, "appended SHA-256 does not match the image"}
	}
	return nil
}

// Check decodes b and makes sure it is an intact image for chip: right chip id,
// valid checksum and digest. It is what a flasher should ask before writing.
func Check(b []byte, chip string) (*Image, error) {
	c, err := LookupChip(chip)
	if err != nil {
		return nil, err
	}
	img, err := Decode(b)
	if err != nil {
		return nil, err
	}
	if err := img.CheckChip(c); err != nil {
		return img, err
	}
	return img, img.Verify()
}
