package parttable

import (
	"errors"
	"sort"
	"strings"
)

// Validate makes every check gen_esp32part makes before writing a binary, in
// the tool's order: per-partition checks (offset set, offset alignment, app
// size alignment, read-only rules, small NVS), unique names, overlaps and
// partitions below the table, a single otadata / TEE otadata of 0x2000 bytes,
// the flash size, and the number of entries. It also checks that bootloader
// and partition_table entries sit where the options put them, which the tool
// guarantees by construction when parsing CSV.
func (t *Table) Validate(opts Options) error {
	return t.validate(opts, false)
}

// ValidateBinary makes the checks gen_esp32part makes when its input is a
// binary table (PartitionTable.verify, then verify_size_fits when a flash size
// is given): the same as Validate, except that bootloader and partition_table
// entries are not held to the placement options (only the CSV reader sets
// those) and the entry count is not checked (Decode already bounds it). An
// error names the failing entry by its record's byte offset in b and its
// name, e.g. `offset 0x40, partition "ota_1": Partition at 0x... overlaps ...`.
func (t *Table) ValidateBinary(opts Options) error {
	if t == nil {
		return t.validate(opts, true)
	}
	// Number the records like CSV lines so that every check reports its entry;
	// the numbers become byte offsets below. t itself is left untouched.
	c := &Table{File: t.File, Entries: make([]Entry, len(t.Entries))}
	for i, e := range t.Entries {
		e.Line = i + 1
		c.Entries[i] = e
	}
	err := c.validate(opts, true)
	var pe *Error
	if errors.As(err, &pe) && pe.Line > 0 {
		pe.ByteOffset, pe.Line = (pe.Line-1)*EntrySize, 0
	}
	return err
}

func (t *Table) validate(opts Options, binary bool) error {
	if t == nil {
		return &Error{ByteOffset: -1, Err: ErrInvalid, Msg: "nil table"}
	}
	subs, err := opts.check()
	if err != nil {
		err.(*Error).File = t.File
		return err
	}
	v := validator{t: t, o: &opts, subs: subs, binary: binary}
	for i := range t.Entries {
		if err := v.verifyEntry(&t.Entries[i]); err != nil {
			return err
		}
	}
	if err := t.verifyNames(); err != nil {
		return err
	}
	if err := v.verifyOverlaps(); err != nil {
		return err
	}
	if err := v.verifyOTAData("ota", "otadata"); err != nil {
		return err
	}
	if err := v.verifyOTAData("tee_ota", "TEE otadata"); err != nil {
		return err
	}
	if err := t.verifyFlashSize(&opts); err != nil {
		return err
	}
	if binary {
		return nil
	}
	return t.verifyCount(&opts)
}

type validator struct {
	t      *Table
	o      *Options
	subs   *subtypeSet
	binary bool // the table was read from a binary: no placement options apply
}

func (v *validator) verifyEntry(e *Entry) error {
	t, o := v.t, v.o
	if e.AutoOffset {
		return partErr(ErrInvalid, t.File, e, "Offset field is not set")
	}
	if !v.binary {
		if err := v.verifyBootPlacement(e); err != nil {
			return err
		}
	}
	if a := offsetAlign(e.Type); e.Offset%a != 0 {
		return partErr(ErrAlignment, t.File, e, "Offset 0x%x is not aligned to 0x%x", e.Offset, a)
	}
	if e.Type == TypeApp {
		a := uint32(0x1000)
		if o.SecureBoot == 1 {
			a = 0x10000 // the V1 signature block ends a 64 KiB block
		}
		if e.Size%a != 0 {
			return partErr(ErrAlignment, t.File, e, "Size 0x%x is not aligned to 0x%x", e.Size, a)
		}
	}
	if (v.subs.is(e, TypeData, "ota") || v.subs.is(e, TypeData, "coredump")) && e.Readonly {
		return partErr(ErrInvalid, t.File, e,
			"'%s' partition of type %d and subtype %d is always read-write and cannot be read-only",
			e.Name, e.Type, e.Subtype)
	}
	if v.subs.is(e, TypeData, "nvs") && e.Size < nvsMinRWSize && !e.Readonly {
		return partErr(ErrInvalid, t.File, e,
			"'%s' partition of type %d and subtype %d of this size (0x%x) must be flagged as 'readonly' "+
				"(the size of read/write NVS has to be at least 0x%x)",
			e.Name, e.Type, e.Subtype, e.Size, nvsMinRWSize)
	}
	return nil
}

