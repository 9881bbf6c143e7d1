package compose

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/espcompose/espcompose/manifest"
)

// diags hands a batch of diagnostics to the caller, if there are any.
func (l *loader) diags(f *manifest.File, diags hcl.Diagnostics) {
	l.reported = append(l.reported, diags...)
	if len(diags) == 0 || l.opts.OnDiagnostics == nil {
		return
	}
	l.opts.OnDiagnostics(f.Files(), diags)
}

// configs parses and evaluates the manifest: once, or once per row of its devices CSV
// (only Options.Device's when given). Every diagnostic goes to OnDiagnostics.
func (l *loader) configs() (*manifest.File, []*manifest.Config, error) {
	f, diags := manifest.Parse(l.fs, l.opts.Manifest)
	if diags.HasErrors() {
		l.diags(f, diags)
		return nil, nil, &DiagnosticsError{diags}
	}
	rows, more := manifest.DeviceRows(l.fs, f)
	diags = append(diags, more...)
	if diags.HasErrors() {
		l.diags(f, diags)
		return nil, nil, &DiagnosticsError{diags}
	}
	if rows == nil {
		rows = []map[string]string{nil}
	}
	var cfgs []*manifest.Config
	seen := map[string]bool{}
	for _, row := range rows {
		cfg, more := manifest.Evaluate(f, manifest.Options{FS: l.fs, Vars: l.opts.Vars, Device: row})
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
		if l.opts.Device == "" || cfg.DeviceID == l.opts.Device {
			cfgs = append(cfgs, cfg)
		}
	}
	l.diags(f, diags)
	if diags.HasErrors() {
		return nil, nil, &DiagnosticsError{diags}
	}
	if l.opts.Device != "" && f.Devices == nil {
		return nil, nil, usagef("--device %s: %s has no devices block, so it builds one configuration; drop --device", l.opts.Device, l.opts.Manifest)
	}
	if len(cfgs) == 0 {
		return nil, nil, usagef("no device with id %q in the devices file", l.opts.Device)
	}
	return f, cfgs, nil
}
