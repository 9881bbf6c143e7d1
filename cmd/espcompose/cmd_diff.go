package main

import (
	"errors"
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/espcompose/espcompose/compose"
	"github.com/espcompose/espcompose/diff"
)

// newDiffCommand compares two releases. Exit codes follow diff(1): 0 the same, 1
// different, 2 trouble (a release that cannot be read), so a CI job can gate on it.
func (a *app) newDiffCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "diff A B",
		Short: "Compare two releases (manifests or build directories); exit 0 same, 1 different, 2 error",
		Long: `Compare two releases of a product. A and B are each a manifest, a folder holding
espcompose.hcl, or a build directory (the -o folder of a build, with build.json); they may
be mixed. A manifest is planned and built in memory: nothing is written to either side.

Every change has a severity: info, warning, or breaking for what devices already in
the field cannot take by OTA (a moved partition table or otadata, a changed flash
encryption key or scheme, a removed or reused Secure Boot digest, a lower
secure_version, NVS shrunk or moved, an app larger than the smallest OTA slot).
Keys are shown by fingerprint only. --json prints the schema of docs/diff.md.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if a.json {
				if cmd.Flags().Changed("format") && format != "json" {
					return usagef("--json and --format %s disagree; use one", format)
				}
				format = "json"
			}
			switch format {
			case "text", "json", "markdown":
			default:
				return usagef("--format %q: choose text, json or markdown", format)
			}
			// --format json is --json: one object on stdout, even on error.
			a.json = a.json || format == "json"
			vars, err := a.variables()
			if err != nil {
				return err
			}
			opts := compose.Options{
				FS: a.fs, Log: a.log, Rand: a.random(), Getenv: a.getenv, Vars: vars, Device: a.device,
				ToolVersion: version, SourceDateEpoch: a.getenv("SOURCE_DATE_EPOCH"), SignerEnv: a.signerEnv(),
				OnDiagnostics: func(files map[string]*hcl.File, diags hcl.Diagnostics) { a.printDiags(files, diags) },
			}
			var sides [2]*diff.Release
			for i, where := range args {
				r, err := diff.Load(cmd.Context(), opts, where)
				if err != nil {
					return diffError(err)
				}
				sides[i] = r
			}
			rep := diff.NewReport(sides[0], sides[1])
			switch format {
			case "json":
				// The report goes out inside the --json envelope (jsonout.go), whose
				// schema_version is the report's.
				a.setResult(rep)
			case "markdown":
				err = rep.WriteMarkdown(a.stdout)
			default:
				err = rep.WriteText(a.stdout)
			}
			if err != nil {
				return err
			}
			if !rep.Equal {
				c := rep.Counts
				return fmt.Errorf("the releases differ: %d breaking, %d warning, %d info", c.Breaking, c.Warning, c.Info)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, json or markdown")
	return cmd
}

// diffError makes every failure to read a release exit 2: exit 1 means "different".
func diffError(err error) error {
	if err = cliError(err); err == nil {
		return nil
	}
	var de diagError
	var ue usageError
	if errors.As(err, &de) || errors.As(err, &ue) {
		return err
	}
	return usageError{err}
}
