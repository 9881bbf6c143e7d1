package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/espcompose/espcompose/internal/fsimage"
	"github.com/espcompose/espcompose/internal/fsutil"
)

// fsFlags are the options of `espcompose fs`, named as the issue and the manifest name
// them (spiffsgen.py, fatfsgen.py and wl_fatfsgen.py spell them with underscores).
type fsFlags struct {
	typ, size                            string
	pageSize, blockSize, objNameLen      string
	metaLen                              int
	magic, noMagic, magicLen, noMagicLen bool
	alignedIx, bigEndian                 bool
	sectorSize, fatCount, rootEntries    int
	fatType                              int
	longNames                            bool
	volumeID, deviceID, label, wlMode    string
	sourceDateEpoch                      bool
}

// fsFlagTypes says which --type each option applies to.
var fsFlagTypes = map[string][]string{
	"page-size": {"spiffs"}, "block-size": {"spiffs"}, "obj-name-len": {"spiffs"}, "meta-len": {"spiffs"},
	"magic": {"spiffs"}, "no-magic": {"spiffs"}, "magic-len": {"spiffs"}, "no-magic-len": {"spiffs"},
	"aligned-obj-ix-tables": {"spiffs"}, "big-endian": {"spiffs"},
	"sector-size": {"fat", "wl-fat"}, "fat-count": {"fat", "wl-fat"}, "root-entries": {"fat", "wl-fat"},
	"fat-type": {"fat", "wl-fat"}, "long-names": {"fat", "wl-fat"}, "volume-id": {"fat", "wl-fat"},
	"label": {"fat", "wl-fat"}, "source-date-epoch": {"fat", "wl-fat"},
	"device-id": {"wl-fat"}, "wl-mode": {"wl-fat"},
}

func (ff *fsFlags) addSPIFFS(f *pflag.FlagSet) {
	f.StringVar(&ff.pageSize, "page-size", "", "SPIFFS logical page size (default 256)")
	f.StringVar(&ff.blockSize, "block-size", "", "SPIFFS logical block size (default 4096)")
	f.StringVar(&ff.objNameLen, "obj-name-len", "", "SPIFFS_OBJ_NAME_LEN, with the leading / and the NUL (default 32)")
	f.IntVar(&ff.metaLen, "meta-len", 4, "SPIFFS_META_LENGTH")
	f.BoolVar(&ff.magic, "magic", false, "write the SPIFFS magic (default on)")
	f.BoolVar(&ff.noMagic, "no-magic", false, "leave out the SPIFFS magic")
	f.BoolVar(&ff.magicLen, "magic-len", false, "mix the block count into the magic (default on)")
	f.BoolVar(&ff.noMagicLen, "no-magic-len", false, "do not mix the block count into the magic")
	f.BoolVar(&ff.alignedIx, "aligned-obj-ix-tables", false, "SPIFFS_ALIGNED_OBJECT_INDEX_TABLES")
	f.BoolVar(&ff.bigEndian, "big-endian", false, "big-endian SPIFFS (no ESP32 is)")
}

