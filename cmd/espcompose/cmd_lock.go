package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/afero"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/espcompose/espcompose/compose"
	"github.com/espcompose/espcompose/internal/guard"
	"github.com/espcompose/espcompose/lock"
)

// lockFlags are the layout-lock flags every manifest command takes (docs/lock.md).
type lockFlags struct {
	file string // --lock-file: "" is espcompose.lock beside the manifest
	off  bool   // --no-lock
}

// addLockFlags registers --lock-file and --no-lock on the root command.
func (a *app) addLockFlags(pf *pflag.FlagSet) {
	pf.StringVar(&a.lockFlags.file, "lock-file", "", "layout lock to check against (default: espcompose.lock beside the manifest, when it exists)")
	pf.BoolVar(&a.lockFlags.off, "no-lock", false, "do not check the layout lock (validate, plan, build)")
}

// applyLock passes the lock flags to a compose load.
func (a *app) applyLock(opts *compose.Options) {
	opts.LockFile, opts.NoLock = a.lockFlags.file, a.lockFlags.off
}

func (a *app) newLockCommand() *cobra.Command {
	var update bool
	cmd := &cobra.Command{
		Use:   "lock",
		Short: "Write espcompose.lock, the manifest's resolved flash layout, so later builds cannot drift from it",
		Long: "lock writes the resolved layout (bootloader and table offsets, every partition's offset, size, type, subtype,\n" +
			"flags and encryption decision, the security scheme, key digests and fingerprints) to espcompose.lock beside\n" +
			"the manifest. validate, plan and build then refuse any change to it, naming each locked item, until\n" +
			"'espcompose lock --update'. It never replaces a file that espcompose did not write.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if a.lockFlags.off {
				return usagef("--no-lock makes no sense with lock")
			}
			return a.runLock(update)
		},
	}
	cmd.Flags().BoolVar(&update, "update", false, "accept the manifest's changes to an existing lock")
	return cmd
}

func (a *app) runLock(update bool) error {
	// The lock command compares itself (to accept changes with --update), so the
	// load must not refuse them first.
	off := a.lockFlags.off
	a.lockFlags.off = true
	p, err := a.loadProject(true, "", nil)
	a.lockFlags.off = off
	if err != nil {
		return err
	}
	defer p.Close()
	path := a.lockFlags.file
	if path == "" {
		path = p.LockPath()
	}
	now, err := p.LayoutOf(p.Configs[0])
	if err != nil {
		return err
	}
	// One lock for every device: their layouts must agree.
	for _, c := range p.Configs[1:] {
		other, err := p.LayoutOf(c)
		if err != nil {
			return err
		}
		if ch := lock.Compare(now, other); len(ch) > 0 {
			return usagef("device %s's layout differs from device %s's (%s); one lock covers every device", c.Config.DeviceID, p.Configs[0].Config.DeviceID, ch[0].Msg)
		}
	}
	for _, k := range now.Keys {
		if k.Digest == "" && k.Fingerprint == "" {
			return usagef("key %q does not exist yet, so the lock cannot hold it in place; run 'espcompose build' (which creates it) first", k.Name)
		}
	}
	data := now.Marshal()

	old, err := afero.ReadFile(a.fs, path)
	var changes []lock.Change
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := a.writeGuarded(path, data, 0o644, true); err != nil {
			return err
		}
		return a.lockReport(path, "created", nil)
	case err != nil:
		return err
	case !lock.Owned(old):
		return &guard.Error{What: "lock file", Path: path, Reason: "espcompose did not write it (its first line is not " + fmt.Sprintf("%q", lock.Header) + "), so it is never replaced"}
	}
	locked, err := lock.Parse(old, path)
	if err != nil {
		return usagef("%v", err)
	}
	changes = lock.Compare(locked, now)
	switch {
	case len(changes) > 0 && !update:
		return usageError{&compose.LockError{File: path, Changes: changes}}
	case string(old) == string(data):
		return a.lockReport(path, "unchanged", nil)
	}
	// The lock is the one input this command replaces, atomically.
	a.inPlace = path
	if err := a.writeGuarded(path, data, 0o644, false); err != nil {
		return err
	}
	return a.lockReport(path, "updated", changes)
}

func (a *app) lockReport(path, status string, changes []lock.Change) error {
	if a.json {
		list := make([]map[string]any, 0, len(changes))
		for _, c := range changes {
			list = append(list, map[string]any{"item": c.Item, "line": c.Line, "message": c.Msg})
		}
		return writeJSON(a.stdout, map[string]any{"lock": path, "status": status, "changes": list})
	}
	switch status {
	case "created":
		fmt.Fprintf(a.stdout, "Wrote %s.\n", path)
	case "unchanged":
		fmt.Fprintf(a.stdout, "%s is up to date.\n", path)
	default:
		fmt.Fprintf(a.stdout, "Updated %s, accepting %d change(s):\n", path, len(changes))
		for _, c := range changes {
			fmt.Fprintf(a.stdout, "  %s\n", c.Format(path))
		}
	}
	return nil
}
