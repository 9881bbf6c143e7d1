package appimage

import (
	"crypto/sha256"
	"fmt"
)

// Header is the 8-byte common header plus the 16-byte extended header.
type Header struct {
	SegmentCount  byte   `json:"segment_count"`
	FlashMode     byte   `json:"flash_mode"`
	FlashSizeFreq byte   `json:"flash_size_freq"` // high nibble size, low nibble frequency
	Entry         uint32 `json:"entry"`

	WPPin        byte    `json:"wp_pin"`
	ClkDrv       byte    `json:"clk_drv"`
	QDrv         byte    `json:"q_drv"`
	DDrv         byte    `json:"d_drv"`
	CSDrv        byte    `json:"cs_drv"`
	HDDrv        byte    `json:"hd_drv"`
	WPDrv        byte    `json:"wp_drv"`
	ChipID       uint16  `json:"chip_id"`
	MinRev       byte    `json:"min_rev"`      // legacy major-only revision
	MinRevFull   uint16  `json:"min_rev_full"` // major*100+minor
	MaxRevFull   uint16  `json:"max_rev_full"`
	Reserved     [4]byte `json:"reserved"`
	HashAppended bool    `json:"hash_appended"`
}

// Segment is one loadable segment as stored in the file.
type Segment struct {
	Addr       uint32 `json:"addr"`
	FileOffset int    `json:"file_offset"` // offset of the 8-byte segment header
	Data       []byte `json:"-"`
}

// Image is a decoded ESP32-family firmware image.
type Image struct {
	Header   Header    `json:"header"`
	Segments []Segment `json:"segments"`

	Checksum       byte `json:"checksum"`
	ChecksumOffset int  `json:"checksum_offset"`
	// DataLen covers header, segments, padding and checksum: what the appended
	// SHA-256 is computed over (esptool's data_length).
	DataLen int `json:"data_len"`
	// StoredSHA256 is what follows the checksum when the header says a hash is
	// appended; it may be shorter than 32 bytes if the file is cut.
	StoredSHA256 []byte   `json:"stored_sha256,omitempty"`
	CalcSHA256   [32]byte `json:"-"`

	AppDesc        *AppDesc        `json:"app_desc,omitempty"`
	BootloaderDesc *BootloaderDesc `json:"bootloader_desc,omitempty"`

	// Trailer is everything after Len(): e.g. a Secure Boot signature block or
	// flash padding.
	Trailer  []byte `json:"-"`
	FileSize int    `json:"file_size"`
}

// Len is the length of the image proper: header through checksum, plus the
// appended SHA-256 when present.
func (img *Image) Len() int {
	if img.Header.HashAppended {
		return img.DataLen + len(img.StoredSHA256)
	}
	return img.DataLen
}

// CalcChecksum recomputes the checksum over segment data. Segment data that is not
// 4-byte aligned is padded with zeroes by esptool, which does not change the XOR.
func (img *Image) CalcChecksum() byte {
	c := byte(checksumSeed)
	for _, s := range img.Segments {
		c = xorChecksum(s.Data, c)
	}
	return c
}

// ChecksumValid reports whether the stored checksum matches the segments.
func (img *Image) ChecksumValid() bool { return img.Checksum == img.CalcChecksum() }

// SHA256Valid reports whether an appended SHA-256 is present and correct.
func (img *Image) SHA256Valid() bool {
	return img.Header.HashAppended && len(img.StoredSHA256) == sha256Len &&
		[32]byte(img.StoredSHA256) == img.CalcSHA256
}

// FlashModeName returns the flash mode spelling, e.g. "dio".
func (img *Image) FlashModeName() (string, bool) { return FlashModeName(img.Header.FlashMode) }

// FlashSizeName returns the flash size spelling, e.g. "4MB".
func (img *Image) FlashSizeName() (string, bool) {
	return FlashSizeName(img.Header.FlashSizeFreq & 0xF0)
}

// FlashFreqName returns the frequency spelling for chip c, e.g. "80m".
func (img *Image) FlashFreqName(c *Chip) (string, bool) {
	return c.FlashFreqName(img.Header.FlashSizeFreq & 0x0F)
}

// CheckChip returns ErrWrongChip when the header's chip id is not c's.
func (img *Image) CheckChip(c *Chip) error {
	if img.Header.ChipID != c.ImageChipID {
		return fmt.Errorf("%w: expected chip id %d (%s) but image has %d", ErrWrongChip,
			c.ImageChipID, c.Name, img.Header.ChipID)
	}
	return nil
}

