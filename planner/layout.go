package planner

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/espcompose/espcompose/format/parttable"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/stages"
)

// layout is the placed flash map: every partition's final offset.
type layout struct {
	offsets         map[string]uint32 // partition name → offset
	bootloaderAt    uint32
	hasBootloader   bool
	tableStage      string
	secondaryStages map[string]string // parent partition name → table stage
}

// tableOptions are the gen_esp32part options the manifest implies.
func (p *planner) tableOptions(offset uint32, md5 bool) parttable.Options {
	o := parttable.Options{Offset: offset, FlashSize: p.cfg.Target.FlashSize, DisableMD5: !md5}
	if sb := p.secureBoot(); sb != nil {
		o.SecureBoot = sb.Version
	}
	return o
}

func (p *planner) secureBoot() *manifest.SecureBoot {
	if p.cfg.Security == nil {
		return nil
	}
	return p.cfg.Security.SecureBoot
}

func (p *planner) layout() *layout {
	l := &layout{offsets: map[string]uint32{}, secondaryStages: map[string]string{}}
	cfg := p.cfg
	pt := cfg.PartitionTable
	if bl := cfg.Bootloader; bl != nil {
		l.hasBootloader = true
		l.bootloaderAt = p.plan.Chip.BootloaderOffset
		if bl.Offset != nil {
			l.bootloaderAt = *bl.Offset
		}
		if l.bootloaderAt >= pt.Offset {
			p.errorf(bl.Range, "Bootloader overlaps the partition table",
				"The bootloader at 0x%x must lie below the partition table at 0x%x.", l.bootloaderAt, pt.Offset)
		}
	}
	if pt.Offset%0x1000 != 0 {
		p.errorf(pt.Range, "Misaligned partition table", "The partition table offset 0x%x must be a multiple of 0x1000.", pt.Offset)
		return l
	}
	opts := p.tableOptions(pt.Offset, pt.MD5)
	entries, ok := p.placeTable(cfg.Partitions, opts, pt.Offset+parttable.SectorSize, 0, nil)
	if !ok {
		return l
	}
	for _, e := range entries {
		l.offsets[e.Name] = e.Offset
	}
	l.tableStage = p.add(&stages.PartitionTable{Name: "partition-table", Entries: entries, Options: opts})
	p.plan.Regions = append(p.plan.Regions, &Region{
		Name: "partition-table", Kind: "partition-table", Offset: pt.Offset, Size: parttable.SectorSize,
		Type: "table", Source: "generated", Stage: l.tableStage, File: "partition-table.bin",
	})
	for _, parent := range cfg.AllPartitions() {
		if parent.Table == nil {
			continue
		}
		p.nestedTable(parent, l)
	}
	return l
}

// nestedTable places a secondary table (esp-at's at_customize) inside its parent: the
// table binary takes the parent's first sector, children follow inside the parent.
func (p *planner) nestedTable(parent *manifest.Partition, l *layout) {
	start, ok := l.offsets[parent.Name]
	if !ok {
		return
	}
	end := start + parent.Size
	if len(parent.Children) == 0 {
		p.errorf(parent.Table.Range, "Empty nested table", "The table in partition %q declares no partitions.", parent.Name)
		return
	}
	for _, c := range parent.Children {
		if c.Offset == nil {
			continue
		}
		if lo, hi := *c.Offset, uint64(*c.Offset)+uint64(c.Size); lo < start+parttable.SectorSize || hi > uint64(end) {
			p.errorf(c.AttrRange("offset"), "Partition outside its parent",
				"Partition %q (0x%x-0x%x) must lie inside %q (0x%x-0x%x), after the secondary table in its first sector (0x%x-0x%x).",
				c.Name, lo, hi, parent.Name, start, end, start, start+parttable.SectorSize)
			return
		}
	}
	opts := p.tableOptions(start, parent.Table.MD5)
	opts.FlashSize = p.cfg.Target.FlashSize
	entries, ok := p.placeTable(parent.Children, opts, start+parttable.SectorSize, end, parent)
	if !ok {
		return
	}
	for _, e := range entries {
		l.offsets[e.Name] = e.Offset
	}
	name := "table." + parent.Name
	id := p.add(&stages.PartitionTable{Name: name, Entries: entries, Options: opts})
	l.secondaryStages[parent.Name] = id
	p.plan.Regions = append(p.plan.Regions, &Region{
		Name: parent.Name + " (table)", Kind: "secondary-table", Offset: start, Size: parttable.SectorSize,
		Type: "table", Source: "generated: secondary table", Stage: id, Depth: depthOf(p.cfg, parent) + 1,
		File: "partitions/" + parent.Name + ".table.bin", Partition: parent,
	})
}

// placeTable assigns automatic offsets and runs every gen_esp32part check. Entry.Line
// carries the index of the manifest partition, so an error can point at its block.
func (p *planner) placeTable(parts []*manifest.Partition, opts parttable.Options, start, end uint32, parent *manifest.Partition) ([]parttable.Entry, bool) {
	entries := make([]parttable.Entry, len(parts))
	for i, mp := range parts {
		entries[i] = parttable.Entry{
			Name: mp.Name, Type: mp.Type, Subtype: mp.Subtype, Size: mp.Size,
			Encrypted: mp.Encrypted, Readonly: mp.Readonly, Line: i + 1,
		}
		if mp.Offset != nil {
			entries[i].Offset = *mp.Offset
		} else {
			entries[i].AutoOffset = true
		}
		if len(mp.Name) > 16 {
			p.errorf(mp.Range, "Partition name too long", "Partition name %q has %d bytes; the table holds 16.", mp.Name, len(mp.Name))
			return nil, false
		}
	}
	if !p.checkAppSubtypes(parts) {
		return nil, false
	}
	if err := parttable.Place(entries, start, end); err != nil {
		p.tableError(err, parts, parent, end)
		return nil, false
	}
	if err := (&parttable.Table{Entries: entries}).Validate(opts); err != nil {
		p.tableError(err, parts, parent, end)
		return nil, false
	}
	return entries, true
}

