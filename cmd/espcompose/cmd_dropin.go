package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/afero"
	"github.com/spf13/cobra"

	"github.com/espcompose/espcompose/internal/dropin"
)

// dropinTool returns the drop-in a command line starts with ("espsecure", ...), if any.
func dropinTool(args []string) (string, bool) {
	if len(args) == 0 {
		return "", false
	}
	_, ok := dropin.Tools[args[0]]
	return args[0], ok
}

// runDropin runs one of Espressif's command lines on espcompose's codecs; its exit
// code and messages are the reference tool's, not espcompose's.
func (a *app) runDropin(tool string, argv []string) int {
	dir := a.cwd
	if dir == "" {
		if wd, err := os.Getwd(); err == nil {
			dir = wd
		}
	}
	env := &dropin.Env{
		FS: a.fs, Stdout: a.stdout, Stderr: a.stderr, Stdin: a.stdin, Dir: dir, Rand: a.random(),
		Write: func(path string, data []byte, mode os.FileMode, exclusive bool) error {
			defer func() { a.inPlace = "" }()
			return a.writeGuarded(path, data, mode, exclusive)
		},
		AllowInPlace: func(path string) { a.inPlace = path },
		Getenv: func(k string) (string, bool) {
			for _, kv := range a.environ() {
				if name, v, ok := strings.Cut(kv, "="); ok && name == k {
					return v, true
				}
			}
			return "", false
		},
	}
	return dropin.Run(tool, argv, env)
}

// busyboxArgs maps a call through a link named like an Espressif tool
// (espsecure.py, esptool, ...) to the espcompose command line for it.
func busyboxArgs(argv0 string, args []string) []string {
	if _, ok := dropin.Tools[filepath.Base(argv0)]; ok {
		return append([]string{filepath.Base(argv0)}, args...)
	}
	return args
}

// newLinksCommand: `espcompose links DIR`. A link it made is a symlink to this binary;
// anything else of that name is someone else's file.
func (a *app) newLinksCommand() *cobra.Command {
	var self string
	cmd := &cobra.Command{
		Use:   "links DIR",
		Short: "Create espsecure.py, esptool.py, gen_esp32part.py, ... links to espcompose in DIR",
		Long: `Create links named like Espressif's tools (` + strings.Join(dropin.LinkNames, ", ") + `)
that run espcompose's drop-ins. Put DIR first on PATH and existing scripts use them.
A file of that name that is not already a link to this binary is left alone
(reported, exit 2, nothing created): links never replaces a file it did not create.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			target := self
			if target == "" {
				exe, err := os.Executable()
				if err != nil {
					return err
				}
				target = exe
			}
			base := a.fs
			if a.rec != nil {
				base = a.rec.Fs
			}
			linker, canLink := base.(afero.Linker)
			reader, _ := base.(afero.LinkReader)
			if st, err := a.fs.Stat(args[0]); err == nil && !st.IsDir() {
				return usagef("links %s: not a folder", args[0])
			}
			// Check every name first: a file links did not make is never replaced, and
			// then nothing is created, so the folder is left as it was.
			var todo, foreign []string
			for _, name := range dropin.LinkNames {
				p := filepath.Join(args[0], name)
				if reader != nil {
					if cur, err := reader.ReadlinkIfPossible(p); err == nil && cur == target {
						fmt.Fprintf(a.stdout, "%s: already links to %s\n", p, target)
						continue
					}
				}
				if _, err := a.fs.Stat(p); err == nil || isLink(base, p) {
					foreign = append(foreign, p)
					continue
				}
				todo = append(todo, p)
			}
			if len(foreign) > 0 {
				return usagef("links: not replacing %s (not links espcompose made); nothing created", strings.Join(foreign, ", "))
			}
			if !canLink && len(todo) > 0 {
				return errors.New("links: this file system cannot make symbolic links")
			}
			if err := a.fs.MkdirAll(args[0], 0o755); err != nil {
				return err
			}
			for _, p := range todo {
				if err := linker.SymlinkIfPossible(target, p); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "%s -> %s\n", p, target)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&self, "target", "", "binary the links point to (default: this espcompose)")
	return cmd
}

func isLink(fs afero.Fs, p string) bool {
	if l, ok := fs.(afero.Lstater); ok {
		if _, lst, err := l.LstatIfPossible(p); err == nil && lst {
			return true
		}
	}
	return false
}
