package main

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/afero"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/espcompose/espcompose/format/spiffs"
	"github.com/espcompose/espcompose/internal/fsimage"
	"github.com/espcompose/espcompose/internal/fsutil"
	"github.com/espcompose/espcompose/internal/guard"
	"github.com/espcompose/espcompose/manifest"
)

// fsFlags are the options of `espcompose fs`, named as the issue and the manifest name
// them (spiffsgen.py, fatfsgen.py and wl_fatfsgen.py spell them with underscores).
type fsFlags struct {
	typ, size                            string
	pageSize, blockSize, objNameLen      string
	metaLen                              int
	magic, noMagic, magicLen, noMagicLen bool
	sectorSize, fatCount, rootEntries    int
	fatType                              int
	longNames                            bool
	volumeID, deviceID, label, wlMode    string
	sourceDateEpoch                      bool
}

// flagTypes says which --type each option applies to.
var fsFlagTypes = map[string][]string{
	"page-size": {"spiffs"}, "block-size": {"spiffs"}, "obj-name-len": {"spiffs"}, "meta-len": {"spiffs"},
	"magic": {"spiffs"}, "no-magic": {"spiffs"}, "magic-len": {"spiffs"}, "no-magic-len": {"spiffs"},
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

// readFSImage reads and decodes IMAGE, detecting its type unless --type is given.
func (a *app) readFSImage(cmd *cobra.Command, rf *fsFlags, typ, file string) (*fsimage.Image, error) {
	if typ != "" && !contains(fsimage.Types, typ) {
		return nil, usagef("--type must be spiffs, fat or wl-fat, not %q", typ)
	}
	opts := spiffs.DefaultOptions(0)
	changed := cmd.Flags().Changed
	for name, dst := range map[string]*int{"page-size": &opts.PageSize, "block-size": &opts.BlockSize, "obj-name-len": &opts.ObjNameLen} {
		v := map[string]string{"page-size": rf.pageSize, "block-size": rf.blockSize, "obj-name-len": rf.objNameLen}[name]
		if !changed(name) {
			continue
		}
		n, err := manifest.ParseSize(v)
		if err != nil || n == 0 || n > 1<<20 {
			return nil, usagef("--%s: %q is not a size", name, v)
		}
		*dst = int(n)
	}
	if changed("meta-len") {
		opts.MetaLen = rf.metaLen
	}
	opts.UseMagic = opts.UseMagic && !rf.noMagic
	opts.UseMagicLen = opts.UseMagicLen && !rf.noMagicLen
	img, err := a.readInput(file)
	if err != nil {
		return nil, err
	}
	if len(img) == 0 {
		return nil, usagef("%s is empty, so it holds no filesystem", file)
	}
	if typ == "" {
		typ = fsimage.Detect(img)
	}
	im, err := fsimage.Decode(img, typ, opts)
	if err != nil {
		hint := ""
		if typ == fsimage.SPIFFS {
			hint = " (SPIFFS images record none of their options: give --page-size, --block-size, --obj-name-len, --meta-len as it was built, or --type)"
		}
		return nil, usagef("%s: not a readable %s image: %v%s", file, typ, err, hint)
	}
	return im, nil
}

func (a *app) printFSListing(file string, im *fsimage.Image) error {
	if a.json {
		type entry struct {
			Path string `json:"path"`
			Dir  bool   `json:"dir,omitempty"`
			Size int    `json:"size"`
		}
		out := struct {
			Type     string  `json:"type"`
			DeviceID string  `json:"device_id,omitempty"`
			WLMode   string  `json:"wl_mode,omitempty"`
			Entries  []entry `json:"entries"`
		}{Type: im.Type, WLMode: im.WLMode, Entries: []entry{}}
		if im.Type == fsimage.WLFAT {
			out.DeviceID = fmt.Sprintf("0x%08x", im.DeviceID)
		}
		for _, e := range im.Entries {
			out.Entries = append(out.Entries, entry{Path: e.Path, Dir: e.Dir, Size: len(e.Data)})
		}
		return writeJSON(a.stdout, out)
	}
	head := fmt.Sprintf("%s: %s, %s", file, im.Type, plural(len(im.Files()), "file"))
	if im.Type == fsimage.WLFAT {
		head += fmt.Sprintf(" (wear levelling %s, device id 0x%08x)", im.WLMode, im.DeviceID)
	}
	fmt.Fprintln(a.stdout, head)
	for _, e := range im.Entries {
		if e.Dir {
			fmt.Fprintf(a.stdout, "%10s  %s/\n", "-", e.Path)
		} else {
			fmt.Fprintf(a.stdout, "%10d  %s\n", len(e.Data), e.Path)
		}
	}
	return nil
}

// safeRelPath accepts only a clean relative path that stays inside the folder: an
// image is input, and a hostile one may carry "../x" or "/etc/x" as a name.
func safeRelPath(p string) bool {
	if p == "" || strings.ContainsAny(p, "\\\x00:") || strings.HasPrefix(p, "/") || path.Clean(p) != p {
		return false
	}
	for _, part := range strings.Split(p, "/") {
		if part == "." || part == ".." || part == "" {
			return false
		}
	}
	return true
}

// extractFS writes the files of im into dir, which must not exist or be empty. The
// files are written to a fresh folder beside dir and moved into place at the end, so
// a failure leaves nothing behind.
func (a *app) extractFS(im *fsimage.Image, file, dir string) error {
	seen := map[string]bool{}
	for _, e := range im.Entries {
		if !safeRelPath(e.Path) {
			return usagef("%s holds the name %q, which would be written outside %s; nothing extracted", file, e.Path, dir)
		}
		if seen[strings.ToLower(e.Path)] {
			return usagef("%s holds %q twice (names differing only in case collide on many systems); nothing extracted", file, e.Path)
		}
		seen[strings.ToLower(e.Path)] = true
	}
	// The guard looks first: looking into dir records it as read, and the guard
	// protects what was read.
	var p guard.Protected
	p.FromRecorder(a.rec)
	if err := guard.CheckDir(a.fs, dir, "extract folder", p); err != nil {
		return err
	}
	if fi, err := a.fs.Stat(dir); err == nil {
		if !fi.IsDir() {
			return usagef("%s exists and is not a folder; extract makes a new folder", dir)
		}
		names, err := afero.ReadDir(a.fs, dir)
		if err != nil {
			return err
		}
		if len(names) > 0 {
			return usagef("%s exists and is not empty; extract only into a new or empty folder", dir)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	created, err := fsutil.MkdirAllTracked(a.fs, filepath.Dir(filepath.Clean(dir)), 0o755)
	if err != nil {
		return err
	}
	tmp, err := fsutil.TempDirFor(a.fs, filepath.Clean(dir))
	if err != nil {
		fsutil.RemoveCreated(a.fs, created)
		return err
	}
	fail := func(err error) error {
		_ = a.fs.RemoveAll(tmp)
		fsutil.RemoveCreated(a.fs, created)
		return err
	}
	for _, e := range im.Entries {
		p := filepath.Join(tmp, filepath.FromSlash(e.Path))
		if e.Dir {
			if err := a.fs.MkdirAll(p, 0o755); err != nil {
				return fail(err)
			}
			continue
		}
		if err := a.fs.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fail(err)
		}
		if err := afero.WriteFile(a.fs, p, e.Data, 0o644); err != nil {
			return fail(err)
		}
	}
	if err := fsutil.ReplaceDir(a.fs, tmp, filepath.Clean(dir)); err != nil {
		return fail(err)
	}
	return nil
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
