package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/espcompose/espcompose/compose"
	"github.com/espcompose/espcompose/planner"
	"github.com/espcompose/espcompose/stages"
)

func (a *app) newValidateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "validate",
		Short: "Check the manifest and its inputs without building",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a.setResult(validateJSON{})
			p, err := a.loadProject(true, "", nil)
			if err != nil {
				return err
			}
			p.Close()
			if a.json {
				a.setResult(validateJSON{Valid: true, Configurations: len(p.Configs)})
				return nil
			}
			if p.Devices() {
				fmt.Fprintf(a.stdout, "%s is valid for %d device(s).\n", a.file, len(p.Configs))
				return nil
			}
			fmt.Fprintf(a.stdout, "%s is valid.\n", a.file)
			return nil
		},
	}
}

func (a *app) newPlanCommand() *cobra.Command {
	var dot bool
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show the flash map and the stages a build will run",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dot && a.json {
				return usagef("--json and --dot disagree; use one")
			}
			p, err := a.loadProject(true, "", nil)
			if err != nil {
				return err
			}
			defer p.Close()
			s := p.Configs[0]
			if len(p.Configs) > 1 && !a.json && !dot {
				fmt.Fprintf(a.stdout, "Device %s (1 of %d; choose another with --device):\n", s.Config.DeviceID, len(p.Configs))
			}
			if dot {
				fmt.Fprint(a.stdout, s.Plan.Graph.Dot(func(id string, st stages.Stage) string { return id }))
				return nil
			}
			status, err := s.Probe(cmd.Context())
			if err != nil {
				return err
			}
			if a.json {
				a.setResult(planJSON(s.Config.DeviceID, s.Plan, status))
				return nil
			}
			printPlan(a, s.Plan, status)
			return nil
		},
	}
	cmd.Flags().BoolVar(&dot, "dot", false, "print the stage graph in Graphviz format")
	return cmd
}

func (a *app) newBuildCommand() *cobra.Command {
	var sigDir string
	var bf *batchFlags
	cmd := &cobra.Command{
		Use:   "build",
		Short: "Build the flash images into the output directory",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// The up-to-date record is written only by a build of one configuration,
			// never a device batch, and lists the manifest among its inputs: when it
			// answers, the manifest has no devices block, so it is asked before the
			// batch probe (which parses the manifest). Batch flags take the full path,
			// which checks them.
			if !batchFlagsChanged(cmd) && a.quickUpToDate(sigDir) {
				return nil
			}
			if batch, err := a.batchMode(cmd, bf); batch || err != nil {
				return a.buildBatch(cmd.Context(), sigDir, bf, err)
			}
			var onStage func(string, stages.Status)
			defer a.shortLivedGC()()
			p, err := a.loadProject(false, sigDir, &onStage)
			if err != nil {
				return err
			}
			defer p.Close()
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			if !p.Devices() {
				onStage = a.progress(p.Configs[0].Plan.Graph.Len())
			}
			built, err := p.Build(ctx)
			if err != nil {
				return cliError(err)
			}
			a.boundCache(p, bf)
			if !a.json && built.UpToDate {
				fmt.Fprintf(a.stdout, "Up to date: %s (%d files unchanged).\n", a.out, built.Files)
				return nil
			}
			if p.Devices() {
				return a.reportDevices(built)
			}
			res := built.Stages
			counts := countStatus(res)
			if a.json {
				a.setResult(buildJSON{Out: a.out, Stages: res.Status, Counts: counts, Verify: built.Verify, UpToDate: built.UpToDate})
				return nil
			}
			total := len(res.Status) - counts[stages.StatusRead]
			fmt.Fprintf(a.stdout, "Built %s: %d stages, %d ran, %d cached, %d inputs read.\n",
				a.out, total, counts[stages.StatusRan], counts[stages.StatusCached], counts[stages.StatusRead])
			for _, m := range p.Configs[0].Plan.Merged {
				fmt.Fprintf(a.stdout, "  %s/%s\n", a.out, m.File)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&sigDir, "signatures", "", "directory of signatures returned for a sign-request (two-phase signing)")
	cmd.Flags().BoolVar(&a.noVerify, "no-verify", false, "skip reading every output back with the decoders before publishing")
	cmd.Flags().BoolVar(&a.reportTimings, "report-timings", false, "add each stage's status and time to report.html (such a report differs on every build)")
	bf = a.addBatchFlags(cmd)
	return cmd
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func printPlan(a *app, pl *planner.Plan, status map[string]stages.Status) {
	t := pl.Config.Target
	fmt.Fprintf(a.stdout, "Target: %s, %s flash, mode %s, freq %s\n\n", pl.Chip.Name, t.FlashSizeName, orKeep(t.FlashMode), orKeep(t.FlashFreq))
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OFFSET\tSIZE\tNAME\tTYPE\tENCRYPTED\tSIGNED\tCONTENTS")
	for _, r := range pl.Regions {
		name := strings.Repeat("  ", r.Depth) + r.Name
		fmt.Fprintf(tw, "0x%06x\t0x%06x\t%s\t%s\t%s (%s)\t%s\t%s\n", r.Offset, r.Size, name, r.Type,
			yesNo(r.Encrypted), r.EncryptReason, yesNo(r.Signed), r.Source)
	}
	tw.Flush()
	fmt.Fprintf(a.stdout, "\n%s", flashBar(pl))
	fmt.Fprintf(a.stdout, "\nStages:\n")
	order, _ := pl.Graph.TopoSort()
	tw = tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	for _, id := range order {
		fmt.Fprintf(tw, "  %s\t%s\n", id, status[id])
	}
	tw.Flush()
	for _, s := range pl.OTA {
		if s == pl.OTA[0] {
			fmt.Fprintf(a.stdout, "\nOTA artifacts:\n")
		}
		fmt.Fprintf(a.stdout, "  %s → slot %s at 0x%x: %s\n", s.OTA, s.Slot, s.Offset, s.File)
	}
}

func orKeep(s string) string {
	if s == "" {
		return "keep"
	}
	return s
}

func countStatus(res *stages.Result) map[stages.Status]int {
	counts := map[stages.Status]int{}
	for _, st := range res.Status {
		if st == stages.StatusSecret || st == stages.StatusRecomputed {
			st = stages.StatusRan // ran, and kept out of the cache
		}
		counts[st]++
	}
	return counts
}

// reportDevices says, for a devices build, how much each device reused.
func (a *app) reportDevices(built *compose.Result) error {
	results := built.Devices
	if a.json {
		devs := []buildDeviceJSON{}
		for _, r := range results {
			devs = append(devs, buildDeviceJSON{ID: r.ID, Stages: r.Result.Status, Counts: countStatus(r.Result), Merged: r.Merged})
		}
		a.setResult(buildDevicesJSON{Out: a.out, Devices: devs, Verify: built.Verify, UpToDate: built.UpToDate})
		return nil
	}
	fmt.Fprintf(a.stdout, "Built %s: %d devices.\n", a.out, len(results))
	for _, r := range results {
		c := countStatus(r.Result)
		where := "devices/" + r.ID // output { merged = false }: no merged image to name
		if len(r.Merged) > 0 {
			where = r.Merged[0]
		}
		fmt.Fprintf(a.stdout, "  %-20s %d ran, %d cached  %s/%s\n", r.ID, c[stages.StatusRan], c[stages.StatusCached], a.out, where)
	}
	return nil
}
