package main

import (
	"encoding/json"
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

// load parses and evaluates the manifest, printing every diagnostic.
func (a *app) load() (*manifest.File, *manifest.Config, error) {
	vars, err := a.variables()
	if err != nil {
		return nil, nil, err
	}
	f, diags := manifest.Parse(a.fs, a.file)
	if !diags.HasErrors() {
		var cfg *manifest.Config
		var more hcl.Diagnostics
		cfg, more = manifest.Evaluate(f, manifest.Options{FS: a.fs, Vars: vars})
		diags = append(diags, more...)
		if !diags.HasErrors() {
			a.printDiags(f, diags)
			return f, cfg, nil
		}
	}
	a.printDiags(f, diags)
	return nil, nil, diagError{diags}
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
