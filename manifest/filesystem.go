package manifest

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Filesystem is a filesystem image built from a folder at plan time and placed in a
// data partition (`contents = filesystem.web`). Zero options mean "the generator's
// default"; the planner fills them in from the codec, so a plan shows every value used.
type Filesystem struct {
	Name string
	Type string // "spiffs", "fat" or "wl-fat"
	Dir  string // resolved against the manifest directory

	// SPIFFS (spiffsgen.py)
	PageSize, BlockSize, ObjNameLen, MetaLen int
	MetaLenSet                               bool // meta_len = 0 is a real choice
	Magic, MagicLen                          *bool

	// FAT (fatfsgen.py), also inside wl-fat
	SectorSize, FATCount, RootEntries, FATType int
	LongNames                                  bool
	VolumeID                                   *uint32 // nil: derived from the content
	Label                                      string

	// Wear levelling (wl_fatfsgen.py)
	DeviceID *uint32 // nil: derived from the content
	WLMode   string  // "safe" or "perf"; "" the generator's default

	// SourceDateEpoch stamps FAT entries with SOURCE_DATE_EPOCH when it is set;
	// otherwise (and by default) every timestamp is the FAT epoch.
	SourceDateEpoch bool

	Range      hcl.Range
	AttrRanges map[string]hcl.Range
}

// AttrRange returns the range of the attribute, or the block range.
func (f *Filesystem) AttrRange(name string) hcl.Range {
	if r, ok := f.AttrRanges[name]; ok {
		return r
	}
	return f.Range
}

// FilesystemTypes are the filesystem kinds a filesystem block builds.
var FilesystemTypes = []string{"spiffs", "fat", "wl-fat"}

// fsOptionTypes says which filesystem types each option applies to.
var fsOptionTypes = map[string][]string{
	"page_size": {"spiffs"}, "block_size": {"spiffs"}, "obj_name_len": {"spiffs"},
	"meta_len": {"spiffs"}, "magic": {"spiffs"}, "magic_len": {"spiffs"},
	"sector_size": {"fat", "wl-fat"}, "fat_count": {"fat", "wl-fat"}, "root_entries": {"fat", "wl-fat"},
	"fat_type": {"fat", "wl-fat"}, "long_names": {"fat", "wl-fat"}, "volume_id": {"fat", "wl-fat"},
	"label": {"fat", "wl-fat"}, "source_date_epoch": {"fat", "wl-fat"},
	"device_id": {"wl-fat"}, "wl_mode": {"wl-fat"},
}

func (d *decoder) filesystem(b *Block) (*Filesystem, cty.Value) {
	f := &Filesystem{Name: b.Name, Range: b.DeclRange, AttrRanges: map[string]hcl.Range{}}
	for name, a := range b.Attrs {
		f.AttrRanges[name] = a.Expr.Range()
	}
	if a := b.Attr("type"); a != nil {
		if t, ok := d.str(a); ok {
			if !contains(FilesystemTypes, t) {
				d.errorf(a.Expr.Range(), "Unknown filesystem type",
					"%q is not a filesystem type%s. Known: %s.", t, suggest(t, FilesystemTypes), strings.Join(FilesystemTypes, ", "))
			} else {
				f.Type = t
			}
		}
	}
	if a := b.Attr("dir"); a != nil {
		f.Dir, _ = d.path(a)
	}
	for _, a := range sortedAttrs(b.Attrs) {
		if types, ok := fsOptionTypes[a.Name]; ok && f.Type != "" && !contains(types, f.Type) {
			d.errorf(a.Expr.Range(), "Option does not apply",
				"%s applies to %s filesystems; filesystem %q is %s.", a.Name, strings.Join(types, " and "), f.Name, f.Type)
		}
	}
	powerOfTwo := func(name string, min, max int64, dst *int) {
		a := b.Attr(name)
		if a == nil {
			return
		}
		if n, ok := d.integer(a, min, max); ok {
			if n&(n-1) != 0 {
				d.errorf(a.Expr.Range(), "Invalid "+strings.ReplaceAll(name, "_", " "), "%s must be a power of two, not %d.", name, n)
				return
			}
			*dst = int(n)
		}
	}
	oneOf := func(name string, allowed []int64, dst *int) {
		a := b.Attr(name)
		if a == nil {
			return
		}
		if n, ok := d.integer(a, 0, 1<<31-1); ok {
			for _, v := range allowed {
				if n == v {
					*dst = int(n)
					return
				}
			}
			d.errorf(a.Expr.Range(), "Invalid "+strings.ReplaceAll(name, "_", " "), "%s must be %s, not %d.", name, intList(allowed), n)
		}
	}
	intIn := func(name string, min, max int64, dst *int) bool {
		a := b.Attr(name)
		if a == nil {
			return false
		}
		n, ok := d.integer(a, min, max)
		if ok {
			*dst = int(n)
		}
		return ok
	}
	boolPtr := func(name string) *bool {
		a := b.Attr(name)
		if a == nil {
			return nil
		}
		if v, ok := d.boolean(a); ok {
			return &v
		}
		return nil
	}
	id := func(name string) *uint32 {
		a := b.Attr(name)
		if a == nil {
			return nil
		}
		if n, ok := d.integer(a, 0, 1<<32-1); ok {
			v := uint32(n)
			return &v
		}
		return nil
	}

	powerOfTwo("page_size", 64, 1<<16, &f.PageSize)
	powerOfTwo("block_size", 256, 1<<20, &f.BlockSize)
	if f.PageSize != 0 && f.BlockSize != 0 && f.BlockSize < 2*f.PageSize {
		d.errorf(b.Attr("block_size").Expr.Range(), "Invalid block size",
			"block_size (%d) must hold at least two pages of page_size (%d).", f.BlockSize, f.PageSize)
	}
	intIn("obj_name_len", 2, 1024, &f.ObjNameLen)
	f.MetaLenSet = intIn("meta_len", 0, 1024, &f.MetaLen)
	f.Magic = boolPtr("magic")
	f.MagicLen = boolPtr("magic_len")

	oneOf("sector_size", []int64{512, 4096}, &f.SectorSize)
	oneOf("fat_count", []int64{1, 2}, &f.FATCount)
	intIn("root_entries", 1, 65535, &f.RootEntries)
	oneOf("fat_type", []int64{12, 16}, &f.FATType)
	if a := b.Attr("long_names"); a != nil {
		f.LongNames, _ = d.boolean(a)
	}
	f.VolumeID = id("volume_id")
	if a := b.Attr("label"); a != nil {
		if s, ok := d.str(a); ok {
			if len(s) > 11 || strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0 {
				d.errorf(a.Expr.Range(), "Invalid volume label",
					"label is at most 11 printable ASCII characters (a FAT volume label), not %q.", s)
			} else {
				f.Label = s
			}
		}
	}
	if a := b.Attr("source_date_epoch"); a != nil {
		f.SourceDateEpoch, _ = d.boolean(a)
	}
	f.DeviceID = id("device_id")
	if a := b.Attr("wl_mode"); a != nil {
		if m, ok := d.str(a); ok {
			if m != "safe" && m != "perf" {
				d.errorf(a.Expr.Range(), "Invalid wear-levelling mode", "wl_mode must be \"safe\" or \"perf\", not %q.", m)
			} else {
				f.WLMode = m
			}
		}
	}
	return f, refObject("filesystem", f.Name, map[string]cty.Value{
		"type": cty.StringVal(f.Type), "dir": cty.StringVal(f.Dir),
	})
}

func intList(vs []int64) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = fmt.Sprint(v)
	}
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
