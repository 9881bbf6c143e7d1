package dropin

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/espcompose/espcompose/format/fatfs"
	"github.com/espcompose/espcompose/format/spiffs"
	"github.com/espcompose/espcompose/internal/fsimage"
)

// spiffsgen.py, fatfsgen.py and wl_fatfsgen.py (ESP-IDF components/spiffs and
// components/fatfs, commit 102122904ade11fd1ae373848f34ffd7dfb18aeb): a filesystem
// image from a folder. The reference draws the FAT volume serial and the WL device
// id at random and stamps files with their modification times; espcompose derives
// the ids from the options and the files (--volume_id / --device_id set them) and
// always uses the FAT epoch, so the same folder gives the same image.

func spiffsParser() *parser {
	p := &parser{prog: "spiffsgen.py", positional: []string{"image_size", "base_dir", "output_file"}, minPos: 3}
	p.add(&opt{names: []string{"--page-size"}, n: nargsOne, dest: "page_size"})
	p.add(&opt{names: []string{"--block-size"}, n: nargsOne, dest: "block_size"})
	p.add(&opt{names: []string{"--obj-name-len"}, n: nargsOne, dest: "obj_name_len"})
	p.add(&opt{names: []string{"--meta-len"}, n: nargsOne, dest: "meta_len"})
	p.add(&opt{names: []string{"--use-magic"}, n: nargsFlag, dest: "use_magic"})
	p.add(&opt{names: []string{"--no-magic"}, n: nargsFlag, dest: "no_magic"})
	p.add(&opt{names: []string{"--use-magic-len"}, n: nargsFlag, dest: "use_magic_len"})
	p.add(&opt{names: []string{"--no-magic-len"}, n: nargsFlag, dest: "no_magic_len"})
	p.add(&opt{names: []string{"--follow-symlinks"}, n: nargsFlag, dest: "follow_symlinks"})
	p.add(&opt{names: []string{"--big-endian"}, n: nargsFlag, dest: "big_endian"})
	p.add(&opt{names: []string{"--aligned-obj-ix-tables"}, n: nargsFlag, dest: "aligned"})
	return p
}

func fatParser(wl bool) *parser {
	prog := "fatfsgen.py"
	if wl {
		prog = "wl_fatfsgen.py"
	}
	p := &parser{prog: prog, positional: []string{"input_directory"}, minPos: 1}
	p.add(&opt{names: []string{"--output_file"}, n: nargsOne})
	p.add(&opt{names: []string{"--partition_size"}, n: nargsOne})
	p.add(&opt{names: []string{"--sector_size"}, n: nargsOne, choices: []string{"512", "4096"}})
	p.add(&opt{names: []string{"--sectors_per_cluster"}, n: nargsOne})
	p.add(&opt{names: []string{"--root_entry_count"}, n: nargsOne})
	p.add(&opt{names: []string{"--long_name_support"}, n: nargsFlag})
	p.add(&opt{names: []string{"--use_default_datetime"}, n: nargsFlag})
	p.add(&opt{names: []string{"--fat_type"}, n: nargsOne, choices: []string{"0", "12", "16"}})
	p.add(&opt{names: []string{"--fat_count"}, n: nargsOne, choices: []string{"1", "2"}})
	p.add(&opt{names: []string{"--volume_id"}, n: nargsOne, note: "(espcompose) sets the FAT volume serial the reference draws at random"})
	if wl {
		p.add(&opt{names: []string{"--wl_mode"}, n: nargsOne, choices: []string{"safe", "perf"}})
		p.add(&opt{names: []string{"--device_id"}, n: nargsOne, note: "(espcompose) sets the WL device id the reference draws at random"})
	}
	return p
}

func runSpiffsGen(argv []string, env *Env) int {
	return runFSGen(spiffsParser(), argv, env, func(a *args) (fsimage.Spec, string, string, error) {
		size, err := strconv.ParseUint(a.pos[0], 0, 32)
		if err != nil {
			return fsimage.Spec{}, "", "", &usageErr{"spiffsgen.py", fmt.Sprintf("argument image_size: invalid int value: '%s'", a.pos[0])}
		}
		s := fsimage.Defaults(fsimage.SPIFFS, int(size))
		for dest, dst := range map[string]*int{"page_size": &s.PageSize, "block_size": &s.BlockSize, "obj_name_len": &s.ObjNameLen, "meta_len": &s.MetaLen} {
			if v := a.str(dest, ""); v != "" {
				n, err := strconv.Atoi(v)
				if err != nil {
					return s, "", "", &usageErr{"spiffsgen.py", fmt.Sprintf("argument --%s: invalid int value: '%s'", strings.ReplaceAll(dest, "_", "-"), v)}
				}
				*dst = n
			}
		}
		// store_true / store_false pairs: the last one given wins, as in argparse.
		s.UseMagic = lastFlag(a, "use_magic", "no_magic", s.UseMagic)
		s.UseMagicLen = lastFlag(a, "use_magic_len", "no_magic_len", s.UseMagicLen)
		s.BigEndian, s.AlignedObjIxTables = a.has("big_endian"), a.has("aligned")
		return s, a.pos[1], a.pos[2], nil
	})
}

// lastFlag resolves an on/off pair; the parser keeps one value list per dest, so the
// order is that of the command line only within a dest. Both given: off wins only
// if it alone is given (the reference's default is on; giving both is a contradiction
// scripts do not write).
func lastFlag(a *args, on, off string, def bool) bool {
	switch {
	case a.has(off) && !a.has(on):
		return false
	case a.has(on):
		return true
	}
	return def
}

