package planner

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/espcompose/espcompose/format/parttable"
	"github.com/espcompose/espcompose/internal/fsimage"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/stages"
)

// Data partition subtypes a filesystem goes in (ESP-IDF's "fat" and "spiffs").
const (
	subtypeFAT    uint8 = 0x81
	subtypeSPIFFS uint8 = 0x82
)

// FilesystemInfo is what the plan knows about a filesystem partition: the options it
// is built with and the folder's files, read once at plan time.
type FilesystemInfo struct {
	Name      string
	Partition string
	Dir       string // as shown to users, relative to the manifest
	Spec      fsimage.Spec
	Entries   []fsimage.Entry
	Stage     string // the filesystem stage (plaintext image)
}

// Files counts the regular files.
func (fi *FilesystemInfo) Files() int {
	n := 0
	for _, e := range fi.Entries {
		if !e.Dir {
			n++
		}
	}
	return n
}

// filesystemContents handles contents = filesystem.x: the folder is read and the image
// built once here, so a folder that is missing, too large or has a name the options
// cannot hold fails the plan with the manifest line, not the build.
func (p *planner) filesystemContents(mp *manifest.Partition, ref *manifest.Ref, r *Region) string {
	fs := p.cfg.FilesystemByName(ref.Name)
	if fs == nil || fs.Type == "" {
		return ""
	}
	wantSub, subName := subtypeFAT, "fat"
	if fs.Type == fsimage.SPIFFS {
		wantSub, subName = subtypeSPIFFS, "spiffs"
	}
	if mp.Type != parttable.TypeData || mp.Subtype != wantSub {
		p.errorf(ref.Range, "Filesystem does not match the partition",
			"filesystem.%s is %s, which goes in a partition of type data, subtype %s; partition %q is %s.",
			fs.Name, fs.Type, subName, mp.Name, typeString(mp))
		return ""
	}
	if fs.Type == fsimage.SPIFFS && mp.Encrypted && p.flashEncryption() != nil {
		p.errorf(mp.AttrRange("encrypted"), "SPIFFS partitions cannot be flash-encrypted",
			"Partition %q holds a SPIFFS filesystem. SPIFFS does not support flash encryption (it rewrites bits in place), "+
				"so the device could not read it. Use a fat or wl-fat filesystem, or remove encrypted = true.", mp.Name)
		return ""
	}
	dirRel := p.rel(fs.Dir)
	entries, err := fsimage.ReadDir(p.opts.FS, fs.Dir)
	if err != nil {
		p.errorf(fs.AttrRange("dir"), "Cannot read filesystem folder", "filesystem %q: %s: %v.", fs.Name, dirRel, unwrap(err))
		return ""
	}
	spec, ok := p.fsSpec(fs, mp)
	if !ok {
		return ""
	}
	if err := spec.Check(); err != nil {
		// Only two option combinations pass the manifest's own checks and fail here.
		at := fs.Range
		switch {
		case spec.WLMode == "safe" && spec.SectorSize != 512:
			at = fs.AttrRange("wl_mode")
		case spec.Timestamp != nil:
			at = fs.AttrRange("source_date_epoch")
		}
		p.errorf(at, "Invalid filesystem options", "filesystem %q: %v.", fs.Name, err)
		return ""
	}
	if _, err := fsimage.Build(spec, entries); err != nil {
		p.fsBuildError(fs, mp, ref, spec, entries, err)
		return ""
	}
	info := &FilesystemInfo{Name: fs.Name, Partition: mp.Name, Dir: dirRel, Spec: spec, Entries: entries}
	st := &stages.Filesystem{Name: fs.Name, Partition: mp.Name, Spec: spec}
	for _, e := range entries {
		st.Entries = append(st.Entries, stages.FSEntry{Path: e.Path, Dir: e.Dir})
		if !e.Dir {
			st.Sources = append(st.Sources, p.source("filesystem."+fs.Name+"/"+e.Path, filepath.Join(fs.Dir, filepath.FromSlash(e.Path)), e.Data))
		}
	}
	info.Stage = p.add(st)
	p.plan.Filesystems = append(p.plan.Filesystems, info)
	r.Source = fmt.Sprintf("filesystem.%s (%s, %s)", fs.Name, fs.Type, plural(info.Files(), "file"))
	return info.Stage
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// fsSpec resolves the block's options over the generator's defaults.
func (p *planner) fsSpec(fs *manifest.Filesystem, mp *manifest.Partition) (fsimage.Spec, bool) {
	s := fsimage.Defaults(fs.Type, int(mp.Size))
	setInt := func(dst *int, v int) {
		if v != 0 {
			*dst = v
		}
	}
	setInt(&s.PageSize, fs.PageSize)
	setInt(&s.BlockSize, fs.BlockSize)
	setInt(&s.ObjNameLen, fs.ObjNameLen)
	if fs.MetaLenSet {
		s.MetaLen = fs.MetaLen
	}
	if fs.Magic != nil {
		s.UseMagic = *fs.Magic
	}
	if fs.MagicLen != nil {
		s.UseMagicLen = *fs.MagicLen
	}
	setInt(&s.SectorSize, fs.SectorSize)
	setInt(&s.FATCount, fs.FATCount)
	setInt(&s.RootEntries, fs.RootEntries)
	setInt(&s.FATType, fs.FATType)
	if fs.LongNames {
		s.LongNames = true
	}
	if fs.Label != "" {
		s.Label = fs.Label
	}
	s.VolumeID, s.DeviceID = fs.VolumeID, fs.DeviceID
	if fs.WLMode != "" {
		s.WLMode = fs.WLMode
	}
	if fs.SourceDateEpoch && p.opts.SourceDateEpoch != nil {
		t := *p.opts.SourceDateEpoch
		s.Timestamp = &t
	}
	if mp.Size%uint32(s.Granule()) != 0 {
		p.errorf(mp.AttrRange("size"), "Partition size does not suit the filesystem",
			"Partition %q is %d bytes; a %s filesystem needs a multiple of %d.", mp.Name, mp.Size, fs.Type, s.Granule())
		return s, false
	}
	return s, true
}

// fsBuildError turns a codec refusal into a diagnostic on the line to change.
func (p *planner) fsBuildError(fs *manifest.Filesystem, mp *manifest.Partition, ref *manifest.Ref, spec fsimage.Spec, entries []fsimage.Entry, err error) {
	switch {
	case errors.Is(err, fsimage.ErrNoSpace):
		total := 0
		files := 0
		for _, e := range entries {
			if !e.Dir {
				total += len(e.Data)
				files++
			}
		}
		what := fmt.Sprintf("filesystem.%s (%s in %s, %d bytes)", fs.Name, plural(files, "file"), p.rel(fs.Dir), total)
		if need, ok := fsimage.MinSize(spec, entries); ok {
			p.errorf(ref.Range, "Files do not fit the partition",
				"%s needs a %s partition of at least %d bytes (0x%x); partition %q holds %d, so it is %d bytes too small.",
				what, fs.Type, need, need, mp.Name, mp.Size, need-int(mp.Size))
			return
		}
		p.errorf(ref.Range, "Files do not fit the partition", "%s does not fit partition %q (%d bytes): %v.", what, mp.Name, mp.Size, err)
	case errors.Is(err, fsimage.ErrNameTooLong):
		hint := "shorten the name"
		at := fs.AttrRange("dir")
		switch {
		case fs.Type == fsimage.SPIFFS:
			hint = fmt.Sprintf("shorten the name or raise obj_name_len (now %d, which includes the leading / and the terminating NUL)", spec.ObjNameLen)
			if _, set := fs.AttrRanges["obj_name_len"]; set {
				at = fs.AttrRange("obj_name_len")
			}
		case !spec.LongNames:
			hint = "use an 8.3 name (8 characters, a dot, 3 characters) or set long_names = true"
		}
		p.errorf(at, "Name too long for the filesystem", "filesystem %q: %v; %s.", fs.Name, err, hint)
	default:
		p.errorf(fs.Range, "Cannot build the filesystem", "filesystem %q for partition %q: %v.", fs.Name, mp.Name, err)
	}
}

// unusedFilesystems warns about filesystem blocks no partition uses: their folder is
// not read and nothing is built, which is rarely what was meant.
func (p *planner) unusedFilesystems() {
	used := map[string]bool{}
	for _, mp := range p.cfg.AllPartitions() {
		if mp.Contents != nil && mp.Contents.Kind == "filesystem" {
			used[mp.Contents.Name] = true
		}
	}
	for _, fs := range p.cfg.Filesystems {
		if !used[fs.Name] {
			p.warnf(fs.Range, "Filesystem not used",
				"No partition has contents = filesystem.%s, so %s is not read and no image is built.", fs.Name, p.rel(fs.Dir))
		}
	}
}
