package verify

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/espcompose/espcompose/format/appimage"
	"github.com/espcompose/espcompose/format/ihex"
	"github.com/espcompose/espcompose/format/merged"
	"github.com/espcompose/espcompose/format/uf2"
	"github.com/espcompose/espcompose/stages"
)

// part is one written region: its file and where it goes.
type part struct {
	name string // region name
	file string
	addr uint32
	data []byte
}

// written lists the regions that are written, in address order.
func (c *checker) written() []part {
	var out []part
	for _, r := range c.in.Plan.Regions {
		if r.Stage == "" {
			continue
		}
		if data, ok := c.files[r.File]; ok {
			out = append(out, part{name: r.Name, file: r.File, addr: r.Offset, data: data})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].addr < out[j].addr })
	return out
}

// merged checks each merged image: the raw one holds every region's file at its
// offset, erased flash (0xFF) between them, and is the declared size; the Intel HEX
// and UF2 ones decode to exactly the regions' bytes at their addresses.
func (c *checker) merged() {
	parts := c.written()
	for _, m := range c.in.Plan.Merged {
		data, ok := c.files[m.File]
		if !ok {
			c.fail("merged", m.File, "missing from the outputs")
			continue
		}
		format := merged.FormatRaw
		if s, ok := c.stage(m.Stage).(*stages.Merge); ok && s.Format != "" {
			format = s.Format
		}
		switch format {
		case merged.FormatHex:
			f, err := ihex.Decode(data)
			if err != nil {
				c.fail("hex", m.File, "does not decode as Intel HEX: %v", err)
				continue
			}
			c.segments("hex", m.File, f.Segments, parts)
		case merged.FormatUF2:
			c.uf2(m.File, data, parts)
		default:
			c.raw(m.File, data, parts)
		}
	}
}

func (c *checker) raw(file string, img []byte, parts []part) {
	bad := 0
	end := uint64(0)
	for _, p := range parts {
		pEnd := uint64(p.addr) + uint64(len(p.data))
		if pEnd > uint64(len(img)) {
			bad++
			c.fail("merged", file, "ends at 0x%x, before region %s (0x%x-0x%x)", len(img), p.name, p.addr, pEnd)
			continue
		}
		if i := firstDiff(img[p.addr:pEnd], p.data); i >= 0 {
			bad++
			c.fail("merged", file, "region %s at 0x%x differs from %s (first difference at flash address 0x%x)", p.name, p.addr, p.file, uint64(p.addr)+uint64(i))
		}
		if gapEnd := uint64(p.addr); gapEnd > end {
			if i := firstNotErased(img[end:min(gapEnd, uint64(len(img)))]); i >= 0 {
				bad++
				a := end + uint64(i)
				c.fail("merged", file, "byte at 0x%x is 0x%02x where nothing is written; erased flash is 0xFF", a, img[a])
			}
		}
		end = max(end, pEnd)
	}
	if end < uint64(len(img)) {
		if i := firstNotErased(img[end:]); i >= 0 {
			bad++
			a := end + uint64(i)
			c.fail("merged", file, "byte at 0x%x is 0x%02x where nothing is written; erased flash is 0xFF", a, img[a])
		}
	}
	want, what := end, fmt.Sprintf("the last region ends at 0x%x", end)
	if c.cfg.Output.FillFlash {
		n, err := appimage.FlashSizeBytes(c.cfg.Target.FlashSizeName)
		if err != nil {
			c.fail("merged", file, "target.flash_size %s: %v", c.cfg.Target.FlashSizeName, err)
			return
		}
		want, what = uint64(n), fmt.Sprintf("fill_flash pads it to target.flash_size %s", c.cfg.Target.FlashSizeName)
	}
	if uint64(len(img)) != want {
		bad++
		c.fail("merged", file, "is %d bytes; %s (%d bytes)", len(img), what, want)
	}
	if bad == 0 {
		c.pass("merged", file, "holds %d regions at their offsets, erased between them, %d bytes", len(parts), len(img))
	}
}

func (c *checker) uf2(file string, data []byte, parts []part) {
	blocks, err := uf2.Decode(data)
	if err != nil {
		c.fail("uf2", file, "does not decode as UF2: %v", err)
		return
	}
	for _, b := range blocks {
		if b.FamilyID != c.in.Plan.Chip.UF2FamilyID {
			c.fail("uf2", file, "block %d has family id 0x%08x; %s's is 0x%08x", b.BlockNo, b.FamilyID, c.in.Plan.Chip.Name, c.in.Plan.Chip.UF2FamilyID)
			return
		}
	}
	files, err := uf2.Files(blocks)
	if err != nil {
		c.fail("uf2", file, "does not decode as UF2: %v", err)
		return
	}
	segs := make([]ihex.Segment, len(files))
	for i, f := range files {
		segs[i] = ihex.Segment{Addr: f.Addr, Data: f.Data}
	}
	norm, err := ihex.Normalize(segs)
	if err != nil {
		c.fail("uf2", file, "holds overlapping data: %v", err)
		return
	}
	c.segments("uf2", file, norm, parts)
}

