package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/hashicorp/hcl/v2"

	"github.com/espcompose/espcompose/compose"
	"github.com/espcompose/espcompose/stages"
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

// composeOptions is what the flags and the environment say, as compose.Options.
func (a *app) composeOptions(sigDir string, onStage *func(id string, st stages.Status)) (compose.Options, error) {
	vars, err := a.variables()
	if err != nil {
		return compose.Options{}, err
	}
	opts := compose.Options{
		FS: a.fs, Log: a.log, Rand: a.random(), Getenv: a.getenv,
		Manifest: a.file, Out: a.out, CacheDir: a.cache, Vars: vars, Device: a.device, Signatures: sigDir,
		ToolVersion: version, BuildID: buildID(), SourceDateEpoch: a.getenv("SOURCE_DATE_EPOCH"),
		NoVerify: a.noVerify, LockTimeout: a.lockTimeout,
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
