package main

import (
	"io/fs"
	"os"
	"path/filepath"

	"github.com/espcompose/espcompose/internal/fsimage"
	"github.com/espcompose/espcompose/manifest"
)

// checkFilesystem decodes a filesystem partition of a golden build (decrypted when
// flash-encrypted) and compares it with the folder the manifest names, read here
// independently of the planner: every file, with its bytes, and nothing else.
func (g *goldenDist) checkFilesystem(file string, off uint32, encrypted bool, name string) {
	g.t.Helper()
	fsb := g.cfg.FilesystemByName(name)
	plain := g.decrypt(g.read(file), off, encrypted)
	if got := fsimage.Detect(plain); got != fsb.Type && fsb.Type != fsimage.SPIFFS {
		g.t.Errorf("%s reads as %s; filesystem.%s is %s", file, got, name, fsb.Type)
		return
	}
	im, err := fsimage.Decode(plain, fsb.Type, goldenSPIFFSSpec(fsb, len(plain)).SPIFFSOptions())
	if err != nil {
		g.t.Errorf("%s: %v", file, err)
		return
	}
	var want []fsimage.Entry
	dir := fsb.Dir
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(g.work, dir)
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		want = append(want, fsimage.Entry{Path: filepath.ToSlash(rel), Data: data})
		return err
	})
	if err != nil {
		g.t.Fatal(err)
	}
	if len(want) == 0 {
		g.t.Fatalf("%s: the folder %s is empty; the check would prove nothing", file, fsb.Dir)
	}
	if err := fsimage.Compare(im, want); err != nil {
		g.t.Errorf("%s does not hold the files of %s: %v", file, fsb.Dir, err)
	}
}

// goldenSPIFFSSpec is the layout a SPIFFS partition was built with: the manifest's
// options over spiffsgen's defaults.
func goldenSPIFFSSpec(f *manifest.Filesystem, size int) fsimage.Spec {
	s := fsimage.Defaults(fsimage.SPIFFS, size)
	for dst, v := range map[*int]int{&s.PageSize: f.PageSize, &s.BlockSize: f.BlockSize, &s.ObjNameLen: f.ObjNameLen} {
		if v != 0 {
			*dst = v
		}
	}
	if f.MetaLenSet {
		s.MetaLen = f.MetaLen
	}
	return s
}
