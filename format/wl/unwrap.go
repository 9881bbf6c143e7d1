package wl

import (
	"encoding/binary"
	"fmt"
)

// Unwrap takes the FAT volume out of a wear-levelled partition image and
// returns it with the options that describe the partition (Wrap(fat, opts)
// gives the image back when it came from wl_fatfsgen or Wrap). It checks the
// config and state CRCs, that the structures agree with the image size, and
// that the FAT boot sector inside claims the size the layout leaves it: that
// is how safe mode (two sectors fewer) is told from perf mode, and where the
// FAT sector size comes from. An image used on a device, whose dummy sector
// has moved, is put back in logical order first, as WL_Flash::calcAddr reads it.
func Unwrap(img []byte) (fat []byte, opts Options, err error) {
	n := len(img)
	if n%WLSectorSize != 0 || n < 5*WLSectorSize {
		return nil, Options{}, fmt.Errorf("%w: %d bytes is not a WL partition (a multiple of %d, at least %d)", ErrNotWL, n, WLSectorSize, 5*WLSectorSize)
	}
	cfgOff := n - WLSectorSize
	cfg, ok := decodeConfig(img[cfgOff:])
	if !ok {
		return nil, Options{}, fmt.Errorf("%w: config sector at 0x%x has no valid wl_config_t (CRC mismatch); not a wear-levelled partition, or damaged", ErrNotWL, cfgOff)
	}
	switch {
	case int64(cfg.FullMemSize) != int64(n):
		return nil, Options{}, fmt.Errorf("%w: config at 0x%x is for a %d-byte partition, the image is %d bytes", ErrCorrupt, cfgOff, cfg.FullMemSize, n)
	case cfg.StartAddr != 0:
		return nil, Options{}, fmt.Errorf("%w: config at 0x%x has start address 0x%x (want 0)", ErrCorrupt, cfgOff, cfg.StartAddr)
	case cfg.PageSize != WLSectorSize || cfg.SectorSize != WLSectorSize:
		return nil, Options{}, fmt.Errorf("%w: config at 0x%x has page size %d and sector size %d (only %d is supported)", ErrCorrupt, cfgOff, cfg.PageSize, cfg.SectorSize, WLSectorSize)
	case cfg.WriteSize != WriteSize:
		return nil, Options{}, fmt.Errorf("%w: config at 0x%x has record size %d (want %d)", ErrCorrupt, cfgOff, cfg.WriteSize, WriteSize)
	case cfg.Version == 0 || cfg.UpdateRate == 0 || cfg.TempBuffSize == 0:
		return nil, Options{}, fmt.Errorf("%w: config at 0x%x has version %d, update rate %d and buffer size %d (all must be set)", ErrCorrupt, cfgOff, cfg.Version, cfg.UpdateRate, cfg.TempBuffSize)
	}
	opts = Options{
		PartitionSize: n,
		SectorSize:    WLSectorSize,
		Mode:          ModePerf,
		Version:       cfg.Version,
		UpdateRate:    cfg.UpdateRate,
		TempBuffSize:  cfg.TempBuffSize,
	}
	// The perf geometry places the states and bounds the dummy's travel;
	// safe mode only takes two sectors off the end of the FAT.
	g, err := Plan(opts)
	if err != nil {
		return nil, Options{}, fmt.Errorf("%w: config at 0x%x: %v", ErrCorrupt, cfgOff, err)
	}

	// WL_Flash::init trusts copy 0 when its CRC holds, else recovers from copy 1.
	copyIdx := -1
	var st stateHeader
	for i, off := range g.StateOffsets {
		if s, ok := decodeState(img[off:]); ok {
			copyIdx, st = i, s
			break
		}
	}
	if copyIdx < 0 {
		return nil, Options{}, fmt.Errorf("%w: neither WL state copy (at 0x%x and 0x%x) has a valid CRC", ErrNotWL, g.StateOffsets[0], g.StateOffsets[1])
	}
	stOff := g.StateOffsets[copyIdx]
	switch {
	case int(st.MaxPos) != g.MaxPos:
		return nil, Options{}, fmt.Errorf("%w: state at 0x%x spans %d sectors, the %d-byte layout has %d", ErrCorrupt, stOff, st.MaxPos, n, g.MaxPos)
	case st.BlockSize != WLSectorSize:
		return nil, Options{}, fmt.Errorf("%w: state at 0x%x has block size %d (want %d)", ErrCorrupt, stOff, st.BlockSize, WLSectorSize)
	case st.Version != cfg.Version:
		return nil, Options{}, fmt.Errorf("%w: state at 0x%x has version %d, config has %d", ErrCorrupt, stOff, st.Version, cfg.Version)
	case st.MaxCount != cfg.UpdateRate:
		return nil, Options{}, fmt.Errorf("%w: state at 0x%x has erase cycle limit %d, config has update rate %d", ErrCorrupt, stOff, st.MaxCount, cfg.UpdateRate)
	case st.MoveCount != 0 && st.MoveCount >= st.MaxPos-1:
		return nil, Options{}, fmt.Errorf("%w: state at 0x%x has move count %d beyond %d", ErrCorrupt, stOff, st.MoveCount, st.MaxPos-1)
	}
	opts.DeviceID = st.DeviceID

	logical := logicalFlash(img, g, st, img[stOff+StateHeaderSize:stOff+g.StateSectors*WLSectorSize])

	bps, totalBytes, ferr := fatClaim(logical)
	if ferr != "" {
		return nil, Options{}, fmt.Errorf("%w: no FAT volume inside the WL layer: %s", ErrCorrupt, ferr)
	}
	switch {
	case totalBytes == g.FATSize:
		opts.Mode = ModePerf
	case totalBytes == g.FATSize-SafeDumpSectors*WLSectorSize && bps == 512:
		opts.Mode = ModeSafe
	default:
		return nil, Options{}, fmt.Errorf("%w: the FAT boot sector claims %d bytes, the WL layout holds %d (perf mode) or %d (safe mode, 512-byte sectors)",
			ErrCorrupt, totalBytes, g.FATSize, g.FATSize-SafeDumpSectors*WLSectorSize)
	}
	opts.SectorSize = bps
	return logical[:totalBytes], opts, nil
}

