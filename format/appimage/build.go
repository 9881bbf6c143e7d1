package appimage

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sort"
)

// mmuPage is the flash MMU page size esptool aligns flash-mapped segments to.
const mmuPage = 0x10000

// descAddrOffset is where ESP-IDF links the app descriptor inside its DROM page:
// just past the image and segment headers, so file offset and address agree
// modulo the MMU page.
const descAddrOffset = 0x20

// BuildSegment is one segment to place in the image.
type BuildSegment struct {
	Addr uint32
	Data []byte
}

// BuildSpec describes an image for Build. Flash parameters use esptool
// spellings; empty ones take esptool elf2image's defaults (qio, the chip's
// default frequency, 1MB).
type BuildSpec struct {
	Chip      string
	Entry     uint32
	FlashMode string
	FlashFreq string
	FlashSize string

	WPPin      *byte // nil means WPPinDisabled (0xEE)
	MinRev     byte
	MinRevFull uint16
	MaxRevFull uint16
	NoHash     bool // leave out the appended SHA-256

	Segments []BuildSegment

	// AppDesc, when set, becomes a DROM segment that is written first among the
	// flash segments, as ESP-IDF's .flash.appdesc; a segment starting right
	// after the 256-byte descriptor is joined to it. DescAddr overrides its load
	// address (default: the chip's DROM start + 0x20).
	AppDesc *AppDesc
	// BootloaderDesc, when set, becomes the first RAM segment, as ESP-IDF's
	// .dram0.bootdesc; a segment starting right after the 80-byte descriptor
	// is joined to it. DescAddr overrides its load address (default: the chip's
	// DRAM start).
	BootloaderDesc *BootloaderDesc
	DescAddr       uint32

	// SecurePad is esptool's --secure-pad ("1") or --secure-pad-v2 ("2"): a
	// final zero segment makes the image, once signed, end on a 64 KiB
	// boundary so that all mapped flash is covered by the signature. It needs
	// the appended digest.
	SecurePad string

	// PadToSize pads the finished image with 0xFF to a multiple of this size.
	PadToSize uint32
}

// Build lays out an image the way esptool elf2image does for ESP32-family chips:
// flash-mapped (IROM/DROM) segments are placed so that file offset and load
// address agree modulo 64 KiB, using pieces of RAM segments (or zero padding
// segments) to fill the gaps; then the remaining RAM segments, the checksum and
// the SHA-256. The result is deterministic.
func Build(spec BuildSpec) ([]byte, error) {
	c, err := LookupChip(spec.Chip)
	if err != nil {
		return nil, err
	}
	hdr, err := spec.header(c)
	if err != nil {
		return nil, err
	}
	var flash, ram []BuildSegment
	for _, s := range spec.Segments {
		if len(s.Data) == 0 {
			return nil, fmt.Errorf("%w: empty segment at 0x%08x", ErrBuild, s.Addr)
		}
		if s.Addr%4 != 0 {
			return nil, fmt.Errorf("%w: segment address 0x%08x is not 4-byte aligned", ErrBuild, s.Addr)
		}
		s.Data = pad4(s.Data)
		if c.IsFlashAddr(s.Addr) {
			flash = append(flash, s)
		} else {
			ram = append(ram, s)
		}
	}
	byAddr := func(v []BuildSegment) {
		sort.SliceStable(v, func(i, j int) bool { return v[i].Addr < v[j].Addr })
	}
	byAddr(flash)
	byAddr(ram)
	if spec.AppDesc != nil {
		d, err := spec.AppDesc.Encode()
		if err != nil {
			return nil, err
		}
		addr := spec.DescAddr
		if addr == 0 {
			addr = regionStart(c, "DROM") + descAddrOffset
		}
		seg := BuildSegment{addr, d}
		// Like ESP-IDF, the descriptor heads the read-only data: a segment that
		// starts right after it is joined to it.
		list := &ram
		if c.IsFlashAddr(addr) {
			list = &flash
		}
		for i, s := range *list {
			if uint64(s.Addr) == uint64(addr)+AppDescLen {
				seg.Data = append(seg.Data, s.Data...)
				*list = append((*list)[:i:i], (*list)[i+1:]...)
				break
			}
		}
		*list = append([]BuildSegment{seg}, *list...)
	}
	if spec.BootloaderDesc != nil {
		d, err := spec.BootloaderDesc.Encode()
		if err != nil {
			return nil, err
		}
		addr := spec.DescAddr
		if addr == 0 {
			addr = regionStart(c, "DRAM")
		}
		// esptool reports the descriptor of the last DRAM segment only, so it
		// must share its segment with the DRAM data that follows it.
		seg := BuildSegment{addr, d}
		for i, s := range ram {
			if uint64(s.Addr) == uint64(addr)+BootloaderDescLen {
				seg.Data = append(seg.Data, s.Data...)
				ram = append(ram[:i:i], ram[i+1:]...)
				break
			}
		}
		ram = append([]BuildSegment{seg}, ram...)
	}
	for i := 1; i < len(flash); i++ {
		for j := 0; j < i; j++ {
			if flash[i].Addr/mmuPage == flash[j].Addr/mmuPage {
				return nil, fmt.Errorf("%w: segment at 0x%08x lands in the same 64KB flash page as segment at 0x%08x",
					ErrBuild, flash[i].Addr, flash[j].Addr)
			}
		}
	}

	var w bytes.Buffer
	w.Write(hdr)
	count := 0
	sum := byte(checksumSeed)
	put := func(addr uint32, data []byte) {
		var sh [segmentHeaderLen]byte
		binary.LittleEndian.PutUint32(sh[0:], addr)
		binary.LittleEndian.PutUint32(sh[4:], uint32(len(data)))
		w.Write(sh[:])
		w.Write(data)
		sum = xorChecksum(data, sum)
		count++
	}
	for len(flash) > 0 {
		seg := flash[0]
		pad := alignmentPad(w.Len(), seg.Addr)
		if pad == 0 {
			data := seg.Data
			if c.Name == "esp32" {
				// The ESP32 2nd stage bootloader once failed to map the last MMU page
				// when a flash segment ended less than 0x24 bytes past it.
				if rem := (w.Len() + len(data) + segmentHeaderLen) % mmuPage; rem < 0x24 {
					data = append(append([]byte{}, data...), make([]byte, 0x24-rem)...)
				}
			}
			put(seg.Addr, data)
			flash = flash[1:]
			continue
		}
		if len(ram) > 0 && pad > segmentHeaderLen {
			n := min(pad, len(ram[0].Data))
			put(ram[0].Addr, ram[0].Data[:n])
			ram[0].Addr += uint32(n)
			ram[0].Data = ram[0].Data[n:]
			if len(ram[0].Data) == 0 {
				ram = ram[1:]
			}
		} else {
			put(0, make([]byte, pad))
		}
	}
	for _, s := range ram {
		put(s.Addr, s.Data)
	}
	if spec.SecurePad != "" {
		if spec.NoHash {
			return nil, fmt.Errorf("%w: secure padding needs the appended SHA-256", ErrBuild)
		}
		// After the checksum block come the digest and, for V1, the signature
		// (version word, 64-byte signature, alignment); a V2 signature sector
		// starts on the next 64 KiB boundary.
		after := 0
		switch spec.SecurePad {
		case "1":
			after = sha256Len + 4 + 64 + 12
		case "2":
			after = sha256Len
		default:
			return nil, fmt.Errorf("%w: secure pad %q (want \"1\" or \"2\")", ErrBuild, spec.SecurePad)
		}
		alignPast := (w.Len() + segmentHeaderLen) % mmuPage
		pad := ((mmuPage-alignPast-16-after)%mmuPage + mmuPage) % mmuPage
		put(0, make([]byte, pad))
	}
	if count > maxSegments {
		return nil, fmt.Errorf("%w: %d segments (max 16)", ErrTooManySegments, count)
	}
	cs := checksumOffset(w.Len())
	w.Write(make([]byte, cs-w.Len()))
	w.WriteByte(sum)
	out := w.Bytes()
	out[offSegCount] = byte(count)
	if !spec.NoHash {
		h := sha256.Sum256(out)
		out = append(out, h[:]...)
	}
	if p := int(spec.PadToSize); p > 0 && len(out)%p != 0 {
		out = append(out, bytes.Repeat([]byte{0xFF}, p-len(out)%p)...)
	}
	return out, nil
}