func runFATGen(wl bool) func([]string, *Env) int {
	return func(argv []string, env *Env) int {
		p := fatParser(wl)
		return runFSGen(p, argv, env, func(a *args) (fsimage.Spec, string, string, error) {
			typ := fsimage.FAT
			if wl {
				typ = fsimage.WLFAT
			}
			sizeArg := a.str("partition_size", "1048576")
			size := 0
			if sizeArg != "detect" || wl {
				n, err := strconv.ParseUint(sizeArg, 0, 32)
				if err != nil {
					return fsimage.Spec{}, "", "", &usageErr{p.prog, fmt.Sprintf("argument --partition_size: invalid value: '%s'", sizeArg)}
				}
				size = int(n)
			}
			s := fsimage.Defaults(typ, size)
			s.DetectDirName = baseName(a.pos[0])
			ints := map[string]*int{"sector_size": &s.SectorSize, "root_entry_count": &s.RootEntries, "fat_type": &s.FATType, "fat_count": &s.FATCount}
			for dest, dst := range ints {
				if v := a.str(dest, ""); v != "" {
					n, err := strconv.Atoi(v)
					if err != nil {
						return s, "", "", &usageErr{p.prog, fmt.Sprintf("argument --%s: invalid int value: '%s'", dest, v)}
					}
					*dst = n
				}
			}
			if v := a.str("sectors_per_cluster", "1"); v != "1" {
				return s, "", "", &usageErr{p.prog, fmt.Sprintf("argument --sectors_per_cluster: %s: espcompose builds FAT images with one sector per cluster (ESP-IDF's default)", v)}
			}
			s.LongNames = a.has("long_name_support")
			if wl {
				s.WLMode = a.str("wl_mode", s.WLMode)
			}
			for dest, dst := range map[string]**uint32{"volume_id": &s.VolumeID, "device_id": &s.DeviceID} {
				if v := a.str(dest, ""); v != "" {
					n, err := strconv.ParseUint(v, 0, 32)
					if err != nil {
						return s, "", "", &usageErr{p.prog, fmt.Sprintf("argument --%s: invalid value: '%s'", dest, v)}
					}
					id := uint32(n)
					*dst = &id
				}
			}
			return s, a.pos[0], a.str("output_file", "fatfs_image.img"), nil
		})
	}
}

func baseName(p string) string {
	p = strings.TrimRight(p, "/")
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[i+1:]
	}
	return p
}

func runFSGen(p *parser, argv []string, env *Env, spec func(*args) (fsimage.Spec, string, string, error)) int {
	if wantsHelp(argv) {
		fmt.Fprint(env.Stdout, p.help("Filesystem image from a folder (espcompose drop-in). Deterministic: ids derived from the\noptions and files unless --volume_id/--device_id are given, timestamps the FAT epoch."))
		return 0
	}
	a, err := p.parse(argv)
	if err == nil && len(a.pos) > p.minPos {
		err = &usageErr{p.prog, "unrecognized arguments: " + strings.Join(a.pos[p.minPos:], " ")}
	}
	if err != nil {
		fmt.Fprintln(env.Stderr, p.usageLine())
		fmt.Fprintln(env.Stderr, err.Error())
		return 2
	}
	printNotes(env, p.prog, a.notes)
	s, dir, out, err := spec(a)
	if err == nil {
		err = s.Check()
	}
	var entries []fsimage.Entry
	if err == nil {
		entries, err = fsimage.ReadDir(env.FS, env.path(dir))
	}
	var img []byte
	if err == nil {
		img, err = fsimage.Build(s, entries)
	}
	if err == nil {
		err = env.write(out, img, 0o644)
	}
	if err != nil {
		var ue *usageErr
		if errors.As(err, &ue) {
			fmt.Fprintln(env.Stderr, p.usageLine())
			fmt.Fprintln(env.Stderr, err.Error())
			return 2
		}
		// The generators end in a Python exception: its last line on stderr, status
		// 1; espcompose's own wording (with the detail) follows.
		if ref := fsRefMessage(err); ref != "" {
			fmt.Fprintln(env.Stderr, ref)
		}
		fmt.Fprintf(env.Stderr, "espcompose %s: %v\n", p.prog, err)
		return 1
	}
	return 0
}

var (
	reFATType = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`specified FATFS type: (FAT\d+), the actual FATFS type: (FAT\d+)`)
	})
	reSpiffsName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`object name '([^']*)' too long`) })
)

// fsRefMessage is the last line of the generators' exception for the failures
// scripts meet: no space, a name too long, an impossible FAT type.
func fsRefMessage(err error) string {
	msg := err.Error()
	switch {
	case errors.Is(err, fatfs.ErrNoSpace):
		return "fatfs_utils.exceptions.NoFreeClusterException: No free cluster available!"
	case errors.Is(err, fatfs.ErrNameTooLong):
		return "fatfs_utils.exceptions.TooLongNameException: Maximal length of the object name is 8 characters and 3 characters for extension!"
	case errors.Is(err, fatfs.ErrFATType):
		if m := reFATType().FindStringSubmatch(msg); m != nil {
			return "fatfs_utils.exceptions.InconsistentFATAttributes: FAT type you specified is inconsistent with other attributes of the system.\n" +
				"                    The specified FATFS type: " + m[1] + "\n                    The actual FATFS type: " + m[2]
		}
	case errors.Is(err, spiffs.ErrNoSpace):
		return "ERROR: the image size has been exceeded"
	case errors.Is(err, spiffs.ErrNameTooLong):
		if m := reSpiffsName().FindStringSubmatch(msg); m != nil {
			return "ERROR: object name '" + m[1] + "' too long"
		}
	}
	return ""
}
