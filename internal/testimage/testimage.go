// Package testimage makes well-formed ESP firmware images for tests and the bundled
// examples. Espressif's binaries cannot ship with the project, so the examples boot
// from these instead: real headers, segments, checksums, SHA-256 and app descriptions,
// with deterministic filler where the code would be.
package testimage

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"

	"github.com/espcompose/espcompose/format/appimage"
)

// AppSpec describes a generated application image.
type AppSpec struct {
	Chip          string
	Project       string
	Version       string
	IDFVersion    string // default "v5.3.1"
	SecureVersion uint32
	// CodeSize is the size of the flash-mapped code segment; images grow with it.
	CodeSize int
	// Flash header fields; empty means dio, 40m (or the chip's equivalent), 2MB.
	FlashMode, FlashFreq, FlashSize string
}

func (s AppSpec) flash(c *appimage.Chip) (mode, freq, size string) {
	mode, freq, size = s.FlashMode, s.FlashFreq, s.FlashSize
	if mode == "" {
		mode = "dio"
	}
	if freq == "" {
		freq = defaultFreq(c)
	}
	if size == "" {
		size = "2MB"
	}
	return mode, freq, size
}

// App builds an application image.
func App(s AppSpec) ([]byte, error) {
	c, err := appimage.LookupChip(s.Chip)
	if err != nil {
		return nil, err
	}
	iram, dram, err := ramRanges(c)
	if err != nil {
		return nil, err
	}
	if s.CodeSize <= 0 {
		s.CodeSize = 0x4000
	}
	idf := s.IDFVersion
	if idf == "" {
		idf = "v5.3.1"
	}
	seed := s.Project + "/" + s.Version
	mode, freq, size := s.flash(c)
	return appimage.Build(appimage.BuildSpec{
		Chip: s.Chip, Entry: iram + 0x100, FlashMode: mode, FlashFreq: freq, FlashSize: size,
		AppDesc: &appimage.AppDesc{
			SecureVersion: s.SecureVersion, Version: s.Version, ProjectName: s.Project,
			Time: "00:00:00", Date: "Jan  1 2026", IDFVersion: idf, MMUPageSizeLog2: 16,
		},
		Segments: []appimage.BuildSegment{
			{Addr: c.DROMStart + 0x20 + appimage.AppDescLen, Data: filler(seed+"/rodata", 0x800)},
			{Addr: c.IROMStart + 0x20, Data: filler(seed+"/text", s.CodeSize)},
			{Addr: iram, Data: filler(seed+"/iram", 0x1000)},
			{Addr: dram, Data: filler(seed+"/dram", 0x400)},
		},
	})
}

// Bootloader builds a second-stage bootloader image (RAM segments only, as ESP-IDF's).
func Bootloader(chip string) ([]byte, error) { return BootloaderWith(AppSpec{Chip: chip}) }

// BootloaderWith builds a bootloader with the flash header fields of s.
func BootloaderWith(s AppSpec) ([]byte, error) {
	chip := s.Chip
	c, err := appimage.LookupChip(chip)
	if err != nil {
		return nil, err
	}
	iram, dram, err := ramRanges(c)
	if err != nil {
		return nil, err
	}
	mode, freq, size := s.flash(c)
	return appimage.Build(appimage.BuildSpec{
		Chip: chip, Entry: iram + 0x80, FlashMode: mode, FlashFreq: freq, FlashSize: size,
		BootloaderDesc: &appimage.BootloaderDesc{Version: 1, IDFVersion: "v5.3.1", DateTime: "Jan  1 2026 00:00:00"},
		Segments: []appimage.BuildSegment{
			{Addr: iram + 0x1000, Data: filler(chip+"/bootloader/text", 0x3000)},
			{Addr: dram + 0x2000, Data: filler(chip+"/bootloader/data", 0x600)},
		},
	})
}

func ramRanges(c *appimage.Chip) (iram, dram uint32, err error) {
	for _, m := range c.MemoryMap {
		switch m.Name {
		case "IRAM":
			if iram == 0 {
				iram = m.Start
			}
		case "DRAM":
			if dram == 0 {
				dram = m.Start
			}
		}
	}
	if iram == 0 || dram == 0 {
		return 0, 0, fmt.Errorf("testimage: no IRAM/DRAM range known for %s", c.Name)
	}
	return iram, dram, nil
}

func defaultFreq(c *appimage.Chip) string {
	if len(c.FlashFreqs) == 0 {
		return ""
	}
	for _, f := range c.FlashFreqs {
		if f.Name == "40m" {
			return f.Name
		}
	}
	return c.FlashFreqs[1].Name
}

// filler is deterministic pseudo-random bytes (xorshift seeded from the label), so
// images differ by project and version but never between runs.
func filler(label string, n int) []byte {
	h := fnv.New64a()
	h.Write([]byte(label))
	x := h.Sum64() | 1
	out := make([]byte, (n+7)/8*8)
	for i := 0; i < len(out); i += 8 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		binary.LittleEndian.PutUint64(out[i:], x)
	}
	return out[:n]
}
