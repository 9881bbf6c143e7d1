package wl

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// crcLE is esp_rom_crc32_le(UINT32_MAX, p) (and fatfs_utils' crc32(p,
// UINT32_MAX)): zlib's CRC-32 started from 0xFFFFFFFF instead of 0.
func crcLE(p []byte) uint32 {
	return crc32.Update(0xFFFFFFFF, crc32.IEEETable, p)
}

// Wrap builds the full partition image around fat, which must be exactly
// Layout(opts) bytes (the FAT volume built for that size). The result is
// what wl_fatfsgen writes: dummy sector, FAT, dump sectors in safe mode, two
// state copies with the dummy at position 0, and the config sector.
func Wrap(fat []byte, opts Options) ([]byte, error) {
	g, err := Plan(opts)
	if err != nil {
		return nil, err
	}
	if len(fat) != g.FATSize {
		return nil, fmt.Errorf("%w: got %d bytes, the %d-byte partition holds a FAT volume of exactly %d bytes (%d sectors of %d)",
			ErrFATSize, len(fat), opts.PartitionSize, g.FATSize, g.FATSectors, WLSectorSize)
	}
	o := opts.withDefaults()

	// Everything that is not written below is erased flash.
	img := bytes.Repeat([]byte{0xFF}, opts.PartitionSize)
	copy(img[g.FATOffset:], fat)

	state := encodeState(stateHeader{
		Pos:       0,
		MaxPos:    uint32(g.MaxPos),
		MoveCount: 0,
		Access:    0,
		MaxCount:  o.UpdateRate,
		BlockSize: WLSectorSize,
		Version:   o.Version,
		DeviceID:  o.DeviceID,
	})
	for _, off := range g.StateOffsets {
		copy(img[off:], state)
	}
	copy(img[g.ConfigOffset:], encodeConfig(configHeader{
		StartAddr:    0,
		FullMemSize:  uint32(opts.PartitionSize),
		PageSize:     WLSectorSize,
		SectorSize:   WLSectorSize,
		UpdateRate:   o.UpdateRate,
		WriteSize:    WriteSize,
		Version:      o.Version,
		TempBuffSize: o.TempBuffSize,
	}))
	return img, nil
}

// stateHeader is wl_state_t without its reserved words and CRC.
type stateHeader struct {
	Pos, MaxPos, MoveCount, Access, MaxCount, BlockSize, Version, DeviceID uint32
}

// encodeState lays out wl_state_t: eight words, 28 reserved zero bytes, and
// the CRC of the 60 bytes before it.
func encodeState(s stateHeader) []byte {
	b := make([]byte, StateHeaderSize)
	for i, v := range []uint32{s.Pos, s.MaxPos, s.MoveCount, s.Access, s.MaxCount, s.BlockSize, s.Version, s.DeviceID} {
		binary.LittleEndian.PutUint32(b[4*i:], v)
	}
	binary.LittleEndian.PutUint32(b[60:], crcLE(b[:60]))
	return b
}

// configHeader is wl_config_t without its CRC.
type configHeader struct {
	StartAddr, FullMemSize, PageSize, SectorSize, UpdateRate, WriteSize, Version, TempBuffSize uint32
}

// encodeConfig lays out wl_config_t: eight words, the CRC of those 32 bytes,
// and 12 zero bytes of alignment padding (the struct is 16-byte aligned).
func encodeConfig(c configHeader) []byte {
	b := make([]byte, ConfigHeaderSize)
	for i, v := range []uint32{c.StartAddr, c.FullMemSize, c.PageSize, c.SectorSize, c.UpdateRate, c.WriteSize, c.Version, c.TempBuffSize} {
		binary.LittleEndian.PutUint32(b[4*i:], v)
	}
	binary.LittleEndian.PutUint32(b[32:], crcLE(b[:32]))
	return b
}
