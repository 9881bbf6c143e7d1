package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/espcompose/espcompose/compose"
	"github.com/espcompose/espcompose/internal/cas"
	"github.com/espcompose/espcompose/stages"
	"github.com/espcompose/espcompose/verify"
)

// crashEnv names the fault-injection switch the kill tests use: the build SIGKILLs
// itself at that publish step ("written", "aside" or "swapped"). It exists so the
// crash guarantees are tested at the exact instants that matter, not by luck.
const crashEnv = "ESPCOMPOSE_TEST_CRASH_AT"

// loadProject loads and plans the manifest through package compose with what the
// flags and the environment say; diagnostics are printed as they are found. dryRun
// never creates keys. sigDir is build --signatures. onStage, when set, is told each
// finished stage (the progress bar); otherwise each one is logged at debug level.
func (a *app) loadProject(dryRun bool, sigDir string, onStage *func(id string, st stages.Status)) (*compose.Project, error) {
	opts, err := a.composeOptions(sigDir, onStage)
	if err != nil {
		return nil, err
	}
	p, err := compose.Load(opts, dryRun)
	return p, cliError(err)
}

// composeOptions is what the flags and the environment say a build is: for Load
// and for a device batch alike.
func (a *app) composeOptions(sigDir string, onStage *func(id string, st stages.Status)) (compose.Options, error) {
	vars, err := a.variables()
	if err != nil {
		return compose.Options{}, err
	}
	opts := compose.Options{
		FS: a.fs, Log: a.log, Rand: a.random(), Getenv: a.getenv,
		Manifest: a.file, Out: a.out, CacheDir: a.cache, Vars: vars, Device: a.device, Signatures: sigDir,
		ToolVersion: version, BuildID: buildID(), SourceDateEpoch: a.getenv("SOURCE_DATE_EPOCH"),
		NoVerify: a.noVerify, ReportTimings: a.reportTimings, LockTimeout: a.lockTimeout, SignerEnv: a.signerEnv(),
		OnDiagnostics: func(files map[string]*hcl.File, diags hcl.Diagnostics) { a.printDiags(files, diags) },
		OnWait: func(pid int) {
			who := "another build"
			if pid > 0 {
				who = fmt.Sprintf("another build (pid %d)", pid)
			}
			fmt.Fprintf(a.stderr, "espcompose: %s is writing %s; waiting up to %s\n", who, a.out, a.lockTimeout)
		},
		OnStage: func(device, id string, st stages.Status) {
			switch {
			case device != "":
				a.log.Debugf("%s: %-8s %s", device, st, id)
			case onStage != nil && *onStage != nil:
				(*onStage)(id, st)
			default:
				a.log.Debugf("%-8s %s", st, id)
			}
		},
	}
	a.applyLock(&opts)
	if a.outIsFile {
		// -o names a file (sign-request): writeOutput guards it; only the cache is a folder.
		opts.Out = ""
	}
	if at := a.getenv(crashEnv); at != "" {
		opts.CrashHook = func(step string) {
			if step == at {
				p, _ := os.FindProcess(os.Getpid())
				_ = p.Kill()
				select {} // the signal is on its way; never continue the publish
			}
		}
	}
	return opts, nil
}

// cliError gives compose's errors the CLI's exit codes: diagnostics (already printed)
// and usage errors exit 2; the message is unchanged.
func cliError(err error) error {
	var de *compose.DiagnosticsError
	var ue *compose.UsageError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &de):
		return diagError{de.Diags}
	case errors.As(err, &ue):
		return usageError{err}
	}
	return err
}

// batchFlags are build's options for a manifest with a devices block.
type batchFlags struct {
	jobs     int
	shard    string
	only     []string
	cacheMax string
}

// addBatchFlags adds the device batch flags to build.
func (a *app) addBatchFlags(cmd *cobra.Command) *batchFlags {
	bf := &batchFlags{}
	f := cmd.Flags()
	f.IntVar(&bf.jobs, "jobs", 0, "with a devices block: devices built at once (default: the number of CPUs)")
	f.StringVar(&bf.shard, "shard", "", "with a devices block: build shard K of N (K/N, stable by device id); K=auto takes $JOB_COMPLETION_INDEX+1 (Kubernetes Indexed Job)")
	f.StringSliceVar(&bf.only, "only", nil, "with a devices block: only these device ids (comma-separated)")
	f.StringVar(&bf.cacheMax, "cache-max-size", "2GiB", "after the build, prune the stage cache to this size, least recently used entries first (0: no bound)")
	return bf
}

// batchMode reports whether build runs a device batch: the manifest has a devices
// block. The batch flags without one are a usage error.
// batchFlagsChanged says whether any flag only a device batch takes was given.
func batchFlagsChanged(cmd *cobra.Command) bool {
	for _, name := range []string{"jobs", "shard", "only", "cache-max-size"} {
		if f := cmd.Flags().Lookup(name); f != nil && f.Changed {
			return true
		}
	}
	return false
}