func (spec *BuildSpec) header(c *Chip) ([]byte, error) {
	mode, size, freq := byte(0), byte(0), byte(0)
	var err error
	if spec.FlashMode != "" {
		if mode, err = FlashModeCode(spec.FlashMode); err != nil {
			return nil, err
		}
	}
	if spec.FlashFreq != "" {
		if freq, err = c.FlashFreqCode(spec.FlashFreq); err != nil {
			return nil, err
		}
	}
	if spec.FlashSize != "" {
		if size, err = c.FlashSizeCode(spec.FlashSize); err != nil {
			return nil, err
		}
	}
	h := make([]byte, HeaderLen)
	h[offMagic] = ImageMagic
	h[offFlashMode] = mode
	h[offSizeFreq] = size | freq
	binary.LittleEndian.PutUint32(h[offEntry:], spec.Entry)
	h[offWPPin] = WPPinDisabled
	if spec.WPPin != nil {
		h[offWPPin] = *spec.WPPin
	}
	binary.LittleEndian.PutUint16(h[offChipID:], c.ImageChipID)
	h[offMinRev] = spec.MinRev
	binary.LittleEndian.PutUint16(h[offMinRevFull:], spec.MinRevFull)
	binary.LittleEndian.PutUint16(h[offMaxRevFull:], spec.MaxRevFull)
	if !spec.NoHash {
		h[offHashAppend] = 1
	}
	return h, nil
}

// alignmentPad is how many bytes of padding segment (data, excluding its own
// header) must be written at pos so that the next segment's data starts at a
// file offset congruent to addr modulo the MMU page. 0 means already aligned.
func alignmentPad(pos int, addr uint32) int {
	alignPast := int(addr%mmuPage) - segmentHeaderLen
	pad := mmuPage - pos%mmuPage + alignPast
	if pad == 0 || pad == mmuPage {
		return 0
	}
	pad -= segmentHeaderLen
	if pad < 0 {
		pad += mmuPage
	}
	return pad
}

func regionStart(c *Chip, name string) uint32 {
	for _, r := range c.MemoryMap {
		if r.Name == name {
			return r.Start
		}
	}
	return 0
}

func pad4(b []byte) []byte {
	if len(b)%4 == 0 {
		return b
	}
	return append(append([]byte{}, b...), make([]byte, 4-len(b)%4)...)
}
