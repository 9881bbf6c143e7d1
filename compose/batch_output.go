package compose

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/outputs"
	"github.com/espcompose/espcompose/planner"
)

// plannedDeviceFiles checks output { device_files } against what the plan will write,
// while the batch validates, so a name no build writes is reported before anything is
// written (a device that creates a key would otherwise create it before its outputs
// are rendered). The set is a superset (public keys of any declared key): the check
// on the rendered outputs (deviceFiles) stays the authority.
func plannedDeviceFiles(cfg *manifest.Config, pl *planner.Plan) hcl.Diagnostics {
	if len(cfg.Output.DeviceFiles) == 0 || pl == nil {
		return nil
	}
	known := map[string]bool{"flash_args": true, "flasher_args.json": true, "build.json": true, "SHA256SUMS": true,
		"efuse-plan.md": true, "efuse-plan.sh": true}
	for _, r := range pl.Regions {
		if r.Stage != "" && r.File != "" {
			known[r.File] = true
		}
	}
	for _, m := range pl.Merged {
		known[m.File] = true
	}
	for _, o := range pl.OTA {
		known[o.File] = true
	}
	for _, p := range pl.Packages {
		known[p.File] = true
	}
	if len(pl.OTA) > 0 || len(pl.Packages) > 0 {
		known["ota/manifest.json"] = true
	}
	if cfg.Output.Reports {
		for _, n := range outputs.ReportFiles {
			known[n] = true
		}
	}
	for _, k := range cfg.Keys {
		known["keys/"+k.Name+".pub.pem"] = true
	}
	for _, n := range cfg.Output.DeviceFiles {
		if !known[n] {
			names := make([]string, 0, len(known))
			for k := range known {
				names = append(names, k)
			}
			sort.Strings(names)
			return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unknown device file",
				Detail:  fmt.Sprintf("device_files names %q, which this build does not write. It can write: %s.", n, strings.Join(names, ", ")),
				Subject: cfg.Output.DeviceFilesRange.Ptr()}}
		}
	}
	return nil
}
