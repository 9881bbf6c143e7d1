package appimage

import (
	"fmt"
	"strings"
)

// ESP8266 images are not supported by Decode, Build or SetFlashParams; esptool's
// image_info can still describe them (and --chip auto falls back to the ESP8266
// when a header is not an ESP32-family one), so InfoBytes renders them.

const esp8266V2Magic = 0xEA

var (
	esp8266Sizes = []FreqCode{
		{"512KB", 0x00}, {"256KB", 0x10}, {"1MB", 0x20}, {"2MB", 0x30}, {"4MB", 0x40},
		{"2MB-c1", 0x50}, {"4MB-c1", 0x60}, {"8MB", 0x80}, {"16MB", 0x90},
	}
	esp8266Chip = Chip{
		Name: "esp8266", DisplayName: "ESP8266",
		FlashFreqs: freqClassic,
		MemoryMap: []MemRange{
			{0x3FF00000, 0x3FF00010, "DPORT"},
			{0x3FFE8000, 0x40000000, "DRAM"},
			{0x40100000, 0x40108000, "IRAM"},
			{0x40201010, 0x402E1010, "IROM"},
		},
	}
)

type esp8266Image struct {
	version   int
	flashMode byte
	sizeFreq  byte
	entry     uint32
	segments  []Segment
	skipSum   int // leading segments left out of the checksum (the V2 IROM segment)
	checksum  byte
	warnings  []string
}

// decodeESP8266 follows esptool's ESP8266ROMFirmwareImage (V1, magic 0xE9) and
// ESP8266V2FirmwareImage (V2, magic 0xEA) loaders, warnings included.
func decodeESP8266(b []byte) (*esp8266Image, error) {
	img := &esp8266Image{version: 1}
	pos := 0
	header := func(magic byte) (int, error) {
		if len(b)-pos < commonHeaderLen {
			return 0, &OffsetError{pos, ErrTruncated, "image header cut short"}
		}
		if b[pos] != magic {
			return 0, &OffsetError{pos, ErrBadMagic, fmt.Sprintf("Invalid firmware image magic=0x%x", b[pos])}
		}
		n := int(b[pos+1])
		img.flashMode, img.sizeFreq, img.entry = b[pos+2], b[pos+3], le32(b[pos+4:])
		pos += commonHeaderLen
		return n, nil
	}
	segment := func(irom bool) error {
		if len(b)-pos < segmentHeaderLen {
			return &OffsetError{pos, ErrTruncated, "segment header cut short"}
		}
		addr, size := le32(b[pos:]), le32(b[pos+4:])
		if !irom && (addr > 0x40200000 || addr < 0x3FFE0000 || size > 65536) {
			img.warnings = append(img.warnings, fmt.Sprintf("WARNING: Suspicious segment 0x%x, length %d", addr, size))
		}
		if uint64(size) > uint64(len(b)-pos-segmentHeaderLen) {
			return &OffsetError{pos, ErrTruncated, fmt.Sprintf("End of file reading segment 0x%x, length %d (actual length %d)",
				addr, size, len(b)-pos-segmentHeaderLen)}
		}
		data := b[pos+segmentHeaderLen : pos+segmentHeaderLen+int(size)]
		if addr != 0 && len(data)%4 != 0 {
			data = pad4(data)
		}
		img.segments = append(img.segments, Segment{Addr: addr, FileOffset: pos, Data: data})
		pos += segmentHeaderLen + int(size)
		return nil
	}
	if len(b) > 0 && b[0] == esp8266V2Magic {
		img.version = 2
		n, err := header(esp8266V2Magic)
		if err != nil {
			return nil, err
		}
		if n != 4 {
			img.warnings = append(img.warnings, fmt.Sprintf(`Warning: V2 header has unexpected "segment" count %d (usually 4)`, n))
		}
		if err := segment(true); err != nil {
			return nil, err
		}
		img.segments[0].Addr = 0
		img.skipSum = 1
		mode, sf, entry := img.flashMode, img.sizeFreq, img.entry
		n, err = header(ImageMagic)
		if err != nil {
			return nil, err
		}
		if mode != img.flashMode {
			img.warnings = append(img.warnings, fmt.Sprintf("WARNING: Flash mode value in first header (0x%02x) disagrees with second (0x%02x). Using second value.", mode, img.flashMode))
		}
		if sf != img.sizeFreq {
			img.warnings = append(img.warnings, fmt.Sprintf("WARNING: Flash size/freq value in first header (0x%02x) disagrees with second (0x%02x). Using second value.", sf, img.sizeFreq))
		}
		if entry != img.entry {
			img.warnings = append(img.warnings, fmt.Sprintf("WARNING: Entrypoint address in first header (0x%08x) disagrees with second header (0x%08x). Using second value.", entry, img.entry))
		}
		for i := 0; i < n; i++ {
			if err := segment(false); err != nil {
				return nil, err
			}
		}
	} else {
		n, err := header(ImageMagic)
		if err != nil {
			return nil, err
		}
		for i := 0; i < n; i++ {
			if err := segment(false); err != nil {
				return nil, err
			}
		}
	}
	cs := checksumOffset(pos)
	if cs >= len(b) {
		return nil, &OffsetError{cs, ErrTruncated, "image ends before its checksum byte"}
	}
	img.checksum = b[cs]
	if len(img.segments) > maxSegments {
		return nil, &OffsetError{1, ErrTooManySegments, fmt.Sprintf(
			"Invalid segment count %d (max 16). Usually this indicates a linker script problem.", len(img.segments))}
	}
	return img, nil
}

