package wl

import (
	"errors"
	"fmt"
)

// Mode is the wear-levelling mode of wl_fatfsgen --wl_mode. The zero value is
// ModeSafe as pinned in the API; wl_fatfsgen's default (no --wl_mode) writes
// the same bytes as ModePerf, so DefaultOptions picks ModePerf.
type Mode int

// Modes.
const (
	ModeSafe Mode = iota // two extra erased dump sectors before the state (512-byte FAT sectors only)
	ModePerf             // no dump sectors; also what wl_fatfsgen writes without --wl_mode
)

func (m Mode) String() string {
	switch m {
	case ModeSafe:
		return "safe"
	case ModePerf:
		return "perf"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Constants of the WL layer as wl_fatfsgen and WL_Flash use them.
const (
	WLSectorSize        = 4096 // WL page and flash sector size; wl_fatfsgen always writes 4096
	StateHeaderSize     = 64   // sizeof(wl_state_t)
	StateRecordSize     = 16   // wl_pos_update_record_size, one record per WL sector
	ConfigHeaderSize    = 48   // sizeof(wl_config_t), 16-byte aligned
	SafeDumpSectors     = 2    // WL_SAFE_MODE_DUMP_SECTORS
	DefaultVersion      = 2    // FATDefaults.VERSION
	DefaultUpdateRate   = 16   // FATDefaults.UPDATE_RATE
	WriteSize           = 16   // FATDefaults.WR_SIZE == StateRecordSize
	DefaultTempBuffSize = 32   // FATDefaults.TEMP_BUFFER_SIZE
)

// Sentinel errors; every error of this package wraps one of them.
var (
	// ErrOptions: the options cannot describe a WL partition.
	ErrOptions = errors.New("wl: invalid options")
	// ErrFATSize: the FAT volume given to Wrap is not exactly Layout bytes long.
	ErrFATSize = errors.New("wl: FAT volume has the wrong size")
	// ErrNotWL: the image has no valid wear-levelling config or state.
	ErrNotWL = errors.New("wl: not a wear-levelled image")
	// ErrCorrupt: the WL structures are valid but disagree with each other or with the FAT inside.
	ErrCorrupt = errors.New("wl: damaged wear-levelled image")
)

// Options describe a wear-levelled partition. Zero Version, UpdateRate and
// TempBuffSize mean wl_fatfsgen's defaults. The record size (wr_size) is
// always 16: the state layout depends on it and neither wl_fatfsgen nor
// wl_mount lets it change.
type Options struct {
	PartitionSize int    // bytes, a multiple of 4096
	SectorSize    int    // the FAT's sector size, 512 or 4096 (the WL layer always uses 4096)
	Mode          Mode   // ModeSafe needs SectorSize 512, as wl_fatfsgen refuses it otherwise
	DeviceID      uint32 // wl_state_t.wl_device_id; never random here (wl_fatfsgen draws one when 0/absent)

	Version      uint32 // wl_config_t/wl_state_t version (2)
	UpdateRate   uint32 // wl_update_rate and wl_max_sec_erase_cycle_count (16)
	TempBuffSize uint32 // wl_temp_buff_size (32); must divide 4096, as WL_Flash::config demands
}

// DefaultOptions are wl_fatfsgen's defaults for a partition of size bytes:
// 4096-byte sectors, no --wl_mode (same bytes as ModePerf), device id 0.
func DefaultOptions(size int) Options {
	return Options{
		PartitionSize: size,
		SectorSize:    4096,
		Mode:          ModePerf,
		Version:       DefaultVersion,
		UpdateRate:    DefaultUpdateRate,
		TempBuffSize:  DefaultTempBuffSize,
	}
}

// withDefaults fills the zero fields that have a reference default.
func (o Options) withDefaults() Options {
	if o.Version == 0 {
		o.Version = DefaultVersion
	}
	if o.UpdateRate == 0 {
		o.UpdateRate = DefaultUpdateRate
	}
	if o.TempBuffSize == 0 {
		o.TempBuffSize = DefaultTempBuffSize
	}
	return o
}

// Geometry is where each part of a WL partition sits (byte offsets from the
// partition start). It matches the wl_layout of the conformance vectors.
type Geometry struct {
	TotalSectors    int    // PartitionSize / 4096
	StateSectors    int    // sectors of one state copy
	FATSectors      int    // 4096-byte sectors given to the FAT volume
	FATOffset       int    // always 4096: after the dummy sector
	FATSize         int    // FATSectors * 4096
	SafeDumpSectors int    // 2 in safe mode, else 0
	DumpOffset      int    // first dump sector (== end of the FAT)
	StateOffsets    [2]int // state copy 0 and 1
	ConfigOffset    int    // last sector
	MaxPos          int    // wl_part_max_sec_pos: dummy + FAT + dump sectors
}

// minFATSectors: the WL layer needs at least one sector to hand over;
// whether a FAT volume fits in it is the FAT builder's call.
const minFATSectors = 1

// Plan computes the geometry of a partition, as wl_fatfsgen's WLFATFS does.
func Plan(opts Options) (Geometry, error) {
	size := opts.PartitionSize
	if size <= 0 || size%WLSectorSize != 0 {
		return Geometry{}, fmt.Errorf("%w: partition size %d is not a positive multiple of %d", ErrOptions, size, WLSectorSize)
	}
	if size > 1<<32-WLSectorSize {
		return Geometry{}, fmt.Errorf("%w: partition size %d does not fit wl_config_t's 32-bit size", ErrOptions, size)
	}
	if opts.SectorSize != 512 && opts.SectorSize != 4096 {
		return Geometry{}, fmt.Errorf("%w: sector size %d (want 512 or 4096)", ErrOptions, opts.SectorSize)
	}
	o := opts.withDefaults()
	if o.TempBuffSize < WriteSize || WLSectorSize%o.TempBuffSize != 0 {
		return Geometry{}, fmt.Errorf("%w: temp buffer size %d must be at least %d and divide %d", ErrOptions, o.TempBuffSize, WriteSize, WLSectorSize)
	}
	dump := 0
	switch opts.Mode {
	case ModePerf:
	case ModeSafe:
		// wl_fatfsgen: "Wear levelling mode can be set only for sector size 512".
		if opts.SectorSize != 512 {
			return Geometry{}, fmt.Errorf("%w: safe wear-levelling mode needs 512-byte sectors (got %d)", ErrOptions, opts.SectorSize)
		}
		dump = SafeDumpSectors
	default:
		return Geometry{}, fmt.Errorf("%w: unknown mode %d", ErrOptions, int(opts.Mode))
	}
	g := Geometry{TotalSectors: size / WLSectorSize, SafeDumpSectors: dump, FATOffset: WLSectorSize}
	g.StateSectors = stateSectors(g.TotalSectors)
	g.FATSectors = g.TotalSectors - 1 - 1 - 2*g.StateSectors - dump
	if g.FATSectors < minFATSectors {
		return Geometry{}, fmt.Errorf("%w: a %d-byte partition leaves no room for a FAT volume after the WL sectors", ErrOptions, size)
	}
	g.FATSize = g.FATSectors * WLSectorSize
	g.DumpOffset = g.FATOffset + g.FATSize
	g.StateOffsets[0] = g.DumpOffset + dump*WLSectorSize
	g.StateOffsets[1] = g.StateOffsets[0] + g.StateSectors*WLSectorSize
	g.ConfigOffset = size - WLSectorSize
	g.MaxPos = 1 + g.FATSectors + dump
	return g, nil
}

// stateSectors is the size of one state copy: the header plus one record
// per WL sector of the whole partition, rounded up to sectors.
func stateSectors(totalSectors int) int {
	n := StateHeaderSize + StateRecordSize*totalSectors
	return (n + WLSectorSize - 1) / WLSectorSize
}

// Layout returns how many bytes the FAT volume gets inside the partition:
// the size to pass to the FAT builder (fatfsgen's size) before Wrap.
func Layout(opts Options) (fatSize int, err error) {
	g, err := Plan(opts)
	if err != nil {
		return 0, err
	}
	return g.FATSize, nil
}
