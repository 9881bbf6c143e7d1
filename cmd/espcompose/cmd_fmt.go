package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/spf13/afero"
	"github.com/spf13/cobra"

	"github.com/espcompose/espcompose/internal/fsutil"
	"github.com/espcompose/espcompose/internal/hclfmt"
)

// errUnformatted makes `fmt -check` exit 1 without another message: the files were
// already listed on stdout.
var errUnformatted = errors.New("some files are not formatted")

func (a *app) newFmtCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "fmt [-check] [-diff] [FILE|DIR|-]...",
		Short: "Rewrite manifests in the canonical format",
		Long: `fmt rewrites HCL manifests in the canonical format: hclwrite's layout (indentation,
aligned '=' signs, spacing around operators), with trailing blank lines removed and
exactly one final newline. Comments are kept. Formatting is idempotent, and a file that
is already formatted is never rewritten; a changed file is replaced atomically and keeps
its mode.

Without arguments fmt formats the manifest (-f, default espcompose.hcl). A folder means
every *.hcl below it (hidden folders skipped). "-" reads stdin and writes stdout.
A file that does not parse is an error (exit 2) and nothing is written.`,
		Example: `  espcompose fmt                      # format espcompose.hcl
  espcompose fmt -check examples/     # exit 1 and list the files that need formatting
  espcompose fmt -diff espcompose.hcl # show what would change, write nothing`,
		// Flags are read here so that Terraform's single-dash spelling (-check, -diff)
		// works; cobra would read "-check" as the shorthands -c -h -e -c -k.
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			fl := flag.NewFlagSet("fmt", flag.ContinueOnError)
			fl.SetOutput(io.Discard)
			check := fl.Bool("check", false, "exit 1 when a file is not formatted; write nothing")
			diff := fl.Bool("diff", false, "print a unified diff of the changes; write nothing")
			if err := fl.Parse(args); err != nil {
				if errors.Is(err, flag.ErrHelp) {
					return cmd.Help()
				}
				return usagef("fmt: %v", err)
			}
			return a.runFmt(fl.Args(), *check, *diff)
		},
	}
	return cmd
}

func (a *app) runFmt(args []string, check, diff bool) error {
	if len(args) == 0 {
		args = []string{a.file}
	}
	var files []string
	for _, arg := range args {
		if arg == "-" {
			files = append(files, arg)
			continue
		}
		st, err := a.fs.Stat(arg)
		if err != nil {
			return usagef("fmt: %v", err)
		}
		if !st.IsDir() {
			files = append(files, arg)
			continue
		}
		found, err := hclFilesUnder(a.fs, arg)
		if err != nil {
			return usagef("fmt: %v", err)
		}
		files = append(files, found...)
	}

	// Every file is parsed and formatted before anything is written, so a syntax error
	// in one of them leaves all of them untouched.
	type change struct {
		path      string
		old, new_ []byte
		mode      os.FileMode
	}
	var changes []change
	parsed := map[string]*hcl.File{}
	var diags hcl.Diagnostics
	for _, path := range files {
		var src []byte
		var mode os.FileMode
		var err error
		if path == "-" {
			src, err = io.ReadAll(a.stdin)
		} else {
			var st os.FileInfo
			if st, err = a.fs.Stat(path); err == nil {
				mode = st.Mode().Perm()
				src, err = afero.ReadFile(a.fs, path)
			}
		}
		if err != nil {
			return usagef("fmt: %v", err)
		}
		name := path
		if path == "-" {
			name = "<stdin>"
		}
		out, ds := hclfmt.Format(src, name)
		if ds.HasErrors() {
			diags = append(diags, ds...)
			if f, _ := hclsyntax.ParseConfig(src, name, hcl.InitialPos); f != nil {
				parsed[name] = f
			}
			continue
		}
		changes = append(changes, change{path: path, old: src, new_: out, mode: mode})
	}
	if diags.HasErrors() {
		a.printDiags(parsed, diags)
		return diagError{diags}
	}

	unformatted := false
	for _, c := range changes {
		if c.path == "-" && !check && !diff {
			_, err := a.stdout.Write(c.new_)
			return err
		}
		if bytes.Equal(c.old, c.new_) {
			continue
		}
		unformatted = true
		name := c.path
		if c.path == "-" {
			name = "<stdin>"
		}
		if diff {
			fmt.Fprint(a.stdout, udiff.Unified("a/"+filepath.ToSlash(name), "b/"+filepath.ToSlash(name), string(c.old), string(c.new_)))
		}
		if check {
			if !diff {
				fmt.Fprintln(a.stdout, name)
			}
			continue
		}
		if diff {
			continue
		}
		if err := fsutil.WriteFileAtomic(a.fs, c.path, c.new_, c.mode); err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, name)
	}
	if check && unformatted {
		return errUnformatted
	}
	return nil
}

// hclFilesUnder lists the *.hcl files below dir in a stable order, skipping hidden
// folders (.espcompose caches, .git).
func hclFilesUnder(fs afero.Fs, dir string) ([]string, error) {
	var out []string
	err := afero.Walk(fs, dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.IsDir() {
			if p != dir && strings.HasPrefix(info.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(info.Name(), ".hcl") && info.Mode().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}
