package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/afero"
	"github.com/spf13/cobra"

	"github.com/espcompose/espcompose/internal/fsutil"
	"github.com/espcompose/espcompose/internal/guard"
	"github.com/espcompose/espcompose/internal/logx"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2 // bad usage or a manifest/input the user must fix
)

// version is set at link time (-ldflags "-X main.version=..."); when it is not, init
// in version.go fills it from the binary's build info (internal/buildinfo).
var version string

// app carries everything a command may touch, so tests run commands in memory.
type app struct {
	// named is the command line's first argument: when it names a command, run
	// builds only that command's tree (startup.go).
	named    string
	fullTree bool // tests: build every command whatever the arguments

	fs      afero.Fs
	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer
	getenv  func(string) string
	environ func() []string
	rand    io.Reader // source of fresh key material; nil means crypto/rand
	cwd     string    // working directory the drop-ins resolve paths from; "" means the process's

	file    string
	out     string
	json    bool
	verbose bool
	vars    []string
	cache   string
	device  string
	// noVerify skips reading the outputs back before publishing (build --no-verify).
	noVerify bool
	// reportTimings adds each stage's status and time to report.html (build --report-timings).
	reportTimings bool

	lockTimeout time.Duration
	lockFlags   lockFlags // --lock-file, --no-lock (cmd_lock.go)

	// rec records every file and folder the command reads, for the output guard.
	rec *fsutil.ReadRecorder
	// inPlace is an input the running command may overwrite with its output ("" none).
	inPlace string
	// outIsFile: the running command's -o names a file, not an output folder.
	outIsFile bool

	log logx.Logger

	// noColor is --no-color. terminal, when set, stands in for the check whether a
	// writer is an interactive terminal and how wide (tests force a TTY with it).
	noColor  bool
	terminal func(io.Writer) (tty bool, width int)

	// Under --json: the command's result (setResult) and every diagnostic shown,
	// for the one object run prints (jsonout.go).
	result any
	diagMu sync.Mutex
	diags  []jsonDiag
}

// usageError marks errors that are the caller's to fix (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// diagError carries HCL diagnostics already printed to stderr.
type diagError struct{ diags hcl.Diagnostics }

func (e diagError) Error() string { return e.diags.Error() }

func (a *app) run(args []string) int {
	a.rec = fsutil.NewReadRecorder(a.fs)
	a.fs = a.rec
	if tool, ok := dropinTool(args); ok {
		return a.runDropin(tool, args[1:])
	}
	stdout := &countingWriter{w: a.stdout}
	a.stdout = stdout
	if len(args) > 0 && !a.fullTree {
		a.named = args[0]
	}
	root := a.newRootCommand()
	root.SetArgs(normalizeVarFlag(args))
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	cmd, err := root.ExecuteC()
	code, msg := a.report(err)
	// --json: validate, plan, build, inspect and diff print one object whatever
	// happened; any other command that failed before printing its own prints the
	// envelope with the error, so stdout never stays empty.
	if help, _ := cmd.Flags().GetBool("help"); a.json && !help {
		name := commandName(cmd.CommandPath())
		if envelopeCommands[name] || (err != nil && stdout.n == 0) {
			if werr := a.writeEnvelope(name, code, msg); werr != nil {
				fmt.Fprintf(a.stderr, "espcompose: %v\n", werr)
				return exitFailure
			}
		}
	}
	return code
}

// report prints err on stderr (diagnostics were printed as they came) and returns
// the exit code and the message --json carries.
func (a *app) report(err error) (int, string) {
	if err == nil {
		return exitOK, ""
	}
	var de diagError
	var ue usageError
	switch {
	case errors.As(err, &de):
		return exitUsage, err.Error()
	case errors.As(err, &ue), errors.Is(err, guard.ErrRefused):
		fmt.Fprintf(a.stderr, "espcompose: %v\n", err)
		return exitUsage, err.Error()
	case isCobraUsage(err):
		fmt.Fprintf(a.stderr, "espcompose: %v\nRun 'espcompose --help' for usage.\n", err)
		return exitUsage, err.Error()
	default:
		fmt.Fprintf(a.stderr, "espcompose: %v\n", err)
		return exitFailure, err.Error()
	}
}

