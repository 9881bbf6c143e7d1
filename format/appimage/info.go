package appimage

import (
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Banner is the first line esptool 4.8.1 prints; Info returns what follows it.
const Banner = "esptool.py v4.8.1\n"

// ChipAuto asks Info to pick the chip from the image's chip id, like --chip auto.
const ChipAuto = "auto"

// Info renders `esptool.py --chip <chip> image_info --version <version>` output for
// img, without the banner line. chip is an esptool chip name or ChipAuto;
// version is 1 or 2.
func Info(img *Image, chip string, version int) (string, error) {
	var w strings.Builder
	fmt.Fprintf(&w, "File size: %d (bytes)\n", img.FileSize)

	var c *Chip
	var title string
	if chip == ChipAuto {
		// esptool detects the chip from the low byte of the chip id only.
		var err error
		if c, err = ChipByImageID(img.Header.ChipID & 0xFF); err != nil {
			return "", err
		}
		title = strings.ToUpper(c.DisplayName)
		fmt.Fprintf(&w, "Detected image type: %s\n", title)
	} else {
		var err error
		if c, err = LookupChip(chip); err != nil {
			return "", err
		}
		title = strings.ToUpper(c.Name)
	}
	if img.Header.ChipID != c.ImageChipID {
		fmt.Fprintf(&w, "Unexpected chip id in image. Expected %d but value was %d. "+
			"Is this image for a different chip model?\n", c.ImageChipID, img.Header.ChipID)
	}
	segs := displaySegments(img)
	switch version {
	case 1:
		infoV1(&w, img, c, segs)
	case 2:
		if err := infoV2(&w, img, c, title, segs); err != nil {
			return "", err
		}
	default:
		return "", fmt.Errorf("appimage: image_info version must be 1 or 2, not %d", version)
	}
	return w.String(), nil
}

// displaySegments pads every segment with a non-zero load address to a multiple
// of 4 bytes, as esptool does when it loads the image; the padded length is what
// it prints and where it looks for descriptors.
func displaySegments(img *Image) []Segment {
	out := make([]Segment, len(img.Segments))
	for i, s := range img.Segments {
		if s.Addr != 0 && len(s.Data)%4 != 0 {
			d := make([]byte, len(s.Data)+4-len(s.Data)%4)
			copy(d, s.Data)
			s.Data = d
		}
		out[i] = s
	}
	return out
}

func infoV1(w *strings.Builder, img *Image, c *Chip, segs []Segment) {
	fmt.Fprintf(w, "Image version: 1\n")
	if img.Header.Entry != 0 {
		fmt.Fprintf(w, "Entry point: %8x\n", img.Header.Entry)
	} else {
		fmt.Fprintf(w, "Entry point not set\n")
	}
	fmt.Fprintf(w, "%d segments\n\n", len(segs))
	for i, s := range segs {
		fmt.Fprintf(w, "Segment %d: len 0x%05x load 0x%08x file_offs 0x%08x [%s]\n",
			i+1, len(s.Data), s.Addr, s.FileOffset, strings.Join(c.MemoryTypes(s.Addr), ","))
	}
	calc := img.CalcChecksum()
	fmt.Fprintf(w, "Checksum: %02x (%s)\n", img.Checksum, checksumVerdict(img.Checksum, calc))
	if img.Header.HashAppended {
		fmt.Fprintf(w, "Validation Hash: %s\n", digestVerdict(img))
	}
}

func infoV2(w *strings.Builder, img *Image, c *Chip, title string, segs []Segment) error {
	h := &img.Header
	fmt.Fprintln(w)
	heading(w, title+" image header")
	fmt.Fprintf(w, "Image version: 1\n")
	if h.Entry != 0 {
		fmt.Fprintf(w, "Entry point: %8s\n", fmt.Sprintf("%#x", h.Entry))
	} else {
		fmt.Fprintf(w, "Entry point not set\n")
	}
	fmt.Fprintf(w, "Segments: %d\n", len(segs))
	writeFlashParams(w, c, h.FlashSizeFreq, h.FlashMode, FlashSizeName)

	fmt.Fprintln(w)
	heading(w, title+" extended image header")
	if h.WPPin == WPPinDisabled {
		fmt.Fprintf(w, "WP pin: %#x (disabled)\n", h.WPPin)
	} else {
		fmt.Fprintf(w, "WP pin: %#x\n", h.WPPin)
	}
	fmt.Fprintf(w, "Flash pins drive settings: clk_drv: %#x, q_drv: %#x, d_drv: %#x, cs0_drv: %#x, hd_drv: %#x, wp_drv: %#x\n",
		h.ClkDrv, h.QDrv, h.DDrv, h.CSDrv, h.HDDrv, h.WPDrv)
	if ic, err := ChipByImageID(h.ChipID); err == nil {
		fmt.Fprintf(w, "Chip ID: %d (%s)\n", h.ChipID, ic.DisplayName)
	} else {
		fmt.Fprintf(w, "Chip ID: %d (Unknown ID)\n", h.ChipID)
	}
	fmt.Fprintf(w, "Minimal chip revision: v%d.%d, (legacy min_rev = %d)\n", h.MinRevFull/100, h.MinRevFull%100, h.MinRev)
	fmt.Fprintf(w, "Maximal chip revision: v%d.%d\n", h.MaxRevFull/100, h.MaxRevFull%100)
	fmt.Fprintln(w)

	appDesc, bootDesc := segmentTable(w, segs, c.MemoryTypes)

	heading(w, title+" image footer")
	fmt.Fprintf(w, "Checksum: %#x (%s)\n", img.Checksum, checksumVerdict(img.Checksum, img.CalcChecksum()))
	if h.HashAppended {
		fmt.Fprintf(w, "Validation hash: %s\n", digestVerdict(img))
	}

	return descriptors(w, appDesc, bootDesc)
}

func heading(w *strings.Builder, title string) {
	fmt.Fprintf(w, "%s\n%s\n", title, strings.Repeat("=", len(title)))
}

// zeroHex mimics Python's "{:#0Nx}": the width counts the 0x prefix.
func zeroHex(v uint64, width int) string {
	return fmt.Sprintf("0x%0*x", max(width-2, 0), v)
}

func checksumVerdict(stored, calc byte) string {
	if stored == calc {
		return "valid"
	}
	return fmt.Sprintf("invalid - calculated %02x", calc)
}

func digestVerdict(img *Image) string {
	v := "invalid"
	if img.SHA256Valid() {
		v = "valid"
	}
	return hex.EncodeToString(img.CalcSHA256[:]) + " (" + v + ")"
}

// checkUTF8 refuses what esptool cannot print (it would stop with a decode error).
func checkUTF8(fields ...[]byte) error {
	for _, f := range fields {
		if !utf8.Valid(f) {
			return fmt.Errorf("%w: descriptor string %q is not valid UTF-8", ErrBadDescriptor, f)
		}
	}
	return nil
}

// segmentTable prints the v2 segment table and returns what esptool takes for
// descriptor candidates: the start of the last DROM segment and of the last
// DRAM segment of at least 80 bytes.
func segmentTable(w *strings.Builder, segs []Segment, memTypes func(uint32) []string) (appDesc, bootDesc []byte) {
	heading(w, "Segments information")
	fmt.Fprintf(w, "%7s  %7s  %10s  %10s  %-10s\n", "Segment", "Length", "Load addr", "File offs", "Memory types")
	fmt.Fprintf(w, "%s  %s  %s  %s  %s\n", strings.Repeat("-", 7), strings.Repeat("-", 7),
		strings.Repeat("-", 10), strings.Repeat("-", 10), strings.Repeat("-", 12))
	for i, s := range segs {
		types := memTypes(s.Addr)
		if has(types, "DROM") {
			appDesc = s.Data[:min(len(s.Data), AppDescLen)]
		} else if has(types, "DRAM") && len(s.Data) >= BootloaderDescLen {
			bootDesc = s.Data[:BootloaderDescLen]
		}
		fmt.Fprintf(w, "%7d  %s  %s  %s  %s\n", i, zeroHex(uint64(len(s.Data)), 7),
			zeroHex(uint64(s.Addr), 10), zeroHex(uint64(s.FileOffset), 10), strings.Join(types, ", "))
	}
	fmt.Fprintln(w)
	return appDesc, bootDesc
}

// descriptors prints "Application information" or "Bootloader information".
func descriptors(w *strings.Builder, appDesc, bootDesc []byte) error {
	switch {
	case len(appDesc) > 0:
		if len(appDesc) < AppDescLen {
			return fmt.Errorf("%w: DROM segment shorter than esp_app_desc_t (%d bytes)", ErrBadDescriptor, len(appDesc))
		}
		if le32(appDesc) != AppDescMagic {
			return nil
		}
		fields := [][]byte{appDesc[adProject : adProject+adProjectLen], appDesc[adVersion : adVersion+adVersionLen],
			appDesc[adDate : adDate+adDateLen], appDesc[adTime : adTime+adTimeLen], appDesc[adIDFVer : adIDFVer+adIDFVerLen]}
		if err := checkUTF8(fields...); err != nil {
			return err
		}
		fmt.Fprintln(w)
		heading(w, "Application information")
		fmt.Fprintf(w, "Project name: %s\n", fields[0])
		fmt.Fprintf(w, "App version: %s\n", fields[1])
		fmt.Fprintf(w, "Compile time: %s %s\n", fields[2], fields[3])
		fmt.Fprintf(w, "ELF file SHA256: %s\n", hex.EncodeToString(appDesc[adELFSHA:adELFSHA+32]))
		fmt.Fprintf(w, "ESP-IDF: %s\n", fields[4])
		fmt.Fprintf(w, "Secure version: %d\n", le32(appDesc[adSecureVer:]))
	case len(bootDesc) > 0:
		if bootDesc[bdMagic] != BootloaderDescMagic {
			return nil
		}
		idf, dt := bootDesc[bdIDFVer:bdIDFVer+bdIDFVerLen], bootDesc[bdDateTime:bdDateTime+bdDateTimeLn]
		if err := checkUTF8(idf, dt); err != nil {
			return err
		}
		fmt.Fprintln(w)
		heading(w, "Bootloader information")
		fmt.Fprintf(w, "Bootloader version: %d\n", le32(bootDesc[bdVersion:]))
		fmt.Fprintf(w, "ESP-IDF: %s\n", idf)
		fmt.Fprintf(w, "Compile time: %s\n", dt)
	}
	return nil
}

// writeFlashParams prints the header's flash size, frequency and mode as image_info
// does; only the size table differs between the ESP8266 and the ESP32 family.
func writeFlashParams(w *strings.Builder, c *Chip, sizeFreq, mode byte, sizeName func(byte) (string, bool)) {
	if s, ok := sizeName(sizeFreq & 0xF0); ok {
		fmt.Fprintf(w, "Flash size: %s\n", s)
	} else {
		fmt.Fprintf(w, "WARNING: Invalid flash size (%#x)\n", sizeFreq&0xF0)
	}
	if s, ok := c.FlashFreqName(sizeFreq & 0x0F); ok {
		fmt.Fprintf(w, "Flash freq: %s\n", s)
	} else {
		fmt.Fprintf(w, "WARNING: Invalid flash frequency (%#x)\n", sizeFreq&0x0F)
	}
	if s, ok := FlashModeName(mode); ok {
		fmt.Fprintf(w, "Flash mode: %s\n", strings.ToUpper(s))
	} else {
		fmt.Fprintf(w, "WARNING: Invalid flash mode (%d)\n", mode)
	}
}
