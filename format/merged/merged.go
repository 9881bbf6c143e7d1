// Package merged combines several flash images into one, byte-exact with
// `esptool.py merge_bin` 4.8.1 in its raw, Intel HEX and UF2 output formats.
package merged

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/espcompose/espcompose/format/appimage"
	"github.com/espcompose/espcompose/format/ihex"
	"github.com/espcompose/espcompose/format/uf2"
)

// Format is the output file format.
type Format string

// Output formats esptool merge_bin offers.
const (
	FormatRaw Format = "raw"
	FormatHex Format = "hex"
	FormatUF2 Format = "uf2"
)

// sectorSize is the granularity of esptool's overlap check.
const sectorSize = 0x1000

// Sentinel errors.
var (
	ErrOverlap      = errors.New("merged: inputs overlap")
	ErrNoInput      = errors.New("merged: no input files specified")
	ErrTargetOffset = errors.New("merged: input before target offset")
	ErrOption       = errors.New("merged: invalid option")
)

// Options mirror merge_bin's command line. Empty flash options mean "keep".
type Options struct {
	Chip string // esptool chip name, e.g. "esp32c3"

	FlashMode string // keep, qio, qout, dio, dout
	FlashFreq string // keep or e.g. 80m (the chip decides the encoding)
	FlashSize string // keep or e.g. 4MB

	Format Format // "" means raw

	// Raw format only.
	TargetOffset  uint32 // flash address the output will be written to
	FillFlashSize string // pad the output with 0xFF up to this flash size, e.g. "4MB"
	// Written, when set, is called (on the merging goroutine) as the raw image
	// grows, with the image so far: its bytes are final, and the ones after it are
	// not yet written. The last call has the whole image. A caller hashes the image
	// on another goroutine while the rest of it is laid out.
	Written func(sofar []byte)

	// UF2 format only.
	ChunkSize  int // 0 = largest possible
	DisableMD5 bool
}

// Part is one input. Name only labels errors; it defaults to the address.
type Part struct {
	Addr uint32
	Data []byte
	Name string
}

func (p Part) label() string {
	if p.Name != "" {
		return p.Name
	}
	return fmt.Sprintf("0x%x", p.Addr)
}

// Event records what esptool would print while merging.
type Event struct {
	Part    string
	Message string // e.g. "Flash params set to 0x022f", "SHA digest in image updated"
}

var (
	freqChoices = []string{"80m", "60m", "48m", "40m", "30m", "26m", "24m", "20m", "16m", "15m", "12m"}
	modeChoices = []string{"qio", "qout", "dio", "dout"}
	sizeChoices = []string{"256KB", "512KB", "1MB", "2MB", "2MB-c1", "4MB", "4MB-c1", "8MB", "16MB", "32MB", "64MB", "128MB"}
	fillChoices = []string{"256KB", "512KB", "1MB", "2MB", "4MB", "8MB", "16MB", "32MB", "64MB", "128MB"}
)

func checkChoice(name, v string, choices []string, keep bool) error {
	if (keep && (v == "" || v == appimage.Keep)) || slices.Contains(choices, v) {
		return nil
	}
	return fmt.Errorf("%w: %s %q (choose from %s)", ErrOption, name, v, strings.Join(choices, ", "))
}

func (o *Options) validate() (*appimage.Chip, error) {
	if err := checkChoice("--flash_mode", o.FlashMode, modeChoices, true); err != nil {
		return nil, err
	}
	if err := checkChoice("--flash_freq", o.FlashFreq, freqChoices, true); err != nil {
		return nil, err
	}
	if err := checkChoice("--flash_size", o.FlashSize, sizeChoices, true); err != nil {
		return nil, err
	}
	if o.FillFlashSize != "" {
		if err := checkChoice("--fill-flash-size", o.FillFlashSize, fillChoices, false); err != nil {
			return nil, err
		}
	}
	switch o.Format {
	case "", FormatRaw, FormatHex, FormatUF2:
	default:
		return nil, fmt.Errorf("%w: format %q (choose from raw, uf2, hex)", ErrOption, o.Format)
	}
	if o.Chip == esp8266.Name {
		c := esp8266
		return &c, nil
	}
	chip, err := appimage.LookupChip(o.Chip)
	if err != nil {
		msg := fmt.Sprintf("Invalid chip choice: '%s'", o.Chip)
		if o.Chip == "auto" || o.Chip == "" {
			msg = "Please specify the chip argument"
		}
		return nil, fmt.Errorf("%w: %s (choose from %s)", err, msg, chipList())
	}
	return chip, nil
}

