package parttable

// Place assigns offsets to entries whose AutoOffset is set, exactly as
// gen_esp32part fills in empty CSV offsets: walking the entries in order from
// start, each auto entry goes at the end of the previous entry rounded up to
// 64 KiB for apps and 4 KiB otherwise; an explicit offset below the end of the
// previous entry is an overlap. Primary bootloader and primary partition
// table entries keep their offsets and do not move the cursor.
//
// Every entry must then lie inside [start, end) (end 0 means no upper bound).
// For a nested table such as esp-at's at_customize, start is the parent
// partition's offset + 0x1000 (its first sector holds the child table) and end
// the parent's end; offsets stay absolute flash offsets.
func Place(entries []Entry, start, end uint32) error {
	ce := make([]csvEntry, len(entries))
	for i, e := range entries {
		ce[i] = csvEntry{Entry: e, offset: int64(e.Offset), hasOffset: !e.AutoOffset, size: int64(e.Size)}
	}
	subs, _ := newSubtypeSet(nil)
	if err := place(ce, int64(start), subs, "", false); err != nil {
		return err
	}
	for i := range ce {
		e := &ce[i]
		if subs.fixedPlace(&e.Entry) {
			continue
		}
		last := e.offset + e.size
		if e.offset < int64(start) || last > 0x100000000 || (end != 0 && last > int64(end)) {
			err := lineErr(ErrOutOfRange, "", e.Line, "Partition %s (0x%x-0x%x) does not lie inside 0x%x-0x%x",
				e.Name, e.offset, last, start, end)
			err.Partition = e.Name
			return err
		}
	}
	for i := range ce {
		entries[i].Offset, entries[i].AutoOffset = uint32(ce[i].offset), false
	}
	return nil
}

// place walks entries as the tool's "fix up missing offsets & negative sizes"
// loop. Negative sizes (CSV only) mean "ends at -size".
func place(entries []csvEntry, start int64, subs *subtypeSet, file string, fromCSV bool) error {
	lastEnd := start
	for i := range entries {
		e := &entries[i]
		if subs.fixedPlace(&e.Entry) {
			continue
		}
		if e.hasOffset && e.offset < lastEnd {
			var err *Error
			if e.sameAs(&entries[0]) {
				if fromCSV {
					err = lineErr(ErrOverlap, file, e.Line,
						"CSV Error at line %d: Partitions overlap. Partition sets offset %s. But partition table occupies the whole sector 0x%x. Use a free offset 0x%x or higher.",
						e.Line, hexInt(e.offset), start-SectorSize, lastEnd)
				} else {
					err = lineErr(ErrOverlap, file, e.Line,
						"Partitions overlap. Partition %s sets offset %s. Use a free offset 0x%x or higher.",
						e.Name, hexInt(e.offset), lastEnd)
				}
			} else {
				err = lineErr(ErrOverlap, file, e.Line,
					"CSV Error at line %d: Partitions overlap. Partition sets offset %s. Previous partition ends 0x%x",
					e.Line, hexInt(e.offset), lastEnd)
				if !fromCSV {
					err.Msg = sprintf("Partitions overlap. Partition %s sets offset %s. Previous partition ends 0x%x",
						e.Name, hexInt(e.offset), lastEnd)
				}
			}
			err.Partition = e.Name
			return err
		}
		if !e.hasOffset {
			align := int64(offsetAlign(e.Type))
			if lastEnd%align != 0 {
				lastEnd += align - lastEnd%align
			}
			e.offset, e.hasOffset, e.AutoOffset = lastEnd, true, false
		}
		if e.size < 0 {
			e.size = -e.size - e.offset
		}
		lastEnd = e.offset + e.size
	}
	return nil
}

// sameAs is the tool's PartitionDefinition.__eq__ (used to word the overlap
// message for the first entry).
func (e *csvEntry) sameAs(o *csvEntry) bool {
	return e.Name == o.Name && e.Type == o.Type && e.Subtype == o.Subtype &&
		e.offset == o.offset && e.size == o.size
}
