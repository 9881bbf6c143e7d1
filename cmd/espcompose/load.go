package main

import (
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

// printDiags shows diagnostics on stderr, with the source line and carets under
// the offending range, in colour on a terminal. Under --json they are also kept for
// the one object run prints on stdout.
func (a *app) printDiags(files map[string]*hcl.File, diags hcl.Diagnostics) {
	if len(diags) == 0 {
		return
	}
	a.diagMu.Lock()
	defer a.diagMu.Unlock()
	if a.json {
		a.diags = append(a.diags, diagJSON(files, diags)...)
	}
	_ = diagWriter{w: a.stderr, files: files, width: a.diagWidth(), color: a.color()}.write(diags)
}