// normalizeVarFlag lets -var be written with one dash, as Terraform users (and the
// README) write it: "-var" and "-var=..." become "--var" and "--var=...". Cobra would
// read "-var" as the shorthands -v -a -r. Only this flag is rewritten, and nothing after
// a "--" terminator, which ends the flags.
func normalizeVarFlag(args []string) []string {
	out := make([]string, len(args))
	copy(out, args)
	for i, arg := range out {
		if arg == "--" {
			break
		}
		if arg == "-var" || strings.HasPrefix(arg, "-var=") {
			out[i] = "-" + arg
		}
	}
	return out
}

// isCobraUsage recognises cobra's own argument and flag errors, which it returns as
// plain errors.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least", "invalid argument", "flag needs an argument", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func (a *app) newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "espcompose",
		Short: "Compose ESP32-family flash images from one HCL manifest",
		Long: "Compose ESP32-family flash images from one HCL manifest.\n\n" +
			"Espressif's command lines also run as they are: espcompose espsecure|esptool|gen_esp32part|\n" +
			"nvs_partition_gen|mfg_gen|spiffsgen|fatfsgen|wl_fatfsgen ... (or through the links `espcompose links DIR`\n" +
			"makes); see docs/compat.md.",
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       version, // espcompose --version, as `espcompose version`
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			a.log = logx.New(a.stderr, a.verbose)
		},
	}
	pf := root.PersistentFlags()
	pf.StringVarP(&a.file, "file", "f", "espcompose.hcl", "manifest file")
	pf.StringVarP(&a.out, "out", "o", "dist", "output directory")
	pf.BoolVar(&a.json, "json", false, "machine-readable output: one JSON object on stdout (docs/json.md)")
	pf.BoolVar(&a.noColor, "no-color", false, "no colour in diagnostics (also NO_COLOR=1; colour is used only on a terminal)")
	pf.BoolVarP(&a.verbose, "verbose", "v", false, "log each step")
	pf.StringArrayVar(&a.vars, "var", nil, "set a manifest variable (name=value); repeatable")
	pf.StringVar(&a.device, "device", "", "with a devices block: only this device id")
	pf.StringVar(&a.cache, "cache-dir", "", "stage cache (default: .espcompose/cache beside the manifest)")
	a.addLockFlags(pf)
	pf.DurationVar(&a.lockTimeout, "lock-timeout", 10*time.Minute, "how long build waits for another build writing the same output directory")
	if a.addNamedCommand(root) {
		return a.finishRoot(root)
	}
	root.AddCommand(
		a.newVersionCommand(),
		a.newValidateCommand(),
		a.newPlanCommand(),
		a.newBuildCommand(),
		a.newPartitionTableCommand(),
		a.newImageCommand(),
		a.newMergeCommand(),
		a.newInspectCommand(),
		a.newDoctorCommand(),
		a.newSignRequestCommand(),
		a.newSignDigestCommand(),
		a.newNVSCommand(),
		a.newEncryptCommand(),
		a.newDecryptCommand(),
		a.newSignCommand(),
		a.newVerifyCommand(),
		a.newDigestPubkeyCommand(),
		a.newFSCommand(),
		a.newLockCommand(),
		a.newDiffCommand(),
		a.newFmtCommand(),
		a.newInitCommand(),
		a.newLinksCommand(),
		a.newKeyCommand(),
		a.newDevicesCommand(),
		a.newCacheCommand(),
	)
	return a.finishRoot(root)
}

// finishRoot applies what every command of the tree gets.
func (a *app) finishRoot(root *cobra.Command) *cobra.Command {
	a.addInputFlags(root)
	applyHelpExamples(root)
	root.SetVersionTemplate("espcompose {{.Version}}\n")
	return root
}

func (a *app) newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the espcompose version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if a.json {
				return writeJSON(a.stdout, map[string]string{"version": version})
			}
			fmt.Fprintf(a.stdout, "espcompose %s\n", version)
			return nil
		},
	}
}
