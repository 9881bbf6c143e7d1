package appimage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf8"
)

// AppDescMagic starts esp_app_desc_t, placed by ESP-IDF at the start of the first
// DROM segment.
const (
	AppDescMagic        = 0xABCD5432
	AppDescLen          = 256
	BootloaderDescMagic = 0x50
	BootloaderDescLen   = 80
)

// esp_app_desc_t field offsets (esp_app_format/include/esp_app_desc.h).
const (
	adMagic      = 0
	adSecureVer  = 4
	adVersion    = 16
	adProject    = 48
	adTime       = 80
	adDate       = 96
	adIDFVer     = 112
	adELFSHA     = 144
	adMinEfuse   = 176
	adMaxEfuse   = 178
	adMMUPage    = 180
	adFlashMode  = 181
	adVersionLen = 32
	adProjectLen = 32
	adTimeLen    = 16
	adDateLen    = 16
	adIDFVerLen  = 32
)

// AppDesc is esp_app_desc_t. String fields are the fixed-size C arrays with their
// NUL padding removed; Raw keeps the exact 256 bytes.
type AppDesc struct {
	SecureVersion      uint32           `json:"secure_version"`
	Version            string           `json:"version"`
	ProjectName        string           `json:"project_name"`
	Time               string           `json:"time"`
	Date               string           `json:"date"`
	IDFVersion         string           `json:"idf_version"`
	ELFSHA256          [32]byte         `json:"-"`
	MinEfuseBlkRevFull uint16           `json:"min_efuse_blk_rev_full"`
	MaxEfuseBlkRevFull uint16           `json:"max_efuse_blk_rev_full"`
	MMUPageSizeLog2    byte             `json:"mmu_page_size_log2"`
	SPIFlashMode       byte             `json:"spi_flash_mode"` // newer ESP-IDF only; 0 otherwise
	Raw                [AppDescLen]byte `json:"-"`
}

// ParseAppDesc reads esp_app_desc_t from the start of b.
func ParseAppDesc(b []byte) (*AppDesc, error) {
	if len(b) < AppDescLen {
		return nil, fmt.Errorf("%w: app descriptor needs %d bytes, have %d", ErrBadDescriptor, AppDescLen, len(b))
	}
	if m := le32(b[adMagic:]); m != AppDescMagic {
		return nil, fmt.Errorf("%w: app descriptor magic 0x%08x, want 0x%08x", ErrBadDescriptor, m, AppDescMagic)
	}
	d := &AppDesc{
		SecureVersion:      le32(b[adSecureVer:]),
		Version:            cString(b[adVersion : adVersion+adVersionLen]),
		ProjectName:        cString(b[adProject : adProject+adProjectLen]),
		Time:               cString(b[adTime : adTime+adTimeLen]),
		Date:               cString(b[adDate : adDate+adDateLen]),
		IDFVersion:         cString(b[adIDFVer : adIDFVer+adIDFVerLen]),
		MinEfuseBlkRevFull: le16(b[adMinEfuse:]),
		MaxEfuseBlkRevFull: le16(b[adMaxEfuse:]),
		MMUPageSizeLog2:    b[adMMUPage],
		SPIFlashMode:       b[adFlashMode],
	}
	copy(d.ELFSHA256[:], b[adELFSHA:adELFSHA+32])
	copy(d.Raw[:], b[:AppDescLen])
	return d, nil
}

