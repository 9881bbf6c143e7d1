package appimage

import "encoding/binary"

// Byte layout of esp_image_header_t + esp_image_segment_header_t (esp-idf
// bootloader_support/include/esp_app_format.h), as esptool reads it.
const (
	ImageMagic       = 0xE9
	checksumSeed     = 0xEF
	commonHeaderLen  = 8
	extHeaderLen     = 16
	HeaderLen        = commonHeaderLen + extHeaderLen
	segmentHeaderLen = 8
	maxSegments      = 16
	sha256Len        = 32
	// WPPinDisabled tells the ROM to leave the WP pin alone.
	WPPinDisabled = 0xEE
)

// Field offsets inside the 24-byte header.
const (
	offMagic      = 0
	offSegCount   = 1
	offFlashMode  = 2
	offSizeFreq   = 3
	offEntry      = 4
	offWPPin      = 8
	offDrv0       = 9
	offChipID     = 12
	offMinRev     = 14
	offMinRevFull = 15
	offMaxRevFull = 17
	offReserved   = 19
	offHashAppend = 23
)

func le16(b []byte) uint16 { return binary.LittleEndian.Uint16(b) }
func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }

// xorChecksum folds data into the running ESP checksum.
func xorChecksum(data []byte, state byte) byte {
	for _, b := range data {
		state ^= b
	}
	return state
}

// checksumOffset is where the checksum byte sits when the segments end at pos:
// the image is padded so that the checksum is the last byte of a 16-byte block.
func checksumOffset(pos int) int {
	return pos + 15 - pos%16
}
