// Package guard decides where espcompose may write. It is the one check every command
// runs before it creates, replaces or removes anything, so that no command can destroy
// a file or folder espcompose did not make: the manifest's project, input files and
// folders, and above all key files.
//
// The rules are path rules on absolute, symlink-resolved paths. What counts as an
// input is what the command actually read (fsutil.ReadRecorder), plus every key file
// the manifest names whether or not it exists yet.
package guard

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/fsutil"
)

// ErrRefused is wrapped by every refusal: the caller asked to write where espcompose
// must not. It is the user's to fix (exit code 2).
var ErrRefused = errors.New("refused")

// Error is a refusal: writing What at Path would destroy or swallow something.
type Error struct {
	What   string // "output directory", "cache directory", "output file"
	Path   string // as the user gave it
	Reason string
}

func (e *Error) Error() string {
	return fmt.Sprintf("refusing to use %s as %s: %s", e.Path, article(e.What), e.Reason)
}

func (e *Error) Unwrap() error { return ErrRefused }

func article(what string) string {
	if what != "" && strings.ContainsRune("aeiou", rune(what[0])) {
		return "an " + what
	}
	return "a " + what
}

// Place is a path the guard protects, with what it is, for messages.
type Place struct {
	Path string
	What string // "key file", "input file", "input folder", "the manifest's folder", "the cache"
}

// Protected is everything a command must not overwrite, delete or bury.
type Protected struct {
	Files []Place // never replaced, never inside an output folder
	Dirs  []Place // never replaced, never inside an output folder, never holding one
	Roots []Place // never replaced, never inside an output folder; an output may lie inside (the project folder)
}

// AddFiles adds paths as files of one kind.
func (p *Protected) AddFiles(what string, paths ...string) {
	for _, f := range paths {
		if f != "" {
			p.Files = append(p.Files, Place{Path: f, What: what})
		}
	}
}

// AddDirs adds paths as folders of one kind.
func (p *Protected) AddDirs(what string, paths ...string) {
	for _, d := range paths {
		if d != "" {
			p.Dirs = append(p.Dirs, Place{Path: d, What: what})
		}
	}
}

// AddRoots adds folders that may hold an output folder but must never be one or lie
// inside one: the manifest's folder holds dist/ and the cache by default.
func (p *Protected) AddRoots(what string, paths ...string) {
	for _, d := range paths {
		if d != "" {
			p.Roots = append(p.Roots, Place{Path: d, What: what})
		}
	}
}

// FromRecorder adds every file and folder rec saw being read.
func (p *Protected) FromRecorder(rec *fsutil.ReadRecorder) {
	if rec == nil {
		return
	}
	p.AddFiles("input file", rec.Files()...)
	p.AddDirs("input folder", rec.Dirs()...)
}

// CheckDir refuses dir as a folder a command replaces as a whole (the output
// directory) or fills (the cache) when it is a file, is or holds a protected folder
// or file, or lies inside a protected folder.
func CheckDir(fs afero.Fs, dir, what string, p Protected) error {
	refuse := func(format string, args ...any) error {
		return &Error{What: what, Path: dir, Reason: fmt.Sprintf(format, args...)}
	}
	if dir == "" {
		return refuse("the path is empty")
	}
	if st, err := fs.Stat(dir); err == nil && !st.IsDir() {
		return refuse("it is a file, not a folder")
	}
	d := resolve(fs, dir)
	if d == filepath.Dir(d) {
		return refuse("it is the root of the filesystem")
	}
	// overlap says how a protected folder meets d; inside is whether d may not lie
	// within it (input folders) or may (the project folder holds dist/).
	overlap := func(pl Place, inside bool) error {
		pd := resolve(fs, pl.Path)
		switch {
		case pd == d:
			return refuse("it is %s %s", pl.What, show(pl.Path))
		case within(pd, d):
			return refuse("it holds %s %s", pl.What, show(pl.Path))
		case inside && within(d, pd):
			return refuse("it lies inside %s %s", pl.What, show(pl.Path))
		}
		return nil
	}
	for _, pl := range p.Roots {
		if err := overlap(pl, false); err != nil {
			return err
		}
	}
	for _, pl := range p.Files {
		pf := resolve(fs, pl.Path)
		if pf == d || within(pf, d) {
			return refuse("it holds %s %s", pl.What, show(pl.Path))
		}
	}
	for _, pl := range p.Dirs {
		if err := overlap(pl, true); err != nil {
			return err
		}
	}
	return nil
}

// CheckFile refuses out as a command's single output file when it is a folder, is
// one of the protected files (the command's own input, a key), or holds a private
// key: those would be overwritten.
func CheckFile(fs afero.Fs, out string, p Protected) error {
	if out == "-" {
		return nil
	}
	refuse := func(format string, args ...any) error {
		return &Error{What: "output file", Path: out, Reason: fmt.Sprintf(format, args...)}
	}
	st, err := fs.Stat(out)
	if err == nil && st.IsDir() {
		return refuse("it is a folder")
	}
	for d := filepath.Dir(out); d != filepath.Dir(d); d = filepath.Dir(d) {
		if pst, perr := fs.Stat(d); perr == nil {
			if !pst.IsDir() {
				return refuse("%s is a file, not a folder", d)
			}
			break
		}
	}
	o := resolve(fs, out)
	for _, pl := range p.Files {
		if resolve(fs, pl.Path) == o || sameFile(fs, out, pl.Path) {
			return refuse("it is also %s; write the result to another file", article(pl.What))
		}
	}
	for _, pl := range p.Dirs {
		if resolve(fs, pl.Path) == o {
			return refuse("it is %s %s", pl.What, show(pl.Path))
		}
	}
	if err == nil && st.Mode().IsRegular() && holdsPrivateKey(fs, out, st.Size()) {
		return refuse("it holds a private key, which espcompose never overwrites")
	}
	return nil
}

// holdsPrivateKey reports whether the file at path is PEM private key material. Small
// files only: keys are a few KiB, and images are never keys.
func holdsPrivateKey(fs afero.Fs, path string, size int64) bool {
	if size > 64<<10 {
		return false
	}
	b, err := afero.ReadFile(fs, path)
	if err != nil {
		return false
	}
	return strings.Contains(string(b), "PRIVATE KEY-----")
}

// within reports whether p lies strictly inside dir.
func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// resolve makes p absolute and, on the real disk, resolves symlinks in the longest
// existing prefix, so a link cannot smuggle a key folder past the check.
func resolve(fs afero.Fs, p string) string {
	abs := fsutil.Abs(p)
	if !fsutil.IsOS(fs) {
		return abs
	}
	rest := ""
	cur := abs
	for {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(r, rest)
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return abs
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}

// sameFile catches hard links and other aliases of one file on the real disk.
func sameFile(fs afero.Fs, a, b string) bool {
	if !fsutil.IsOS(fs) {
		return false
	}
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// show prints a path relative to the working directory when that is shorter.
func show(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	abs := fsutil.Abs(p)
	if rel, err := filepath.Rel(wd, abs); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return abs
}