func (a *app) newFSCommand() *cobra.Command {
	root := &cobra.Command{Use: "fs", Short: "Build, list and extract SPIFFS, FAT and wear-levelled FAT images (spiffsgen.py, fatfsgen.py, wl_fatfsgen.py compatible)"}
	var ff fsFlags
	build := &cobra.Command{
		Use:   "build --type spiffs|fat|wl-fat --size N [options] DIR OUT.bin",
		Short: "Build a filesystem partition image from a folder",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, err := a.fsSpecFromFlags(cmd, &ff, args[0])
			if err != nil {
				return err
			}
			if err := a.refuseOutInside(args[0], args[1]); err != nil {
				return err
			}
			entries, err := fsimage.ReadDir(a.fs, args[0])
			if err != nil {
				return usagef("read %s: %v", args[0], unwrapPath(err))
			}
			img, err := fsimage.Build(spec, entries)
			if err != nil {
				return usageError{fsBuildMessage(spec, entries, args[0], err)}
			}
			return a.writeOutput(args[1], img)
		},
	}
	f := build.Flags()
	f.StringVar(&ff.typ, "type", "", "spiffs, fat or wl-fat (required)")
	f.StringVar(&ff.size, "size", "", "partition size in bytes (0x.., K, M); \"detect\" with --type fat: the smallest that fits")
	ff.addSPIFFS(f)
	f.IntVar(&ff.sectorSize, "sector-size", 4096, "FAT sector size: 512 or 4096")
	f.IntVar(&ff.fatCount, "fat-count", 2, "number of FATs: 1 or 2")
	f.IntVar(&ff.rootEntries, "root-entries", 512, "root directory entries")
	f.IntVar(&ff.fatType, "fat-type", 0, "12 or 16 (default: chosen by size, as fatfsgen.py)")
	f.BoolVar(&ff.longNames, "long-names", false, "long file names (fatfsgen.py --long_name_support); without it names must be 8.3")
	f.StringVar(&ff.volumeID, "volume-id", "", "FAT volume serial (default: derived from the content, never random)")
	f.StringVar(&ff.label, "label", "", "FAT volume label (default Espressif)")
	f.BoolVar(&ff.sourceDateEpoch, "source-date-epoch", false, "stamp FAT entries with $SOURCE_DATE_EPOCH instead of 1980-01-01")
	f.StringVar(&ff.deviceID, "device-id", "", "WL device id (default: derived from the content, never random)")
	f.StringVar(&ff.wlMode, "wl-mode", "", "wear-levelling mode: safe or perf (default perf)")

	var rf fsFlags
	var readType string
	ls := &cobra.Command{
		Use:   "ls IMAGE",
		Short: "List the files of a filesystem image",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			im, err := a.readFSImage(cmd, &rf, readType, args[0])
			if err != nil {
				return err
			}
			return a.printFSListing(args[0], im)
		},
	}
	extract := &cobra.Command{
		Use:   "extract IMAGE DIR",
		Short: "Extract the files of a filesystem image into a new folder",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			im, err := a.readFSImage(cmd, &rf, readType, args[0])
			if err != nil {
				return err
			}
			if err := a.extractFS(im, args[0], args[1]); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "extracted %s (%s) to %s\n", plural(len(im.Files()), "file"), im.Type, args[1])
			return nil
		},
	}
	for _, c := range []*cobra.Command{ls, extract} {
		c.Flags().StringVar(&readType, "type", "", "spiffs, fat or wl-fat (default: detected; SPIFFS when neither WL nor FAT)")
		rf.addSPIFFS(c.Flags())
	}
	root.AddCommand(build, ls, extract)
	return root
}

// refuseOutInside keeps the image out of its own folder: the next build would pack it.
func (a *app) refuseOutInside(dir, out string) error {
	if out == "-" {
		return nil
	}
	rel, err := filepath.Rel(fsutil.Abs(dir), fsutil.Abs(out))
	if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return usagef("%s is inside %s; the image would be packed into the next image built from that folder", out, dir)
	}
	return nil
}

// fsBuildMessage says what to change when the codec refuses the folder.
func fsBuildMessage(s fsimage.Spec, entries []fsimage.Entry, dir string, err error) error {
	if errors.Is(err, fsimage.ErrNoSpace) && s.Size > 0 {
		if need, ok := fsimage.MinSize(s, entries); ok {
			return fmt.Errorf("%s does not fit a %d-byte %s image: it needs at least %d bytes (0x%x), %d more: %w",
				dir, s.Size, s.Type, need, need, need-s.Size, err)
		}
	}
	if errors.Is(err, fsimage.ErrNameTooLong) && (s.Type == fsimage.FAT || s.Type == fsimage.WLFAT) && !s.LongNames {
		return fmt.Errorf("%s: %w (use 8.3 names or --long-names)", dir, err)
	}
	if errors.Is(err, fsimage.ErrNameTooLong) && s.Type == fsimage.SPIFFS {
		return fmt.Errorf("%s: %w (--obj-name-len is %d, counting the leading / and the NUL)", dir, err, s.ObjNameLen)
	}
	return fmt.Errorf("%s: %w", dir, err)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
