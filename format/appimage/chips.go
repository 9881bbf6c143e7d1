package appimage

import (
	"fmt"
	"strconv"
	"strings"
)

// MemRange names one region of a chip's address space. Ranges overlap on purpose:
// esptool lists every region that contains a segment's load address.
type MemRange struct {
	Start, End uint32 // End is exclusive
	Name       string
}

// FreqCode is one flash-frequency spelling and its header nibble. Order matters:
// when two spellings share a nibble (ESP32-C6), esptool reports the first.
type FreqCode struct {
	Name string
	Code byte
}

// Chip describes what esptool 4.8.1 knows about one target.
type Chip struct {
	Name             string // esptool --chip spelling, e.g. "esp32c3"
	DisplayName      string // CHIP_NAME, e.g. "ESP32-C3"
	ImageChipID      uint16
	BootloaderOffset uint32 // flash offset where the ROM looks for the 2nd stage bootloader
	UF2FamilyID      uint32
	IROMStart        uint32
	IROMEnd          uint32
	DROMStart        uint32
	DROMEnd          uint32
	FlashFreqs       []FreqCode
	MemoryMap        []MemRange
}

// ExtendedHeader reports whether images for the chip carry the 16-byte extended
// header; every chip in this table does (only the ESP8266 does not).
func (c *Chip) ExtendedHeader() bool { return true }

// FlashModes maps esptool's mode names to the header byte; shared by all chips.
var flashModes = []FreqCode{{"qio", 0}, {"qout", 1}, {"dio", 2}, {"dout", 3}}

// flashSizes is the same high-nibble encoding on every ESP32-family chip.
var flashSizes = []FreqCode{
	{"1MB", 0x00}, {"2MB", 0x10}, {"4MB", 0x20}, {"8MB", 0x30},
	{"16MB", 0x40}, {"32MB", 0x50}, {"64MB", 0x60}, {"128MB", 0x70},
}

var (
	freqClassic = []FreqCode{{"80m", 0xF}, {"40m", 0x0}, {"26m", 0x1}, {"20m", 0x2}}
	freqH2      = []FreqCode{{"48m", 0xF}, {"24m", 0x0}, {"16m", 0x1}, {"12m", 0x2}}
	freqC2      = []FreqCode{{"60m", 0xF}, {"30m", 0x0}, {"20m", 0x1}, {"15m", 0x2}}
	freqC6      = []FreqCode{{"80m", 0x0}, {"40m", 0x0}, {"20m", 0x2}}
	freqC5      = []FreqCode{{"80m", 0xF}, {"40m", 0x0}, {"20m", 0x2}}
)