// segments compares sorted, coalesced address/data runs with the regions: each
// region's bytes at its address, and nothing anywhere else.
func (c *checker) segments(kind, file string, segs []ihex.Segment, parts []part) {
	bad := 0
	for _, p := range parts {
		addr, missing, diff := compareAt(segs, p.addr, p.data)
		switch {
		case missing:
			bad++
			c.fail(kind, file, "holds nothing at 0x%x, inside region %s (%s)", addr, p.name, p.file)
		case diff:
			bad++
			c.fail(kind, file, "region %s at 0x%x differs from %s (first difference at flash address 0x%x)", p.name, p.addr, p.file, addr)
		}
	}
	for _, s := range segs {
		for off := uint64(0); off < uint64(len(s.Data)); {
			a := uint64(s.Addr) + off
			p := covering(parts, a)
			if p == nil {
				bad++
				c.fail(kind, file, "holds data at 0x%x where nothing is written", a)
				break
			}
			off = uint64(p.addr) + uint64(len(p.data)) - uint64(s.Addr)
		}
	}
	if bad == 0 {
		c.pass(kind, file, "decodes to the %d regions' bytes at their addresses and nothing else", len(parts))
	}
}

// compareAt checks that segs hold want at addr. It returns the first address that is
// missing or differs.
func compareAt(segs []ihex.Segment, addr uint32, want []byte) (uint64, bool, bool) {
	a, end := uint64(addr), uint64(addr)+uint64(len(want))
	for a < end {
		i := sort.Search(len(segs), func(i int) bool { return segs[i].End() > a })
		if i == len(segs) || uint64(segs[i].Addr) > a {
			return a, true, false
		}
		s := segs[i]
		n := min(end, s.End()) - a
		got := s.Data[a-uint64(s.Addr) : a-uint64(s.Addr)+n]
		if j := firstDiff(got, want[a-uint64(addr):a-uint64(addr)+n]); j >= 0 {
			return a + uint64(j), false, true
		}
		a += n
	}
	return 0, false, false
}

func covering(parts []part, a uint64) *part {
	for i := range parts {
		if a >= uint64(parts[i].addr) && a < uint64(parts[i].addr)+uint64(len(parts[i].data)) {
			return &parts[i]
		}
	}
	return nil
}

// flashArgs checks that flasher_args.json and flash_args name exactly the plan's
// written regions: each file at its offset.
func (c *checker) flashArgs() {
	want := map[string]string{}
	for _, p := range c.written() {
		want[fmt.Sprintf("0x%x", p.addr)] = p.file
	}
	if data, ok := c.files["flasher_args.json"]; !ok {
		c.fail("flash-args", "flasher_args.json", "missing from the outputs")
	} else {
		var fa struct {
			Files map[string]string `json:"flash_files"`
		}
		if err := json.Unmarshal(data, &fa); err != nil {
			c.fail("flash-args", "flasher_args.json", "does not parse: %v", err)
		} else {
			c.compareArgs("flasher_args.json", fa.Files, want)
		}
	}
	if data, ok := c.files["flash_args"]; !ok {
		c.fail("flash-args", "flash_args", "missing from the outputs")
	} else {
		got := map[string]string{}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		for i, line := range lines[min(1, len(lines)):] { // line 1 holds the esptool options
			off, file, ok := strings.Cut(line, " ")
			if !ok {
				c.fail("flash-args", "flash_args", "line %d is not \"offset file\": %q", i+2, line)
				return
			}
			if _, dup := got[off]; dup {
				c.fail("flash-args", "flash_args", "names offset %s twice", off)
			}
			got[off] = file
		}
		c.compareArgs("flash_args", got, want)
	}
}

func (c *checker) compareArgs(file string, got, want map[string]string) {
	bad := 0
	norm := map[string]string{}
	for off, f := range got {
		n, err := strconv.ParseUint(off, 0, 32)
		if err != nil {
			bad++
			c.fail("flash-args", file, "offset %q is not a number", off)
			continue
		}
		norm[fmt.Sprintf("0x%x", n)] = f
	}
	offs := make([]string, 0, len(want))
	for off := range want {
		offs = append(offs, off)
	}
	sort.Strings(offs)
	for _, off := range offs {
		switch g, ok := norm[off]; {
		case !ok:
			bad++
			c.fail("flash-args", file, "does not write %s at %s", want[off], off)
		case g != want[off]:
			bad++
			c.fail("flash-args", file, "writes %s at %s; the plan puts %s there", g, off, want[off])
		}
	}
	extra := []string{}
	for off := range norm {
		if _, ok := want[off]; !ok {
			extra = append(extra, off)
		}
	}
	sort.Strings(extra)
	for _, off := range extra {
		bad++
		c.fail("flash-args", file, "writes %s at %s, where the plan writes nothing", norm[off], off)
	}
	if bad == 0 {
		c.pass("flash-args", file, "names the plan's %d files at their offsets", len(want))
	}
}
