package main

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/espcompose/espcompose/internal/fsimage"
	"github.com/espcompose/espcompose/manifest"
)

// fsSpecFromFlags turns the flags into a spec, refusing options of another type.
func (a *app) fsSpecFromFlags(cmd *cobra.Command, ff *fsFlags, dir string) (fsimage.Spec, error) {
	if !contains(fsimage.Types, ff.typ) {
		if ff.typ == "" {
			return fsimage.Spec{}, usagef("--type is required: spiffs, fat or wl-fat")
		}
		return fsimage.Spec{}, usagef("--type must be spiffs, fat or wl-fat, not %q", ff.typ)
	}
	var bad []string
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		if types, ok := fsFlagTypes[fl.Name]; ok && !contains(types, ff.typ) {
			bad = append(bad, fmt.Sprintf("--%s applies to --type %s", fl.Name, strings.Join(types, " and ")))
		}
	})
	if len(bad) > 0 {
		return fsimage.Spec{}, usagef("%s, not %s", strings.Join(bad, "; "), ff.typ)
	}
	if ff.size == "" {
		return fsimage.Spec{}, usagef("--size is required (the partition size, e.g. 0x100000 or 1M)")
	}
	size := 0
	if ff.size == "detect" {
		if ff.typ != fsimage.FAT {
			return fsimage.Spec{}, usagef("--size detect works with --type fat only; a %s image fills its partition", ff.typ)
		}
	} else {
		n, err := manifest.ParseSize(ff.size)
		if err != nil || n == 0 || n > maxFlashSize {
			return fsimage.Spec{}, usagef("--size: %q is not a partition size (1 byte to 128MB)", ff.size)
		}
		size = int(n)
	}
	s := fsimage.Defaults(ff.typ, size)
	s.DetectDirName = filepath.Base(filepath.Clean(dir))
	changed := cmd.Flags().Changed
	sizeFlag := func(name, v string, min, max uint64, dst *int) error {
		if !changed(name) {
			return nil
		}
		n, err := manifest.ParseSize(v)
		if err != nil || n < min || n > max {
			return usagef("--%s: %q is not a number from %d to %d", name, v, min, max)
		}
		*dst = int(n)
		return nil
	}
	if err := sizeFlag("page-size", ff.pageSize, 64, 1<<16, &s.PageSize); err != nil {
		return s, err
	}
	if err := sizeFlag("block-size", ff.blockSize, 256, 1<<20, &s.BlockSize); err != nil {
		return s, err
	}
	if err := sizeFlag("obj-name-len", ff.objNameLen, 2, 1024, &s.ObjNameLen); err != nil {
		return s, err
	}
	if changed("meta-len") {
		if ff.metaLen < 0 || ff.metaLen > 1024 {
			return s, usagef("--meta-len must be from 0 to 1024, not %d", ff.metaLen)
		}
		s.MetaLen = ff.metaLen
	}
	if ff.magic && ff.noMagic || ff.magicLen && ff.noMagicLen {
		return s, usagef("give --magic or --no-magic, --magic-len or --no-magic-len, not both")
	}
	if ff.noMagic {
		s.UseMagic = false
	}
	if ff.noMagicLen {
		s.UseMagicLen = false
	}
	s.AlignedObjIxTables, s.BigEndian = ff.alignedIx, ff.bigEndian

	if changed("sector-size") {
		if ff.sectorSize != 512 && ff.sectorSize != 4096 {
			return s, usagef("--sector-size must be 512 or 4096, not %d", ff.sectorSize)
		}
		s.SectorSize = ff.sectorSize
	}
	if changed("fat-count") {
		if ff.fatCount != 1 && ff.fatCount != 2 {
			return s, usagef("--fat-count must be 1 or 2, not %d", ff.fatCount)
		}
		s.FATCount = ff.fatCount
	}
	if changed("root-entries") {
		if ff.rootEntries < 1 || ff.rootEntries > 65535 {
			return s, usagef("--root-entries must be from 1 to 65535, not %d", ff.rootEntries)
		}
		s.RootEntries = ff.rootEntries
	}
	if changed("fat-type") {
		if ff.fatType != 12 && ff.fatType != 16 {
			return s, usagef("--fat-type must be 12 or 16, not %d", ff.fatType)
		}
		s.FATType = ff.fatType
	}
	s.LongNames = s.LongNames || ff.longNames
	if changed("label") {
		if len(ff.label) > 11 || strings.IndexFunc(ff.label, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0 {
			return s, usagef("--label is at most 11 printable ASCII characters, not %q", ff.label)
		}
		s.Label = ff.label
	}
	for name, dst := range map[string]**uint32{"volume-id": &s.VolumeID, "device-id": &s.DeviceID} {
		v := map[string]string{"volume-id": ff.volumeID, "device-id": ff.deviceID}[name]
		if !changed(name) {
			continue
		}
		n, err := strconv.ParseUint(v, 0, 32)
		if err != nil {
			return s, usagef("--%s: %q is not a 32-bit number (e.g. 0x12345678)", name, v)
		}
		id := uint32(n)
		*dst = &id
	}
	if changed("wl-mode") {
		if ff.wlMode != "safe" && ff.wlMode != "perf" {
			return s, usagef("--wl-mode must be safe or perf, not %q", ff.wlMode)
		}
		s.WLMode = ff.wlMode
	}
	if ff.sourceDateEpoch {
		v := a.getenv("SOURCE_DATE_EPOCH")
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return s, usagef("--source-date-epoch: SOURCE_DATE_EPOCH=%q is not a number of seconds", v)
		}
		s.Timestamp = &n
	}
	if err := s.Check(); err != nil {
		return s, usageError{err}
	}
	return s, nil
}