// verifyBootPlacement checks what parse_address/parse_size would have set.
func (v *validator) verifyBootPlacement(e *Entry) error {
	t, o := v.t, v.o
	mismatch := func(what string, want uint32, got uint32) error {
		return partErr(ErrInvalid, t.File, e, "%s 0x%x does not match the expected 0x%x", what, got, want)
	}
	switch e.Type {
	case TypeBootloader:
		if o.PrimaryBootloaderOffset == nil {
			return partErr(ErrInvalid, t.File, e, msgNoPrimaryBootloader)
		}
		if size := o.tableOffset() - *o.PrimaryBootloaderOffset; e.Size != size {
			return mismatch("Size", size, e.Size)
		}
		switch {
		case v.subs.is(e, TypeBootloader, "primary"):
			if e.Offset != *o.PrimaryBootloaderOffset {
				return mismatch("Offset", *o.PrimaryBootloaderOffset, e.Offset)
			}
		case v.subs.is(e, TypeBootloader, "recovery"):
			if o.RecoveryBootloaderOffset == nil {
				return partErr(ErrInvalid, t.File, e, msgNoRecoveryBootloader)
			}
			if e.Offset != *o.RecoveryBootloaderOffset {
				return mismatch("Offset", *o.RecoveryBootloaderOffset, e.Offset)
			}
		}
	case TypePartitionTable:
		if e.Size != SectorSize {
			return mismatch("Size", SectorSize, e.Size)
		}
		if v.subs.is(e, TypePartitionTable, "primary") && e.Offset != o.tableOffset() {
			return mismatch("Offset", o.tableOffset(), e.Offset)
		}
	}
	return nil
}

func (t *Table) verifyNames() error {
	count := map[string]int{}
	for _, e := range t.Entries {
		count[e.Name]++
	}
	var dups []string
	line, name := 0, ""
	seen := map[string]bool{}
	for _, e := range t.Entries {
		if count[e.Name] < 2 {
			continue
		}
		if !seen[e.Name] {
			seen[e.Name] = true
			dups = append(dups, e.Name)
		} else if name == "" {
			line, name = e.Line, e.Name // the first repeated occurrence
		}
	}
	if len(dups) == 0 {
		return nil
	}
	if len(dups) > 5 {
		dups = append(dups[:5], "...")
	}
	err := lineErr(ErrDuplicateName, t.File, line, "Partition names must be unique (%s)", strings.Join(dups, ", "))
	err.Partition = name
	return err
}

func (v *validator) verifyOverlaps() error {
	t, o := v.t, v.o
	idx := make([]int, len(t.Entries))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return t.Entries[idx[a]].Offset < t.Entries[idx[b]].Offset })
	floor := uint64(o.tableOffset()) + SectorSize
	var last *Entry
	for _, i := range idx {
		p := &t.Entries[i]
		if uint64(p.Offset) < floor && !v.subs.fixedPlace(p) {
			err := lineErr(ErrOverlap, t.File, p.Line, "Partition offset 0x%x is below 0x%x", p.Offset, floor)
			err.Partition = p.Name
			return err
		}
		if last != nil && uint64(p.Offset) < uint64(last.Offset)+uint64(last.Size) {
			err := lineErr(ErrOverlap, t.File, p.Line, "Partition at 0x%x overlaps 0x%x-0x%x",
				p.Offset, last.Offset, int64(last.Offset)+int64(last.Size)-1)
			err.Partition = p.Name
			return err
		}
		last = p
	}
	return nil
}

func (v *validator) verifyOTAData(name, what string) error {
	t := v.t
	var found []*Entry
	for i := range t.Entries {
		if e := &t.Entries[i]; v.subs.is(e, TypeData, name) {
			found = append(found, e)
		}
	}
	if len(found) > 1 {
		err := lineErr(ErrInvalid, t.File, found[1].Line,
			"Found multiple %s partitions. Only one partition can be defined with type=\"data\"(1) and subtype=\"%s\"(%#x).",
			what, name, builtinValue(TypeData, name))
		if name == "ota" {
			err.Msg = strings.Replace(err.Msg, "(0x0)", "(0)", 1) // the tool's text is fixed
		}
		err.Partition = found[1].Name
		return err
	}
	if len(found) == 1 && found[0].Size != OTADataSize {
		err := lineErr(ErrInvalid, t.File, found[0].Line, "%s partition must have size = 0x2000", what)
		err.Partition = found[0].Name
		return err
	}
	return nil
}

// verifyFlashSize is verify_size_fits: the tool measures the end of the entry
// with the highest offset (the first such entry), not the furthest end.
func (t *Table) verifyFlashSize(o *Options) error {
	if o.FlashSize == 0 || len(t.Entries) == 0 {
		return nil
	}
	last := &t.Entries[0]
	for i := range t.Entries {
		if t.Entries[i].Offset > last.Offset {
			last = &t.Entries[i]
		}
	}
	end := uint64(last.Offset) + uint64(last.Size)
	if uint64(o.FlashSize) >= end {
		return nil
	}
	const mb = 1024 * 1024
	err := lineErr(ErrFlashSize, t.File, last.Line,
		"Partitions tables occupies %.1fMB of flash (%d bytes) which does not fit in configured flash size %dMB. "+
			"Change the flash size in menuconfig under the 'Serial Flasher Config' menu.",
		float64(end)/mb, end, o.FlashSize/mb)
	err.Partition = last.Name
	return err
}

func (t *Table) verifyCount(o *Options) error {
	n := len(t.Entries) * EntrySize
	if !o.DisableMD5 {
		n += EntrySize
	}
	if n >= TableSize {
		return lineErr(ErrTableFull, t.File, 0, "Binary partition table length (%d) longer than max", n)
	}
	return nil
}