var (
	memESP32 = []MemRange{
		{0x00000000, 0x00010000, "PADDING"},
		{0x3F400000, 0x3F800000, "DROM"},
		{0x3F800000, 0x3FC00000, "EXTRAM_DATA"},
		{0x3FF80000, 0x3FF82000, "RTC_DRAM"},
		{0x3FF90000, 0x40000000, "BYTE_ACCESSIBLE"},
		{0x3FFAE000, 0x40000000, "DRAM"},
		{0x3FFE0000, 0x3FFFFFFC, "DIRAM_DRAM"},
		{0x40000000, 0x40070000, "IROM"},
		{0x40070000, 0x40078000, "CACHE_PRO"},
		{0x40078000, 0x40080000, "CACHE_APP"},
		{0x40080000, 0x400A0000, "IRAM"},
		{0x400A0000, 0x400BFFFC, "DIRAM_IRAM"},
		{0x400C0000, 0x400C2000, "RTC_IRAM"},
		{0x400D0000, 0x40400000, "IROM"},
		{0x50000000, 0x50002000, "RTC_DATA"},
	}
	memESP32S2 = []MemRange{
		{0x00000000, 0x00010000, "PADDING"},
		{0x3F000000, 0x3FF80000, "DROM"},
		{0x3F500000, 0x3FF80000, "EXTRAM_DATA"},
		{0x3FF9E000, 0x3FFA0000, "RTC_DRAM"},
		{0x3FF9E000, 0x40000000, "BYTE_ACCESSIBLE"},
		{0x3FF9E000, 0x40072000, "MEM_INTERNAL"},
		{0x3FFB0000, 0x40000000, "DRAM"},
		{0x40000000, 0x4001A100, "IROM_MASK"},
		{0x40020000, 0x40070000, "IRAM"},
		{0x40070000, 0x40072000, "RTC_IRAM"},
		{0x40080000, 0x40800000, "IROM"},
		{0x50000000, 0x50002000, "RTC_DATA"},
	}
	memESP32S3 = []MemRange{
		{0x00000000, 0x00010000, "PADDING"},
		{0x3C000000, 0x3D000000, "DROM"},
		{0x3D000000, 0x3E000000, "EXTRAM_DATA"},
		{0x600FE000, 0x60100000, "RTC_DRAM"},
		{0x3FC88000, 0x3FD00000, "BYTE_ACCESSIBLE"},
		{0x3FC88000, 0x403E2000, "MEM_INTERNAL"},
		{0x3FC88000, 0x3FD00000, "DRAM"},
		{0x40000000, 0x4001A100, "IROM_MASK"},
		{0x40370000, 0x403E0000, "IRAM"},
		{0x600FE000, 0x60100000, "RTC_IRAM"},
		{0x42000000, 0x42800000, "IROM"},
		{0x50000000, 0x50002000, "RTC_DATA"},
	}
	memESP32C3 = []MemRange{
		{0x00000000, 0x00010000, "PADDING"},
		{0x3C000000, 0x3C800000, "DROM"},
		{0x3FC80000, 0x3FCE0000, "DRAM"},
		{0x3FC88000, 0x3FD00000, "BYTE_ACCESSIBLE"},
		{0x3FF00000, 0x3FF20000, "DROM_MASK"},
		{0x40000000, 0x40060000, "IROM_MASK"},
		{0x42000000, 0x42800000, "IROM"},
		{0x4037C000, 0x403E0000, "IRAM"},
		{0x50000000, 0x50002000, "RTC_IRAM"},
		{0x50000000, 0x50002000, "RTC_DRAM"},
		{0x600FE000, 0x60100000, "MEM_INTERNAL2"},
	}
	memESP32C2 = []MemRange{
		{0x00000000, 0x00010000, "PADDING"},
		{0x3C000000, 0x3C400000, "DROM"},
		{0x3FCA0000, 0x3FCE0000, "DRAM"},
		{0x3FC88000, 0x3FD00000, "BYTE_ACCESSIBLE"},
		{0x3FF00000, 0x3FF50000, "DROM_MASK"},
		{0x40000000, 0x40090000, "IROM_MASK"},
		{0x42000000, 0x42400000, "IROM"},
		{0x4037C000, 0x403C0000, "IRAM"},
	}
	memESP32C6 = []MemRange{
		{0x00000000, 0x00010000, "PADDING"},
		{0x42800000, 0x43000000, "DROM"},
		{0x40800000, 0x40880000, "DRAM"},
		{0x40800000, 0x40880000, "BYTE_ACCESSIBLE"},
		{0x4004AC00, 0x40050000, "DROM_MASK"},
		{0x40000000, 0x4004AC00, "IROM_MASK"},
		{0x42000000, 0x42800000, "IROM"},
		{0x40800000, 0x40880000, "IRAM"},
		{0x50000000, 0x50004000, "RTC_IRAM"},
		{0x50000000, 0x50004000, "RTC_DRAM"},
		{0x600FE000, 0x60100000, "MEM_INTERNAL2"},
	}
	memESP32C61 = []MemRange{
		{0x00000000, 0x00010000, "PADDING"},
		{0x41800000, 0x42000000, "DROM"},
		{0x40800000, 0x40860000, "DRAM"},
		{0x40800000, 0x40860000, "BYTE_ACCESSIBLE"},
		{0x4004AC00, 0x40050000, "DROM_MASK"},
		{0x40000000, 0x4004AC00, "IROM_MASK"},
		{0x41000000, 0x41800000, "IROM"},
		{0x40800000, 0x40860000, "IRAM"},
		{0x50000000, 0x50004000, "RTC_IRAM"},
		{0x50000000, 0x50004000, "RTC_DRAM"},
		{0x600FE000, 0x60100000, "MEM_INTERNAL2"},
	}
	memESP32C5 = []MemRange{
		{0x00000000, 0x00010000, "PADDING"},
		{0x42800000, 0x43000000, "DROM"},
		{0x40800000, 0x40860000, "DRAM"},
		{0x40800000, 0x40860000, "BYTE_ACCESSIBLE"},
		{0x4003A000, 0x40040000, "DROM_MASK"},
		{0x40000000, 0x4003A000, "IROM_MASK"},
		{0x42000000, 0x42800000, "IROM"},
		{0x40800000, 0x40860000, "IRAM"},
		{0x50000000, 0x50004000, "RTC_IRAM"},
		{0x50000000, 0x50004000, "RTC_DRAM"},
		{0x600FE000, 0x60100000, "MEM_INTERNAL2"},
	}
	memESP32C5Beta3 = []MemRange{
		{0x00000000, 0x00010000, "PADDING"},
		{0x41800000, 0x42000000, "DROM"},
		{0x40800000, 0x40880000, "DRAM"},
		{0x40800000, 0x40880000, "BYTE_ACCESSIBLE"},
		{0x4004A000, 0x40050000, "DROM_MASK"},
		{0x40000000, 0x4004A000, "IROM_MASK"},
		{0x41000000, 0x41800000, "IROM"},
		{0x40800000, 0x40880000, "IRAM"},
		{0x50000000, 0x50004000, "RTC_IRAM"},
		{0x50000000, 0x50004000, "RTC_DRAM"},
		{0x600FE000, 0x60100000, "MEM_INTERNAL2"},
	}
	memESP32P4 = []MemRange{
		{0x00000000, 0x00010000, "PADDING"},
		{0x40000000, 0x4C000000, "DROM"},
		{0x4FF00000, 0x4FFA0000, "DRAM"},
		{0x4FF00000, 0x4FFA0000, "BYTE_ACCESSIBLE"},
		{0x4FC00000, 0x4FC20000, "DROM_MASK"},
		{0x4FC00000, 0x4FC20000, "IROM_MASK"},
		{0x40000000, 0x4C000000, "IROM"},
		{0x4FF00000, 0x4FFA0000, "IRAM"},
		{0x50108000, 0x50110000, "RTC_IRAM"},
		{0x50108000, 0x50110000, "RTC_DRAM"},
		{0x600FE000, 0x60100000, "MEM_INTERNAL2"},
	}
)

