package fsimage

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/espcompose/espcompose/format/fatfs"
	"github.com/espcompose/espcompose/format/spiffs"
	"github.com/espcompose/espcompose/format/wl"
)

// Build makes the partition image of entries. Missing volume and device ids are
// derived from the content (DeriveID), so the same folder and options always give the
// same bytes.
func Build(s Spec, entries []Entry) ([]byte, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	entries, err := Normalize(entries)
	if err != nil {
		return nil, err
	}
	switch s.Type {
	case SPIFFS:
		var files []spiffs.File
		for _, e := range entries {
			if !e.Dir { // SPIFFS has no folders: a path is just a name with slashes
				files = append(files, spiffs.File{Path: e.Path, Data: e.Data})
			}
		}
		img, err := spiffs.Build(files, s.spiffsOptions())
		return img, classify(err)
	case FAT:
		img, err := fatfs.Build(fatEntries(entries), s.fatOptions(s.Size, entries))
		return img, classify(err)
	default: // WLFAT, checked above
		wo := s.wlOptions(entries)
		fatSize, err := wl.Layout(wo)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrSpec, err)
		}
		fat, err := fatfs.Build(fatEntries(entries), s.fatOptions(fatSize, entries))
		if err != nil {
			return nil, classify(err)
		}
		return wl.Wrap(fat, wo)
	}
}

func fatEntries(entries []Entry) []fatfs.Entry {
	out := make([]fatfs.Entry, len(entries))
	for i, e := range entries {
		out[i] = fatfs.Entry{Path: e.Path, Dir: e.Dir, Data: e.Data}
	}
	return out
}

// classify keeps the codec's message and adds the sentinel callers test for.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, spiffs.ErrNoSpace), errors.Is(err, fatfs.ErrNoSpace):
		return &codecError{kind: ErrNoSpace, err: err}
	case errors.Is(err, spiffs.ErrNameTooLong), errors.Is(err, fatfs.ErrNameTooLong):
		return &codecError{kind: ErrNameTooLong, err: err}
	}
	return err
}

type codecError struct{ kind, err error }

func (e *codecError) Error() string   { return e.err.Error() }
func (e *codecError) Unwrap() []error { return []error{e.kind, e.err} }

func (s Spec) spiffsOptions() spiffs.Options {
	return spiffs.Options{
		Size: s.Size, PageSize: s.PageSize, BlockSize: s.BlockSize, ObjNameLen: s.ObjNameLen,
		MetaLen: s.MetaLen, UseMagic: s.UseMagic, UseMagicLen: s.UseMagicLen,
		AlignedObjIxTables: s.AlignedObjIxTables, BigEndian: s.BigEndian,
	}
}

// SPIFFSOptions are the codec options a SPIFFS image of this spec is read with.
func (s Spec) SPIFFSOptions() spiffs.Options { return s.spiffsOptions() }

func (s Spec) fatOptions(size int, entries []Entry) fatfs.Options {
	o := fatfs.DefaultOptions(size)
	o.SectorSize, o.FATCount, o.RootEntries, o.FATType = s.SectorSize, s.FATCount, s.RootEntries, s.FATType
	o.LongNames, o.VolumeLabel, o.DetectDirName = s.LongNames, s.Label, s.DetectDirName
	if s.VolumeID != nil {
		o.VolumeID = *s.VolumeID
	} else {
		o.VolumeID = DeriveID("volume_id", s, entries)
	}
	if s.Timestamp != nil {
		t := time.Unix(*s.Timestamp, 0).UTC()
		o.Timestamp = &t
	}
	return o
}

func (s Spec) wlOptions(entries []Entry) wl.Options {
	o := wl.DefaultOptions(s.Size)
	o.SectorSize = s.SectorSize
	o.Mode = wl.ModePerf
	if s.WLMode == "safe" {
		o.Mode = wl.ModeSafe
	}
	if s.DeviceID != nil {
		o.DeviceID = *s.DeviceID
	} else {
		o.DeviceID = DeriveID("device_id", s, entries)
	}
	return o
}

// DeriveID is the volume serial ("volume_id") or WL device id ("device_id") used when
// none is given: the first four bytes, big-endian, of
//
//	SHA-256("espcompose-fsimage-id/1\x00" what "\x00" JSON(spec without ids)
//	        then per entry in path order: path "\x00" ("d" | "f" SHA-256(data)))
//
// The reference generators draw these at random; a build must not.
func DeriveID(what string, s Spec, entries []Entry) uint32 {
	s.VolumeID, s.DeviceID = nil, nil
	params, err := json.Marshal(s)
	if err != nil {
		panic(err) // plain data
	}
	h := sha256.New()
	fmt.Fprintf(h, "espcompose-fsimage-id/1\x00%s\x00", what)
	h.Write(params)
	norm, err := Normalize(entries)
	if err != nil {
		norm = entries // Build reports the problem; the id is never used
	}
	for _, e := range norm {
		h.Write([]byte(e.Path))
		if e.Dir {
			h.Write([]byte("\x00d"))
			continue
		}
		sum := sha256.Sum256(e.Data)
		h.Write([]byte("\x00f"))
		h.Write(sum[:])
	}
	return binary.BigEndian.Uint32(h.Sum(nil)[:4])
}

// Granule is the step partition sizes grow by for this type: a SPIFFS block, a
// flash sector otherwise.
func (s Spec) Granule() int {
	if s.Type == SPIFFS && s.BlockSize > 0 {
		return s.BlockSize
	}
	return 4096
}

// MinSize finds the smallest partition size, in Granule steps, at which the entries
// build; ok is false when no size up to 256 MB is enough or something other than
// space is wrong. It lets a "does not fit" message say by how much.
func MinSize(s Spec, entries []Entry) (int, bool) {
	g := s.Granule()
	fits := func(size int) (bool, bool) {
		t := s
		t.Size = size
		_, err := Build(t, entries)
		if err == nil {
			return true, true
		}
		return false, errors.Is(err, ErrNoSpace) || errors.Is(err, wl.ErrOptions) || errors.Is(err, ErrSpec)
	}
	lo := s.Size / g // known not to fit (or zero)
	hi := lo*2 + 1
	for {
		if hi*g > 256<<20 {
			return 0, false
		}
		ok, spaceOnly := fits(hi * g)
		if ok {
			break
		}
		if !spaceOnly {
			return 0, false
		}
		lo, hi = hi, hi*2
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if ok, _ := fits(mid * g); ok {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi * g, true
}
