// Package fsimage puts the three filesystem codecs (format/spiffs, format/fatfs and
// format/wl) behind one description of a filesystem partition, so the planner, the
// build stage, `espcompose fs`, inspect and verify all build and read images the same
// way: same defaults, same derived ids, same type detection.
package fsimage

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/espcompose/espcompose/format/fatfs"
	"github.com/espcompose/espcompose/format/spiffs"
	"github.com/espcompose/espcompose/format/wl"
)

// Filesystem types.
const (
	SPIFFS = "spiffs"
	FAT    = "fat"
	WLFAT  = "wl-fat"
)

// Types lists the filesystem types, in the order messages name them.
var Types = []string{SPIFFS, FAT, WLFAT}

// fatEpoch is 1980-01-01 00:00, the earliest time a FAT entry can hold.
var fatEpoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// Spec is a filesystem image with every option resolved. It is plain data: the build
// stage keeps it in its parameters, so every option is part of the cache key and of
// build.json.
type Spec struct {
	Type string `json:"type"`
	Size int    `json:"size"` // partition size in bytes; 0 with FAT: the smallest that fits
	// DetectDirName is the folder name fatfsgen.py would be given; only a FAT size of 0
	// ("--partition_size detect") depends on it.
	DetectDirName string `json:"-"`

	// SPIFFS
	PageSize    int  `json:"page_size,omitempty"`
	BlockSize   int  `json:"block_size,omitempty"`
	ObjNameLen  int  `json:"obj_name_len,omitempty"`
	MetaLen     int  `json:"meta_len,omitempty"`
	UseMagic    bool `json:"use_magic,omitempty"`
	UseMagicLen bool `json:"use_magic_len,omitempty"`
	// AlignedObjIxTables and BigEndian are spiffsgen's --aligned-obj-ix-tables and
	// --big-endian; no ESP-IDF default configuration uses them.
	AlignedObjIxTables bool `json:"aligned_obj_ix_tables,omitempty"`
	BigEndian          bool `json:"big_endian,omitempty"`

	// FAT, also inside wl-fat
	SectorSize  int     `json:"sector_size,omitempty"`
	FATCount    int     `json:"fat_count,omitempty"`
	RootEntries int     `json:"root_entries,omitempty"`
	FATType     int     `json:"fat_type,omitempty"` // 0: chosen by size, as fatfsgen does
	LongNames   bool    `json:"long_names,omitempty"`
	Label       string  `json:"label,omitempty"`
	VolumeID    *uint32 `json:"volume_id,omitempty"` // nil: DeriveID("volume_id", ...)
	// Timestamp is the Unix time every FAT entry gets; nil is the FAT epoch.
	Timestamp *int64 `json:"timestamp,omitempty"`

	// Wear levelling
	WLMode   string  `json:"wl_mode,omitempty"`   // "safe" or "perf"
	DeviceID *uint32 `json:"device_id,omitempty"` // nil: DeriveID("device_id", ...)
}

// Defaults are the reference generators' defaults for a partition of size bytes.
func Defaults(typ string, size int) Spec {
	s := Spec{Type: typ, Size: size}
	switch typ {
	case SPIFFS:
		o := spiffs.DefaultOptions(size)
		s.PageSize, s.BlockSize, s.ObjNameLen, s.MetaLen = o.PageSize, o.BlockSize, o.ObjNameLen, o.MetaLen
		s.UseMagic, s.UseMagicLen = o.UseMagic, o.UseMagicLen
	case FAT, WLFAT:
		o := fatfs.DefaultOptions(size)
		s.SectorSize, s.FATCount, s.RootEntries, s.FATType = o.SectorSize, o.FATCount, o.RootEntries, o.FATType
		s.LongNames, s.Label = o.LongNames, o.VolumeLabel
		if typ == WLFAT {
			s.WLMode = modeName(wl.DefaultOptions(size).Mode)
		}
	}
	return s
}

func modeName(m wl.Mode) string {
	if m == wl.ModeSafe {
		return "safe"
	}
	return "perf"
}

// Entry is one file or directory of a tree; Path is slash-separated and relative.
type Entry struct {
	Path string
	Dir  bool
	Data []byte
}

// Sentinel errors, so callers can say what to change whatever codec reported it.
var (
	ErrNoSpace     = errors.New("the files do not fit")
	ErrNameTooLong = errors.New("a name is too long")
	ErrSpec        = errors.New("invalid filesystem options")
)

// Check reports options the codecs would refuse, before any bytes are built.
func (s Spec) Check() error {
	switch s.Type {
	case SPIFFS:
	case FAT:
	case WLFAT:
		if s.WLMode != "safe" && s.WLMode != "perf" {
			return fmt.Errorf("%w: wl_mode must be safe or perf, not %q", ErrSpec, s.WLMode)
		}
		if s.WLMode == "safe" && s.SectorSize != 512 {
			return fmt.Errorf("%w: wl_mode safe needs sector_size 512 (as wl_fatfsgen.py), not %d", ErrSpec, s.SectorSize)
		}
	default:
		return fmt.Errorf("%w: unknown type %q (want %s)", ErrSpec, s.Type, strings.Join(Types, ", "))
	}
	if s.Timestamp != nil && time.Unix(*s.Timestamp, 0).Before(fatEpoch) {
		return fmt.Errorf("%w: timestamp %d is before 1980-01-01, the earliest time FAT can record", ErrSpec, *s.Timestamp)
	}
	return nil
}

// Normalize checks entry paths and sorts them, adding the parent directories of every
// file so FAT images hold the same tree however the caller listed it.
func Normalize(entries []Entry) ([]Entry, error) {
	byPath := map[string]Entry{}
	for _, e := range entries {
		p := e.Path
		if p == "" || strings.HasPrefix(p, "/") || path.Clean(p) != p || p == "." || strings.Contains(p, "\\") {
			return nil, fmt.Errorf("%w: %q is not a clean relative path", ErrSpec, e.Path)
		}
		for _, part := range strings.Split(p, "/") {
			if part == ".." {
				return nil, fmt.Errorf("%w: %q leaves the folder", ErrSpec, e.Path)
			}
		}
		if old, dup := byPath[p]; dup && !(old.Dir && e.Dir) {
			return nil, fmt.Errorf("%w: %q is listed twice", ErrSpec, p)
		}
		byPath[p] = e
		for dir := path.Dir(p); dir != "."; dir = path.Dir(dir) {
			if old, ok := byPath[dir]; ok && !old.Dir {
				return nil, fmt.Errorf("%w: %q is a file and a folder", ErrSpec, dir)
			}
			byPath[dir] = Entry{Path: dir, Dir: true}
		}
	}
	out := make([]Entry, 0, len(byPath))
	for _, e := range byPath {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}