// esp8266 is known to merge_bin only for its bootloader offset and UF2 family;
// appimage does not handle its image format, so its header is never patched.
var esp8266 = appimage.Chip{Name: "esp8266", DisplayName: "ESP8266", BootloaderOffset: 0, UF2FamilyID: 0x7EAB61ED}

func chipList() string {
	names := []string{esp8266.Name}
	for _, c := range appimage.Chips() {
		names = append(names, c.Name)
	}
	return strings.Join(names, ", ")
}

// Merge combines parts as `esptool.py --chip <chip> merge_bin` does.
func Merge(opts Options, parts []Part) ([]byte, error) {
	out, _, err := MergeWithEvents(opts, parts)
	return out, err
}

// MergeWithEvents is Merge that also returns esptool's informational messages.
//
// Like esptool it: converts Intel HEX inputs (detected by content) to binary;
// rejects inputs whose 4 KiB flash sectors overlap; patches the flash options
// into the image at the chip's bootloader offset (an absolute flash address, so
// --target-offset does not shift it) when it is a valid image, recomputing its
// appended SHA-256; fills gaps with 0xFF.
func MergeWithEvents(opts Options, parts []Part) ([]byte, []Event, error) {
	chip, err := opts.validate()
	if err != nil {
		return nil, nil, err
	}
	in := make([]Part, len(parts))
	for i, p := range parts {
		data, err := PrepareInput(p.Addr, p.Data)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", p.label(), err)
		}
		p.Data = data
		in[i] = p
	}
	sort.SliceStable(in, func(i, j int) bool { return in[i].Addr < in[j].Addr })
	if err := checkOverlap(in); err != nil {
		return nil, nil, err
	}
	if len(in) == 0 {
		return nil, nil, fmt.Errorf("%w", ErrNoInput)
	}
	if in[0].Addr < opts.TargetOffset {
		return nil, nil, fmt.Errorf("%w: Output file target offset is %#x. Input file offset %#x is before this.",
			ErrTargetOffset, opts.TargetOffset, in[0].Addr)
	}
	events, err := patchBootloader(chip, appimage.FlashParams{Mode: opts.FlashMode, Freq: opts.FlashFreq, Size: opts.FlashSize}, in)
	if err != nil {
		return nil, nil, err
	}

	switch opts.Format {
	case FormatHex:
		segs := make([]ihex.Segment, len(in))
		for i, p := range in {
			segs[i] = ihex.Segment{Addr: p.Addr, Data: p.Data}
		}
		out, err := ihex.EncodeSegments(segs...)
		return out, events, err
	case FormatUF2:
		files := make([]uf2.File, len(in))
		for i, p := range in {
			files[i] = uf2.File{Addr: p.Addr, Data: p.Data}
		}
		out, err := uf2.Encode(uf2.Options{FamilyID: chip.UF2FamilyID, ChunkSize: opts.ChunkSize, DisableMD5: opts.DisableMD5}, files...)
		return out, events, err
	default:
		out, err := raw(opts, in)
		return out, events, err
	}
}

