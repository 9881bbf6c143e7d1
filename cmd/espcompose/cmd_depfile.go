package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/espcompose/espcompose/internal/fsutil"
)

// addInputFlags gives plan --inputs and --depfile, and build --depfile, so build
// systems (Make, Ninja, CMake's DEPFILE) rerun espcompose exactly when one of the files
// it reads changes. The list is what the command actually read (the read-recording
// filesystem the output guard uses), not a list kept by hand.
func (a *app) addInputFlags(root *cobra.Command) {
	for _, c := range root.Commands() {
		switch c.Name() {
		case "plan", "build":
			a.wrapInputs(c)
		}
	}
}

func (a *app) wrapInputs(c *cobra.Command) {
	var depfile, target string
	var list bool
	run := c.RunE
	plan := c.Name() == "plan"
	c.Flags().StringVar(&depfile, "depfile", "", "also write the files read, as a Make depfile (for Ninja/Make/CMake DEPFILE)")
	c.Flags().StringVar(&target, "depfile-target", "", "target named in the depfile (default: the output directory, or the manifest for plan)")
	if plan {
		c.Flags().BoolVar(&list, "inputs", false, "print every file the build reads, one absolute path a line, instead of the plan")
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if list {
			p, err := a.loadProject(true, "", nil)
			if err != nil {
				return err
			}
			p.Close()
			for _, f := range a.inputs(depfile, target) {
				fmt.Fprintln(a.stdout, f)
			}
		} else if err := run(cmd, args); err != nil {
			return err
		}
		if depfile == "" {
			return nil
		}
		if target == "" {
			target = a.out
			if plan {
				target = a.file
			}
		}
		return a.writeDepfile(depfile, target, a.inputs(depfile, target))
	}
}

// inputs lists the files read so far, and the folders listed (a filesystem block's
// folder: adding a file to it changes its mtime), minus espcompose's own: the output
// tree, its lock and staging trees, the cache. A folder that holds one of those is left out too, because
// espcompose's own writes change its mtime and the build would never be up to date.
func (a *app) inputs(extra ...string) []string {
	cache := a.cache
	if cache == "" {
		cache = filepath.Join(filepath.Dir(a.file), ".espcompose")
	}
	outAbs := fsutil.Abs(a.out)
	own := []string{outAbs, fsutil.Abs(cache)}
	// Beside the output folder: its lock (.dist.lock) and the staging trees a publish
	// builds and verifies before the swap (.dist.tmp-*).
	sibling := filepath.Join(filepath.Dir(outAbs), "."+filepath.Base(outAbs)+".")
	for _, e := range extra {
		if e != "" {
			own = append(own, fsutil.Abs(e))
		}
	}
	var out []string
	for _, f := range a.rec.Files() {
		if !underAny(f, own) && !strings.HasPrefix(f, sibling) {
			out = append(out, f)
		}
	}
	for _, d := range a.rec.Dirs() {
		if !underAny(d, own) && !strings.HasPrefix(d, sibling) && !holdsAny(d, own) && !holdsAny(d, []string{sibling}) {
			out = append(out, d)
		}
	}
	return out
}

func underAny(p string, roots []string) bool {
	for _, r := range roots {
		if p == r || strings.HasPrefix(p, r+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

func holdsAny(dir string, paths []string) bool {
	for _, p := range paths {
		if strings.HasPrefix(p, dir+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// writeDepfile writes "target: dep dep ..." in the Make syntax Ninja and CMake read:
// spaces and '#' escaped with a backslash, '$' doubled.
func (a *app) writeDepfile(path, target string, deps []string) error {
	var b strings.Builder
	b.WriteString(makeEscape(target))
	b.WriteString(":")
	for _, d := range deps {
		b.WriteString(" \\\n  ")
		b.WriteString(makeEscape(d))
	}
	b.WriteString("\n")
	return a.writeGuarded(path, []byte(b.String()), 0o644, false)
}

func makeEscape(s string) string {
	r := strings.NewReplacer(" ", `\ `, "#", `\#`, "$", "$$", "\t", `\	`)
	return r.Replace(filepath.ToSlash(s))
}
