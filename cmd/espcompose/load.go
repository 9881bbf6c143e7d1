package main

import (
	"encoding/json"
	"io"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
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

func (a *app) printDiags(files map[string]*hcl.File, diags hcl.Diagnostics) {
	if len(diags) == 0 {
		return
	}
	if a.json {
		_ = writeJSON(a.stderr, map[string]any{"diagnostics": diagJSON(diags)})
		return
	}
	w := hcl.NewDiagnosticTextWriter(a.stderr, files, 100, false)
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
