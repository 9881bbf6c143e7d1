package main

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/spf13/afero"
	"github.com/spf13/cobra"

	"github.com/espcompose/espcompose/format/spiffs"
	"github.com/espcompose/espcompose/internal/fsimage"
	"github.com/espcompose/espcompose/internal/fsutil"
	"github.com/espcompose/espcompose/internal/guard"
	"github.com/espcompose/espcompose/manifest"
)

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
	opts.AlignedObjIxTables, opts.BigEndian = rf.alignedIx, rf.bigEndian
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
	files := map[string]bool{}
	for _, e := range im.Entries {
		if !e.Dir {
			files[e.Path] = true
		}
	}
	for _, e := range im.Entries {
		// SPIFFS names are flat: "a" and "a/b" can both be files, which no folder holds.
		for p := path.Dir(e.Path); p != "." && p != "/" && p != ""; p = path.Dir(p) {
			if files[p] {
				return usagef("%s holds %q and %q, a file and a folder of one name; nothing extracted", file, p, e.Path)
			}
		}
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
	existed := false
	if fi, err := a.fs.Stat(dir); err == nil {
		existed = true
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
	if err := a.fs.Chmod(tmp, 0o755); err != nil { // TempDir makes 0700; a new folder is an ordinary one
		return fail(err)
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
	if !existed {
		if err := fsutil.ReplaceDir(a.fs, tmp, filepath.Clean(dir)); err != nil {
			return fail(err)
		}
		return nil
	}
	// dir is the user's own (empty) folder: it is kept, and the extracted entries are
	// moved into it, so nothing of theirs is replaced, not even the folder itself.
	tops, err := afero.ReadDir(a.fs, tmp)
	if err != nil {
		return fail(err)
	}
	var moved []string
	for _, t := range tops {
		to := filepath.Join(dir, t.Name())
		if err := a.fs.Rename(filepath.Join(tmp, t.Name()), to); err != nil {
			for _, m := range moved {
				_ = a.fs.RemoveAll(m)
			}
			return fail(err)
		}
		moved = append(moved, to)
	}
	return a.fs.Remove(tmp)
}