// chips follows esptool's CHIP_DEFS order, which decides which chip wins when
// image_info looks a chip up by image id.
var chips = []Chip{
	{"esp32", "ESP32", 0, 0x1000, 0x1C5F21B0, 0x400D0000, 0x40400000, 0x3F400000, 0x3F800000, freqClassic, memESP32},
	{"esp32s2", "ESP32-S2", 2, 0x1000, 0xBFDD4EEE, 0x40080000, 0x40B80000, 0x3F000000, 0x3F3F0000, freqClassic, memESP32S2},
	{"esp32s3beta2", "ESP32-S3(beta2)", 4, 0x0, 0xC47E5767, 0x42000000, 0x44000000, 0x3C000000, 0x3E000000, freqClassic, memESP32S3},
	{"esp32s3", "ESP32-S3", 9, 0x0, 0xC47E5767, 0x42000000, 0x44000000, 0x3C000000, 0x3E000000, freqClassic, memESP32S3},
	{"esp32c3", "ESP32-C3", 5, 0x0, 0xD42BA06C, 0x42000000, 0x42800000, 0x3C000000, 0x3C800000, freqClassic, memESP32C3},
	{"esp32c6beta", "ESP32-C6(beta)", 7, 0x0, 0xD42BA06C, 0x42000000, 0x42800000, 0x3C000000, 0x3C800000, freqClassic, memESP32C3},
	{"esp32h2beta1", "ESP32-H2(beta1)", 10, 0x0, 0xD42BA06C, 0x42000000, 0x42800000, 0x3C000000, 0x3C800000, freqH2, nil},
	{"esp32h2beta2", "ESP32-H2(beta2)", 14, 0x0, 0xD42BA06C, 0x42000000, 0x42800000, 0x3C000000, 0x3C800000, freqH2, nil},
	{"esp32c2", "ESP32-C2", 12, 0x0, 0x2B88D29C, 0x42000000, 0x42400000, 0x3C000000, 0x3C400000, freqC2, memESP32C2},
	{"esp32c6", "ESP32-C6", 13, 0x0, 0x540DDF62, 0x42000000, 0x42800000, 0x42800000, 0x43000000, freqC6, memESP32C6},
	{"esp32c61", "ESP32-C61", 20, 0x0, 0x77D850C4, 0x42000000, 0x42800000, 0x42800000, 0x43000000, freqC5, memESP32C61},
	{"esp32c5", "ESP32-C5", 23, 0x0, 0xF71C0343, 0x42000000, 0x42800000, 0x42800000, 0x43000000, freqC5, memESP32C5},
	{"esp32c5beta3", "ESP32-C5(beta3)", 17, 0x0, 0x540DDF62, 0x41000000, 0x41800000, 0x41000000, 0x41800000, freqC5, memESP32C5Beta3},
	{"esp32h2", "ESP32-H2", 16, 0x0, 0x332726F6, 0x42000000, 0x42800000, 0x42800000, 0x43000000, freqH2, memESP32C6},
	{"esp32p4", "ESP32-P4", 18, 0x2000, 0x3D308E94, 0x40000000, 0x4C000000, 0x40000000, 0x4C000000, freqClassic, memESP32P4},
}