// Decode parses an ESP32-family image. It accepts what esptool's loader accepts;
// a wrong chip id is not an error here (see CheckChip).
func Decode(b []byte) (*Image, error) {
	if len(b) < commonHeaderLen {
		return nil, &OffsetError{len(b), ErrTruncated, "image shorter than the 8-byte header"}
	}
	if b[offMagic] != ImageMagic {
		return nil, &OffsetError{0, ErrBadMagic, fmt.Sprintf("Invalid firmware image magic=0x%x", b[0])}
	}
	if len(b) < HeaderLen {
		return nil, &OffsetError{len(b), ErrTruncated, "image shorter than the 24-byte extended header"}
	}
	img := &Image{FileSize: len(b)}
	h := &img.Header
	h.SegmentCount = b[offSegCount]
	h.FlashMode = b[offFlashMode]
	h.FlashSizeFreq = b[offSizeFreq]
	h.Entry = le32(b[offEntry:])
	h.WPPin = b[offWPPin]
	h.ClkDrv, h.QDrv = b[offDrv0]&0x0F, b[offDrv0]>>4
	h.DDrv, h.CSDrv = b[offDrv0+1]&0x0F, b[offDrv0+1]>>4
	h.HDDrv, h.WPDrv = b[offDrv0+2]&0x0F, b[offDrv0+2]>>4
	h.ChipID = le16(b[offChipID:])
	h.MinRev = b[offMinRev]
	h.MinRevFull = le16(b[offMinRevFull:])
	h.MaxRevFull = le16(b[offMaxRevFull:])
	copy(h.Reserved[:], b[offReserved:offReserved+4])
	switch b[offHashAppend] {
	case 0:
	case 1:
		h.HashAppended = true
	default:
		return nil, &OffsetError{offHashAppend, ErrBadHeader,
			fmt.Sprintf("Invalid value for append_digest field (0x%02x). Should be 0 or 1.", b[offHashAppend])}
	}

	pos := HeaderLen
	for i := 0; i < int(h.SegmentCount); i++ {
		if len(b)-pos < segmentHeaderLen {
			return nil, &OffsetError{pos, ErrTruncated, fmt.Sprintf("segment %d header cut short", i)}
		}
		addr, size := le32(b[pos:]), le32(b[pos+4:])
		if uint64(size) > uint64(len(b)-pos-segmentHeaderLen) {
			return nil, &OffsetError{pos, ErrTruncated, fmt.Sprintf(
				"End of file reading segment 0x%x, length %d (actual length %d)",
				addr, size, len(b)-pos-segmentHeaderLen)}
		}
		data := b[pos+segmentHeaderLen : pos+segmentHeaderLen+int(size)]
		img.Segments = append(img.Segments, Segment{Addr: addr, FileOffset: pos, Data: data})
		pos += segmentHeaderLen + int(size)
	}
	cs := checksumOffset(pos)
	if cs >= len(b) {
		return nil, &OffsetError{cs, ErrTruncated, "image ends before its checksum byte"}
	}
	img.Checksum, img.ChecksumOffset, img.DataLen = b[cs], cs, cs+1
	if h.HashAppended {
		end := min(len(b), img.DataLen+sha256Len)
		img.StoredSHA256 = b[img.DataLen:end]
		img.CalcSHA256 = sha256.Sum256(b[:img.DataLen])
	}
	if len(img.Segments) > maxSegments {
		return nil, &OffsetError{offSegCount, ErrTooManySegments, fmt.Sprintf(
			"Invalid segment count %d (max 16). Usually this indicates a linker script problem.", len(img.Segments))}
	}
	img.Trailer = b[img.Len():]
	img.findDescriptors()
	return img, nil
}

// findDescriptors locates esp_app_desc_t at the start of the first DROM segment, or
// else esp_bootloader_desc_t at the start of the first DRAM segment.
func (img *Image) findDescriptors() {
	chip, err := ChipByImageID(img.Header.ChipID)
	if err != nil {
		return
	}
	for _, s := range img.Segments {
		if has(chip.MemoryTypes(s.Addr), "DROM") {
			if d, err := ParseAppDesc(s.Data); err == nil {
				img.AppDesc = d
			}
			return
		}
	}
	for _, s := range img.Segments {
		if has(chip.MemoryTypes(s.Addr), "DRAM") {
			if d, err := ParseBootloaderDesc(s.Data); err == nil {
				img.BootloaderDesc = d
			}
			return
		}
	}
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
