package appimage

import (
	"encoding/hex"
	"fmt"
)

// Summary is a JSON-friendly description of an image for one chip.
type Summary struct {
	Chip          string           `json:"chip"`
	ImageChipID   uint16           `json:"image_chip_id"`
	ImageChipName string           `json:"image_chip_name,omitempty"` // chip the header names, if known
	Entry         uint32           `json:"entry"`
	FlashMode     string           `json:"flash_mode,omitempty"` // empty when the byte is not a known mode
	FlashSize     string           `json:"flash_size,omitempty"`
	FlashFreq     string           `json:"flash_freq,omitempty"`
	MinRev        string           `json:"min_rev"`
	MaxRev        string           `json:"max_rev"`
	Segments      []SegmentSummary `json:"segments"`
	Checksum      byte             `json:"checksum"`
	ChecksumValid bool             `json:"checksum_valid"`
	SHA256        string           `json:"sha256,omitempty"` // calculated digest, when one is appended
	SHA256Valid   bool             `json:"sha256_valid"`
	Len           int              `json:"len"` // image proper, incl. checksum padding and digest
	FileSize      int              `json:"file_size"`
	TrailerLen    int              `json:"trailer_len"`
	App           *AppDesc         `json:"app,omitempty"`
	Bootloader    *BootloaderDesc  `json:"bootloader,omitempty"`
}

// SegmentSummary describes one segment.
type SegmentSummary struct {
	Addr        uint32   `json:"addr"`
	Length      int      `json:"length"`
	FileOffset  int      `json:"file_offset"`
	MemoryTypes []string `json:"memory_types"`
}

// Describe summarises img for chip (an esptool chip name, or ChipAuto to use the
// header's chip id).
func Describe(img *Image, chip string) (*Summary, error) {
	var c *Chip
	var err error
	if chip == ChipAuto {
		c, err = ChipByImageID(img.Header.ChipID)
	} else {
		c, err = LookupChip(chip)
	}
	if err != nil {
		return nil, err
	}
	h := img.Header
	s := &Summary{
		Chip:          c.Name,
		ImageChipID:   h.ChipID,
		Entry:         h.Entry,
		MinRev:        fmt.Sprintf("v%d.%d", h.MinRevFull/100, h.MinRevFull%100),
		MaxRev:        fmt.Sprintf("v%d.%d", h.MaxRevFull/100, h.MaxRevFull%100),
		Checksum:      img.Checksum,
		ChecksumValid: img.ChecksumValid(),
		SHA256Valid:   img.SHA256Valid(),
		Len:           img.Len(),
		FileSize:      img.FileSize,
		TrailerLen:    len(img.Trailer),
		App:           img.AppDesc,
		Bootloader:    img.BootloaderDesc,
		Segments:      []SegmentSummary{},
	}
	if ic, err := ChipByImageID(h.ChipID); err == nil {
		s.ImageChipName = ic.DisplayName
	}
	s.FlashMode, _ = img.FlashModeName()
	s.FlashSize, _ = img.FlashSizeName()
	s.FlashFreq, _ = img.FlashFreqName(c)
	if h.HashAppended {
		s.SHA256 = hex.EncodeToString(img.CalcSHA256[:])
	}
	for _, seg := range displaySegments(img) {
		types := c.MemoryTypes(seg.Addr)
		if types == nil {
			types = []string{}
		}
		s.Segments = append(s.Segments, SegmentSummary{seg.Addr, len(seg.Data), seg.FileOffset, types})
	}
	return s, nil
}