// Encode lays the descriptor out as 256 bytes. Strings too long for their C array
// are refused rather than cut, because a silently shortened version would be
// misleading; a string may fill its array completely (no NUL), as ESP-IDF allows.
func (d *AppDesc) Encode() ([]byte, error) {
	b := make([]byte, AppDescLen)
	binary.LittleEndian.PutUint32(b[adMagic:], AppDescMagic)
	binary.LittleEndian.PutUint32(b[adSecureVer:], d.SecureVersion)
	fields := []struct {
		name string
		val  string
		off  int
		n    int
	}{
		{"version", d.Version, adVersion, adVersionLen},
		{"project_name", d.ProjectName, adProject, adProjectLen},
		{"time", d.Time, adTime, adTimeLen},
		{"date", d.Date, adDate, adDateLen},
		{"idf_ver", d.IDFVersion, adIDFVer, adIDFVerLen},
	}
	for _, f := range fields {
		if len(f.val) > f.n {
			return nil, fmt.Errorf("%w: app descriptor %s %q is longer than %d bytes", ErrBuild, f.name, f.val, f.n)
		}
		if err := checkDescString(f.name, f.val); err != nil {
			return nil, err
		}
		copy(b[f.off:f.off+f.n], f.val)
	}
	copy(b[adELFSHA:], d.ELFSHA256[:])
	binary.LittleEndian.PutUint16(b[adMinEfuse:], d.MinEfuseBlkRevFull)
	binary.LittleEndian.PutUint16(b[adMaxEfuse:], d.MaxEfuseBlkRevFull)
	b[adMMUPage] = d.MMUPageSizeLog2
	b[adFlashMode] = d.SPIFlashMode
	return b, nil
}

// esp_bootloader_desc_t field offsets (bootloader_support/include/esp_bootloader_desc.h).
const (
	bdMagic      = 0
	bdVersion    = 4
	bdIDFVer     = 8
	bdIDFVerLen  = 32
	bdDateTime   = 40
	bdDateTimeLn = 24
)

// BootloaderDesc is esp_bootloader_desc_t, at the start of a v5.2+ bootloader's
// first DRAM segment.
type BootloaderDesc struct {
	Version    uint32                  `json:"version"`
	IDFVersion string                  `json:"idf_version"`
	DateTime   string                  `json:"date_time"`
	Raw        [BootloaderDescLen]byte `json:"-"`
}

// ParseBootloaderDesc reads esp_bootloader_desc_t from the start of b.
func ParseBootloaderDesc(b []byte) (*BootloaderDesc, error) {
	if len(b) < BootloaderDescLen {
		return nil, fmt.Errorf("%w: bootloader descriptor needs %d bytes, have %d", ErrBadDescriptor, BootloaderDescLen, len(b))
	}
	if b[bdMagic] != BootloaderDescMagic {
		return nil, fmt.Errorf("%w: bootloader descriptor magic 0x%02x, want 0x%02x", ErrBadDescriptor, b[0], BootloaderDescMagic)
	}
	d := &BootloaderDesc{
		Version:    le32(b[bdVersion:]),
		IDFVersion: cString(b[bdIDFVer : bdIDFVer+bdIDFVerLen]),
		DateTime:   cString(b[bdDateTime : bdDateTime+bdDateTimeLn]),
	}
	copy(d.Raw[:], b[:BootloaderDescLen])
	return d, nil
}

// Encode lays the descriptor out as 80 bytes.
func (d *BootloaderDesc) Encode() ([]byte, error) {
	b := make([]byte, BootloaderDescLen)
	b[bdMagic] = BootloaderDescMagic
	binary.LittleEndian.PutUint32(b[bdVersion:], d.Version)
	if len(d.IDFVersion) > bdIDFVerLen || len(d.DateTime) > bdDateTimeLn {
		return nil, fmt.Errorf("%w: bootloader descriptor string too long", ErrBuild)
	}
	if err := checkDescString("idf_ver", d.IDFVersion); err != nil {
		return nil, err
	}
	if err := checkDescString("date_time", d.DateTime); err != nil {
		return nil, err
	}
	copy(b[bdIDFVer:], d.IDFVersion)
	copy(b[bdDateTime:], d.DateTime)
	return b, nil
}

// checkDescString refuses strings that would not read back: an embedded NUL ends
// the C string early, and esptool cannot print bytes that are not UTF-8.
func checkDescString(name, v string) error {
	if strings.IndexByte(v, 0) >= 0 || !utf8.ValidString(v) {
		return fmt.Errorf("%w: descriptor %s %q must be UTF-8 without NUL bytes", ErrBuild, name, v)
	}
	return nil
}

func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}
