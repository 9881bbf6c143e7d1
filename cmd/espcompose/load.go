package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/espcompose/espcompose/manifest"
)

const varEnvPrefix = "ESPCOMPOSE_VAR_"

// variables merges ESPCOMPOSE_VAR_* from the environment with -var flags (flags win).
func (a *app) variables() (map[string]string, error) {
	vars := map[string]string{}
	env := a.environ()
	sort.Strings(env)
	for _, kv := range env {
		if name, val, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(name, varEnvPrefix) {
			vars[strings.TrimPrefix(name, varEnvPrefix)] = val
		}
	}
	for _, kv := range a.vars {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return nil, usagef("-var %q: expected name=value", kv)
		}
		vars[name] = val
	}
	return vars, nil
}

// load parses and evaluates the manifest: once, or once per row of its devices CSV
// (only the --device one when given). Every diagnostic is printed.
func (a *app) load() (*manifest.File, []*manifest.Config, error) {
	vars, err := a.variables()
	if err != nil {
		return nil, nil, err
	}
	f, diags := manifest.Parse(a.fs, a.file)
	if diags.HasErrors() {
		a.printDiags(f, diags)
		return nil, nil, diagError{diags}
	}
	rows, more := manifest.DeviceRows(a.fs, f)
	diags = append(diags, more...)
	if diags.HasErrors() {
		a.printDiags(f, diags)
		return nil, nil, diagError{diags}
	}
	if rows == nil {
		rows = []map[string]string{nil}
	}
	var cfgs []*manifest.Config
	seen := map[string]bool{}
	for _, row := range rows {
		cfg, more := manifest.Evaluate(f, manifest.Options{FS: a.fs, Vars: vars, Device: row})
		diags = append(diags, more...)
		if more.HasErrors() {
			break // the same mistake would repeat for every device
		}
		if row != nil && seen[cfg.DeviceID] {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Duplicate device id",
				Detail: fmt.Sprintf("Two rows of the devices file have id %q; each device needs its own.", cfg.DeviceID), Subject: f.Devices.DeclRange.Ptr()})
			break
		}
		seen[cfg.DeviceID] = true
		if a.device == "" || cfg.DeviceID == a.device {
			cfgs = append(cfgs, cfg)
		}
	}
	a.printDiags(f, diags)
	if diags.HasErrors() {
		return nil, nil, diagError{diags}
	}
	if a.device != "" && f.Devices == nil {
		return nil, nil, usagef("--device %s: %s has no devices block, so it builds one configuration; drop --device", a.device, a.file)
	}
	if len(cfgs) == 0 {
		return nil, nil, usagef("no device with id %q in the devices file", a.device)
	}
	return f, cfgs, nil
}

func (a *app) printDiags(f *manifest.File, diags hcl.Diagnostics) {
	if len(diags) == 0 {
		return
	}
	if a.json {
		_ = writeJSON(a.stderr, map[string]any{"diagnostics": diagJSON(diags)})
		return
	}
	w := hcl.NewDiagnosticTextWriter(a.stderr, f.Files(), 100, false)
	_ = w.WriteDiagnostics(diags)
}

type jsonDiag struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail,omitempty"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
}

func diagJSON(diags hcl.Diagnostics) []jsonDiag {
	out := make([]jsonDiag, 0, len(diags))
	for _, d := range diags {
		j := jsonDiag{Severity: "error", Summary: d.Summary, Detail: d.Detail}
		if d.Severity == hcl.DiagWarning {
			j.Severity = "warning"
		}
		if d.Subject != nil {
			j.File, j.Line, j.Column = d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column
		}
		out = append(out, j)
	}
	return out
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