// logicalFlash returns the WL flash area (the FAT and any dump sectors) in
// logical order. The dummy position is recovered from the records as
// WL_Flash::recoverPos does: the first record that is not the expected
// sequence of CRCs marks it.
func logicalFlash(img []byte, g Geometry, st stateHeader, records []byte) []byte {
	maxPos := int(st.MaxPos)
	pos := 0
	for pos < maxPos && (pos+1)*StateRecordSize <= len(records) && recordSet(records[pos*StateRecordSize:], st.DeviceID, pos) {
		pos++
	}
	if pos == maxPos && pos != 0 {
		pos--
	}
	flashSize := (maxPos - 1) * WLSectorSize
	out := make([]byte, flashSize)
	move := int(st.MoveCount) * WLSectorSize
	dummy := pos * WLSectorSize
	for addr := 0; addr < flashSize; addr += WLSectorSize {
		phys := (flashSize - move%flashSize + addr) % flashSize
		if phys >= dummy {
			phys += WLSectorSize
		}
		copy(out[addr:addr+WLSectorSize], img[phys:phys+WLSectorSize])
	}
	return out
}

// recordSet reports whether the 16-byte record n holds the values
// WL_Flash::fillOkBuff writes: crc(device_id + 4n + i) for i = 0..3.
func recordSet(rec []byte, deviceID uint32, n int) bool {
	var w [4]byte
	for i := 0; i < 4; i++ {
		binary.LittleEndian.PutUint32(w[:], deviceID+uint32(n)*4+uint32(i))
		if binary.LittleEndian.Uint32(rec[4*i:]) != crcLE(w[:]) {
			return false
		}
	}
	return true
}

// fatClaim reads the few boot-sector fields that say how big the FAT
// volume is. It returns a reason instead of a size when there is no boot sector.
func fatClaim(vol []byte) (bytesPerSector, totalBytes int, reason string) {
	if len(vol) < 512 {
		return 0, 0, "volume shorter than a boot sector"
	}
	if vol[510] != 0x55 || vol[511] != 0xAA {
		return 0, 0, fmt.Sprintf("boot signature is %02x %02x, want 55 aa (offset 0x%x of the partition)", vol[510], vol[511], WLSectorSize+510)
	}
	bps := int(binary.LittleEndian.Uint16(vol[11:]))
	if bps != 512 && bps != 4096 {
		return 0, 0, fmt.Sprintf("bytes per sector is %d, want 512 or 4096 (offset 0x%x of the partition)", bps, WLSectorSize+11)
	}
	total := int(binary.LittleEndian.Uint16(vol[19:]))
	if total == 0 {
		total = int(binary.LittleEndian.Uint32(vol[32:]))
	}
	if total == 0 {
		return 0, 0, fmt.Sprintf("total sector count is 0 (offset 0x%x of the partition)", WLSectorSize+19)
	}
	return bps, total * bps, ""
}

// decodeConfig parses wl_config_t and checks its CRC.
func decodeConfig(b []byte) (configHeader, bool) {
	w := func(i int) uint32 { return binary.LittleEndian.Uint32(b[4*i:]) }
	c := configHeader{w(0), w(1), w(2), w(3), w(4), w(5), w(6), w(7)}
	return c, w(8) == crcLE(b[:32])
}

// decodeState parses wl_state_t and checks its CRC (version 2: over the 60
// bytes before it).
func decodeState(b []byte) (stateHeader, bool) {
	w := func(i int) uint32 { return binary.LittleEndian.Uint32(b[4*i:]) }
	s := stateHeader{w(0), w(1), w(2), w(3), w(4), w(5), w(6), w(7)}
	return s, w(15) == crcLE(b[:60])
}