// Chips returns a copy of the chip table in esptool's order.
func Chips() []Chip {
	out := make([]Chip, len(chips))
	copy(out, chips)
	return out
}

// LookupChip accepts esptool's --chip spelling or the display name
// ("esp32c3", "ESP32-C3", "esp32-c3"), as esptool normalises both.
func LookupChip(name string) (*Chip, error) {
	n := normaliseChipName(name)
	for i := range chips {
		if chips[i].Name == n {
			c := chips[i]
			return &c, nil
		}
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownChip, name)
}

// ChipByImageID returns the first chip (in esptool order) using that image chip id.
func ChipByImageID(id uint16) (*Chip, error) {
	for i := range chips {
		if chips[i].ImageChipID == id {
			c := chips[i]
			return &c, nil
		}
	}
	return nil, fmt.Errorf("%w: image chip id %d", ErrUnknownChip, id)
}

func normaliseChipName(name string) string {
	r := strings.NewReplacer("-", "", "(", "", ")", "")
	return r.Replace(strings.ToLower(name))
}

// FlashFreqCode returns the header nibble for a frequency spelling on this chip.
func (c *Chip) FlashFreqCode(freq string) (byte, error) {
	for _, f := range c.FlashFreqs {
		if f.Name == freq {
			return f.Code, nil
		}
	}
	names := make([]string, len(c.FlashFreqs))
	for i, f := range c.FlashFreqs {
		names[i] = f.Name
	}
	return 0, fmt.Errorf("%w: Flash frequency '%s' is not supported by this chip type. Supported frequencies: %s",
		ErrFlashParam, freq, strings.Join(names, ", "))
}

// FlashFreqName is the first spelling for a nibble, as image_info prints it.
func (c *Chip) FlashFreqName(code byte) (string, bool) {
	for _, f := range c.FlashFreqs {
		if f.Code == code {
			return f.Name, true
		}
	}
	return "", false
}

// FlashSizeCode returns the header high nibble (already shifted) for a size spelling.
func (c *Chip) FlashSizeCode(size string) (byte, error) {
	for _, f := range flashSizes {
		if f.Name == size {
			return f.Code, nil
		}
	}
	names := make([]string, len(flashSizes))
	for i, f := range flashSizes {
		names[i] = f.Name
	}
	return 0, fmt.Errorf("%w: Flash size '%s' is not supported by this chip type. Supported sizes: %s",
		ErrFlashParam, size, strings.Join(names, ", "))
}

// FlashSizeName maps the header's high nibble (bits 4-7, unshifted) back to a spelling.
func FlashSizeName(code byte) (string, bool) {
	for _, f := range flashSizes {
		if f.Code == code {
			return f.Name, true
		}
	}
	return "", false
}

// FlashModeCode returns the header byte for qio/qout/dio/dout.
func FlashModeCode(mode string) (byte, error) {
	for _, f := range flashModes {
		if f.Name == mode {
			return f.Code, nil
		}
	}
	return 0, fmt.Errorf("%w: invalid flash mode %q (choose from qio, qout, dio, dout)", ErrFlashParam, mode)
}

// FlashModeName maps the header byte back to esptool's spelling.
func FlashModeName(code byte) (string, bool) {
	for _, f := range flashModes {
		if f.Code == code {
			return f.Name, true
		}
	}
	return "", false
}

// MemoryTypes lists every named region containing addr, in the chip's map order.
func (c *Chip) MemoryTypes(addr uint32) []string {
	var out []string
	for _, r := range c.MemoryMap {
		if r.Start <= addr && addr < r.End {
			out = append(out, r.Name)
		}
	}
	return out
}

// IsFlashAddr reports whether addr is mapped from flash (IROM or DROM window).
func (c *Chip) IsFlashAddr(addr uint32) bool {
	return (c.IROMStart <= addr && addr < c.IROMEnd) || (c.DROMStart <= addr && addr < c.DROMEnd)
}

// FlashSizeBytes converts "4MB"/"512KB" to bytes, like esptool's flash_size_bytes.
func FlashSizeBytes(size string) (uint32, error) {
	num, unit := size, uint64(0)
	switch {
	case strings.HasSuffix(size, "MB"):
		num, unit = strings.TrimSuffix(size, "MB"), 1<<20
	case strings.HasSuffix(size, "KB"):
		num, unit = strings.TrimSuffix(size, "KB"), 1<<10
	}
	n, err := strconv.ParseUint(num, 10, 32)
	if unit == 0 || err != nil || n*unit >= 1<<32 {
		return 0, fmt.Errorf("%w: unknown size %s", ErrFlashParam, size)
	}
	return uint32(n * unit), nil
}