func (img *esp8266Image) calcChecksum() byte {
	c := byte(checksumSeed)
	for _, s := range img.segments[img.skipSum:] {
		c = xorChecksum(s.Data, c)
	}
	return c
}

func infoESP8266(w *strings.Builder, img *esp8266Image, version int) error {
	for _, l := range img.warnings {
		fmt.Fprintln(w, l)
	}
	c := &esp8266Chip
	calc := img.calcChecksum()
	switch version {
	case 1:
		fmt.Fprintf(w, "Image version: %d\n", img.version)
		if img.entry != 0 {
			fmt.Fprintf(w, "Entry point: %8x\n", img.entry)
		} else {
			fmt.Fprintf(w, "Entry point not set\n")
		}
		fmt.Fprintf(w, "%d segments\n\n", len(img.segments))
		for i, s := range img.segments {
			fmt.Fprintf(w, "Segment %d: len 0x%05x load 0x%08x file_offs 0x%08x [%s]\n",
				i+1, len(s.Data), s.Addr, s.FileOffset, strings.Join(c.MemoryTypes(s.Addr), ","))
		}
		fmt.Fprintf(w, "Checksum: %02x (%s)\n", img.checksum, checksumVerdict(img.checksum, calc))
		return nil
	case 2:
	default:
		return fmt.Errorf("appimage: image_info version must be 1 or 2, not %d", version)
	}
	fmt.Fprintln(w)
	heading(w, "ESP8266 image header")
	fmt.Fprintf(w, "Image version: %d\n", img.version)
	if img.entry != 0 {
		fmt.Fprintf(w, "Entry point: %8s\n", fmt.Sprintf("%#x", img.entry))
	} else {
		fmt.Fprintf(w, "Entry point not set\n")
	}
	fmt.Fprintf(w, "Segments: %d\n", len(img.segments))
	writeFlashParams(w, c, img.sizeFreq, img.flashMode, func(code byte) (string, bool) { return lookupCode(esp8266Sizes, code) })
	fmt.Fprintln(w)
	appDesc, bootDesc := segmentTable(w, img.segments, c.MemoryTypes)
	heading(w, "ESP8266 image footer")
	fmt.Fprintf(w, "Checksum: %#x (%s)\n", img.checksum, checksumVerdict(img.checksum, calc))
	return descriptors(w, appDesc, bootDesc)
}

func lookupCode(list []FreqCode, code byte) (string, bool) {
	for _, f := range list {
		if f.Code == code {
			return f.Name, true
		}
	}
	return "", false
}

// InfoBytes is `esptool.py --chip <chip> image_info --version <version> FILE` on
// the file's bytes, without the banner: it checks the magic byte, resolves
// --chip auto from the header (falling back to the ESP8266 as esptool does), and
// also describes ESP8266 V1/V2 images.
func InfoBytes(b []byte, chip string, version int) (string, error) {
	var w strings.Builder
	fmt.Fprintf(&w, "File size: %d (bytes)\n", len(b))
	if len(b) == 0 {
		return "", fmt.Errorf("%w: File is empty", ErrTruncated)
	}
	if b[0] != ImageMagic && b[0] != esp8266V2Magic {
		return "", &OffsetError{0, ErrBadMagic, fmt.Sprintf("This is not a valid image (invalid magic number: %#x)", b[0])}
	}
	if chip == ChipAuto {
		chip = esp8266Chip.Name
		if ext := b[min(len(b), commonHeaderLen):min(len(b), HeaderLen)]; len(ext) > 0 && ext[len(ext)-1] <= 1 {
			id := uint16(0)
			if len(ext) > 4 {
				id = uint16(ext[4])
			}
			if _, err := ChipByImageID(id); err == nil {
				chip = ChipAuto
			}
		}
		if chip != ChipAuto {
			fmt.Fprintf(&w, "Detected image type: ESP8266\n")
		}
	}
	if normaliseChipName(chip) != esp8266Chip.Name {
		img, err := Decode(b)
		if err != nil {
			return "", err
		}
		out, err := Info(img, chip, version)
		return out, err
	}
	img, err := decodeESP8266(b)
	if err != nil {
		return "", err
	}
	if err := infoESP8266(&w, img, version); err != nil {
		return "", err
	}
	return w.String(), nil
}