func (p *planner) tableError(err error, parts []*manifest.Partition, parent *manifest.Partition, end uint32) {
	var te *parttable.Error
	if !errors.As(err, &te) {
		p.errorf(p.cfg.PartitionTable.Range, "Invalid partition table", "%v.", err)
		return
	}
	rng := p.cfg.PartitionTable.Range
	var part *manifest.Partition
	if te.Line > 0 && te.Line <= len(parts) {
		part = parts[te.Line-1]
	} else {
		for _, mp := range parts {
			if mp.Name == te.Partition {
				part = mp
			}
		}
	}
	if part != nil {
		rng = part.Range
		switch {
		case errors.Is(err, parttable.ErrAlignment) && part.Offset != nil:
			rng = part.AttrRange("offset")
		case errors.Is(err, parttable.ErrAlignment), errors.Is(err, parttable.ErrFlashSize):
			rng = part.AttrRange("size")
		case errors.Is(err, parttable.ErrOverlap) && part.Offset != nil:
			rng = part.AttrRange("offset")
		case errors.Is(err, parttable.ErrInvalid):
			rng = part.AttrRange(invalidAttr(te.Msg))
		}
	} else if parent != nil {
		rng = parent.Table.Range
	}
	if rng.Filename == "" && len(parts) > 0 {
		rng = parts[len(parts)-1].Range // no partition_table block: the entry that did not fit
	}
	summary := map[error]string{
		parttable.ErrOverlap:       "Partitions overlap",
		parttable.ErrAlignment:     "Misaligned partition",
		parttable.ErrDuplicateName: "Duplicate partition name",
		parttable.ErrFlashSize:     "Partition does not fit in flash",
		parttable.ErrTableFull:     "Too many partitions",
		parttable.ErrOutOfRange:    "Partition outside its parent",
	}
	title := "Invalid partition"
	for sentinel, s := range summary {
		if errors.Is(err, sentinel) {
			title = s
		}
	}
	msg := te.Msg
	if errors.Is(err, parttable.ErrOutOfRange) && parent != nil && part != nil {
		msg = fmt.Sprintf("Partition %q (%d bytes) does not fit inside %q, which ends at 0x%x; "+
			"its first sector holds the secondary table.", part.Name, part.Size, parent.Name, end)
	}
	if part != nil && (errors.Is(err, parttable.ErrFlashSize)) {
		msg += fmt.Sprintf(" (target.flash_size is %s)", p.cfg.Target.FlashSizeName)
	}
	p.diags = append(p.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: title, Detail: msg + ".", Subject: rng.Ptr()})
}

func depthOf(cfg *manifest.Config, target *manifest.Partition) int {
	var walk func([]*manifest.Partition, int) int
	walk = func(ps []*manifest.Partition, d int) int {
		for _, p := range ps {
			if p == target {
				return d
			}
			if r := walk(p.Children, d+1); r >= 0 {
				return r
			}
		}
		return -1
	}
	if d := walk(cfg.Partitions, 0); d > 0 {
		return d
	}
	return 0
}

// invalidAttr names the attribute a gen_esp32part per-entry refusal is about, from the
// tool's own wording (the codec keeps it byte-exact), so the manifest line is the one to
// change: the read-only flag, the size, or the subtype of a second otadata.
func invalidAttr(msg string) string {
	switch {
	case strings.Contains(msg, "cannot be read-only"):
		return "readonly"
	case strings.Contains(msg, "Found multiple"):
		return "subtype"
	case strings.Contains(msg, "must have size"), strings.Contains(msg, "must be flagged as 'readonly'"),
		strings.Contains(msg, "Size 0x"):
		return "size"
	case strings.Contains(msg, "Offset 0x"):
		return "offset"
	}
	return ""
}

// checkAppSubtypes refuses two app partitions of one subtype in a table: the bootloader
// finds OTA slots and the factory app by subtype, so the second would never boot and an
// OTA update would overwrite the first. gen_esp32part does not check this (its tables
// stay byte-exact in the codec); the manifest does, at the second one's subtype.
func (p *planner) checkAppSubtypes(parts []*manifest.Partition) bool {
	first := map[uint8]*manifest.Partition{}
	ok := true
	for _, mp := range parts {
		if mp.Type != parttable.TypeApp {
			continue
		}
		if prev, dup := first[mp.Subtype]; dup {
			p.errorf(mp.AttrRange("subtype"), "Duplicate app subtype",
				"Partitions %q and %q are both %s; each app subtype (factory, ota_0 ... ota_15, test) may appear once in a table, "+
					"since the bootloader and OTA updates find the slot by subtype.", prev.Name, mp.Name, typeString(mp))
			ok = false
			continue
		}
		first[mp.Subtype] = mp
	}
	return ok
}