// patchBootloader applies the flash options to the part at the chip's
// bootloader offset, in place, reporting what esptool would print.
func patchBootloader(chip *appimage.Chip, fp appimage.FlashParams, in []Part) ([]Event, error) {
	var events []Event
	for i := range in {
		// esptool leaves data shorter than a header alone without a word.
		if in[i].Addr != chip.BootloaderOffset || len(in[i].Data) < 8 {
			continue
		}
		if chip.Name == esp8266.Name {
			if !fp.AllKeep() && in[i].Data[0] == appimage.ImageMagic {
				return nil, fmt.Errorf("%w: %s: patching ESP8266 image headers is not supported", ErrOption, in[i].label())
			}
			continue
		}
		data, ch, err := appimage.PatchFlashParams(in[i].Data, chip.Name, fp)
		switch {
		case errors.Is(err, appimage.ErrNotImage):
			msg := fmt.Sprintf("Warning: Image file at %#x is not a valid %s image, so not changing any flash settings.",
				in[i].Addr, chip.DisplayName)
			if in[i].Data[0] != appimage.ImageMagic {
				msg = fmt.Sprintf("Warning: Image file at %#x doesn't look like an image file, so not changing any flash settings.",
					in[i].Addr)
			}
			events = append(events, Event{in[i].label(), msg})
			continue
		case err != nil:
			return nil, fmt.Errorf("%s: %w", in[i].label(), err)
		}
		if ch.HeaderChanged {
			events = append(events, Event{in[i].label(), fmt.Sprintf("Flash params set to 0x%02x%02x", ch.After[0], ch.After[1])})
		}
		if ch.SHAUpdated {
			events = append(events, Event{in[i].label(), "SHA digest in image updated"})
		}
		in[i].Data = data
	}
	return events, nil
}

// raw writes sorted parts one after the other from the target offset, padding
// with 0xFF up to each part's address and finally up to FillFlashSize. Like
// esptool it never seeks back: a part that grew past the next one's address
// (a bootloader whose cut-short digest was completed) pushes it along.
func raw(opts Options, in []Part) ([]byte, error) {
	base := uint64(opts.TargetOffset)
	fill := uint64(0)
	if opts.FillFlashSize != "" {
		n, err := appimage.FlashSizeBytes(opts.FillFlashSize)
		if err != nil {
			return nil, err
		}
		fill = uint64(n)
	}
	size := uint64(0)
	for _, p := range in {
		size += uint64(len(p.Data))
	}
	if last := in[len(in)-1]; uint64(last.Addr)-base+uint64(len(last.Data)) > size {
		size = uint64(last.Addr) - base + uint64(len(last.Data))
	}
	if fill > base {
		size = max(size, fill-base)
	}
	// One buffer of the final size; gaps are extended within it (no temporary
	// zeroed slice to append) and set to 0xFF by doubling copies, a few memmoves
	// where a byte loop over megabytes of padding was most of the merge.
	out := make([]byte, 0, size)
	written := func() {
		if opts.Written != nil {
			opts.Written(out)
		}
	}
	padTo := func(addr uint64) {
		for addr > base && addr-base > uint64(len(out)) {
			// In steps, so that a Written caller can work on each as it is done.
			n := min(int(addr-base-uint64(len(out))), writtenStep)
			out = slices.Grow(out, n)
			out = out[:len(out)+n]
			fillErased(out[len(out)-n:])
			written()
		}
	}
	for _, p := range in {
		padTo(uint64(p.Addr))
		for d := p.Data; len(d) > 0; {
			n := min(len(d), writtenStep)
			out = append(out, d[:n]...)
			d = d[n:]
			written()
		}
	}
	if fill > 0 {
		padTo(fill)
	}
	return out, nil
}

// checkOverlap follows esptool: inputs are compared by the 4 KiB sectors they
// touch, so two inputs sharing a sector conflict even if their bytes do not.
func checkOverlap(sorted []Part) error {
	end := int64(0)
	prev := -1
	for i, p := range sorted {
		start := int64(p.Addr) &^ (sectorSize - 1)
		sectorEnd := ((int64(p.Addr)+int64(len(p.Data))+sectorSize-1)&^(sectorSize-1) - 1)
		if start < end {
			return fmt.Errorf("%w: Detected overlap at address: %#x for file: %s (conflicts with %s at %#x, which reaches into the same flash sector)",
				ErrOverlap, p.Addr, p.label(), sorted[prev].label(), sorted[prev].Addr)
		}
		end, prev = sectorEnd, i
	}
	return nil
}

// writtenStep is how much of the raw image is laid out between Written calls.
const writtenStep = 256 << 10

// fillErased sets b to 0xFF, erased flash.
func fillErased(b []byte) {
	if len(b) == 0 {
		return
	}
	b[0] = 0xFF
	for i := 1; i < len(b); i *= 2 {
		copy(b[i:], b[:i])
	}
}