func (a *app) batchMode(cmd *cobra.Command, bf *batchFlags) (bool, error) {
	if _, err := parseSize(bf.cacheMax); err != nil {
		return false, usagef("--cache-max-size: %v", err)
	}
	if compose.IsBatch(a.fs, a.file) {
		return true, nil
	}
	for _, name := range []string{"jobs", "shard", "only"} {
		if cmd.Flags().Changed(name) {
			return false, usagef("--%s: %s has no devices block, so it builds one configuration; drop --%s", name, a.file, name)
		}
	}
	return false, nil
}

// batchOptions turns the flags (and, for --shard auto/N, Kubernetes' completion
// index) into compose.BatchOptions.
func (a *app) batchOptions(bf *batchFlags) (compose.BatchOptions, error) {
	bo := compose.BatchOptions{Jobs: bf.jobs, Only: bf.only}
	if bf.jobs < 0 {
		return bo, usagef("--jobs %d: want 1 or more (0: one per CPU)", bf.jobs)
	}
	if s := bf.shard; s != "" {
		if k, n, ok := strings.Cut(s, "/"); ok && k == "auto" {
			idx := a.getenv("JOB_COMPLETION_INDEX")
			i, err := strconv.Atoi(idx)
			if err != nil || i < 0 {
				return bo, usagef("--shard %s: auto takes the shard from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job sets it), which is %q", s, idx)
			}
			s = strconv.Itoa(i+1) + "/" + n
		}
		sh, err := compose.ParseShard(s)
		if err != nil {
			return bo, usageError{err}
		}
		bo.Shard = sh
	}
	max, err := parseSize(bf.cacheMax)
	if err != nil {
		return bo, usagef("--cache-max-size: %v", err)
	}
	bo.CacheMaxSize = max
	if max == 0 {
		bo.CacheMaxSize = -1
	}
	return bo, nil
}

// buildBatch runs `build` for a manifest with a devices block: compose.RunBatch does
// the work; this prints progress and the report.
func (a *app) buildBatch(ctx context.Context, sigDir string, bf *batchFlags, modeErr error) error {
	if modeErr != nil {
		return modeErr
	}
	if ctx == nil {
		ctx = context.Background()
	}
	bo, err := a.batchOptions(bf)
	if err != nil {
		return err
	}
	opts, err := a.composeOptions(sigDir, nil)
	if err != nil {
		return err
	}
	type devReport struct {
		ID     string                   `json:"id"`
		Row    int                      `json:"row"`
		Skip   bool                     `json:"up_to_date"`
		Stages map[string]stages.Status `json:"stages,omitempty"`
		Counts map[stages.Status]int    `json:"counts,omitempty"`
	}
	var devs []devReport
	var checks []verify.Check
	show := a.batchProgress()
	bo.OnProgress = func(p compose.BatchProgress) {
		show(p)
		if !a.json {
			return
		}
		// --json reports every device; only then does the report grow with the batch.
		d := devReport{ID: p.ID, Row: p.Row, Skip: p.Skipped, Stages: p.Stages}
		if p.Stages != nil {
			d.Counts = countStatus(&stages.Result{Status: p.Stages})
		}
		devs = append(devs, d)
		checks = append(checks, p.Checks...)
	}
	res, err := compose.RunBatch(ctx, opts, bo)
	show(compose.BatchProgress{Done: -1})
	if err != nil {
		return cliError(err)
	}
	if a.json {
		sort.Slice(devs, func(i, j int) bool { return devs[i].Row < devs[j].Row })
		// build --json prints one envelope object (docs/json.md); these are its fields.
		a.setResult(map[string]any{"out": a.out, "devices": devs, "built": res.Built, "skipped": res.Skipped,
			"removed": res.Removed, "up_to_date": res.UpToDate, "shard": shardString(res.Shard),
			"verify": map[string]any{"skipped": res.VerifySkipped, "checks": checks}})
		return nil
	}
	if res.UpToDate {
		fmt.Fprintf(a.stdout, "Up to date: %s (%d devices unchanged).\n", a.out, res.Devices)
		return nil
	}
	what := "devices"
	if !res.Shard.All() {
		what = "devices of shard " + res.Shard.String()
	}
	fmt.Fprintf(a.stdout, "Built %s: %d %s, %d rebuilt, %d up to date", a.out, res.Devices, what, res.Built, res.Skipped)
	if res.Removed > 0 {
		fmt.Fprintf(a.stdout, ", %d removed", res.Removed)
	}
	fmt.Fprintf(a.stdout, ".\n  %s/devices.json, %s/devices.csv, %s/SHA256SUMS\n", a.out, a.out, a.out)
	return nil
}

func shardString(s compose.Shard) string {
	if s.All() {
		return ""
	}
	return s.String()
}

// boundCache prunes the stage cache to --cache-max-size after a single build, as a
// device batch does, so no kind of build lets the cache grow without limit. A cache
// in use by another build is left for later.
func (a *app) boundCache(p *compose.Project, bf *batchFlags) {
	max, err := parseSize(bf.cacheMax)
	if err != nil || max <= 0 {
		return
	}
	if _, err := p.PruneCache(max); err != nil && !errors.Is(err, cas.ErrBusy) {
		a.log.Warnf("cache: cannot prune to %s: %v", bf.cacheMax, err)
	}
}
