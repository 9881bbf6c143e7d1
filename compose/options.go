package compose

import (
	"io"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/logx"
	"github.com/espcompose/espcompose/stages"
)

// Options is everything a build reads besides the manifest itself. The library never
// reads the process environment: whatever comes from it (variables, SOURCE_DATE_EPOCH,
// a PKCS#11 PIN) is passed in here, so a Go program decides what a build sees.
type Options struct {
	// FS is where the manifest, its inputs, the cache and the outputs live.
	FS afero.Fs
	// Log receives debug and info lines; nil discards them.
	Log logx.Logger
	// Rand is the source of fresh key material and of non-deterministic signatures;
	// nil means crypto/rand.
	Rand io.Reader
	// Getenv resolves a PKCS#11 key's pin_env; nil resolves every name to "".
	Getenv func(string) string
	// SignerEnv is added to the environment external signer commands inherit
	// (KEY=value, overriding).
	SignerEnv []string

	// Manifest is the manifest file.
	Manifest string
	// Out is the output directory Build publishes. "" when the caller writes no
	// output tree (sign-request writes one file itself): then only the cache is guarded.
	Out string
	// CacheDir is the stage cache; "" means .espcompose/cache beside the manifest.
	CacheDir string
	// Vars are the manifest's variables.
	Vars map[string]string
	// Device selects one device of a devices block; "" builds all of them.
	Device string
	// Signatures is the folder of signatures an offline signing service returned
	// (two-phase signing); "" when there is none.
	Signatures string

	// ToolVersion is recorded in build.json.
	ToolVersion string
	// BuildID identifies the program building (the CLI uses its executable's stat
	// identity): a rebuild is answered from the up-to-date record (QuickUpToDate)
	// only by the same program, since another one may make other bytes. "" never
	// records nor answers from a record.
	BuildID string
	// SourceDateEpoch is the SOURCE_DATE_EPOCH value, decimal seconds as the
	// reproducible-builds convention writes it; "" for none. It is kept as text so a
	// bad value is reported by Load, after the manifest's own diagnostics.
	SourceDateEpoch string
	// NoVerify skips reading every output back with the decoders before publishing.
	NoVerify bool
	// ReportTimings puts each stage's status and time into report.html. Such a report
	// differs on every build, so a build with it is never "up to date".
	ReportTimings bool
	// LockTimeout is how long Build waits for another build writing Out.
	LockTimeout time.Duration
	// LockFile is the layout lock to check against; "" means espcompose.lock beside
	// the manifest, checked when it exists. NoLock skips the check (docs/lock.md).
	LockFile string
	NoLock   bool

	// OnDiagnostics is given each batch of diagnostics (warnings and errors) as it is
	// found, with the source files to quote; nil ignores warnings (errors still
	// come back as a *DiagnosticsError).
	OnDiagnostics func(files map[string]*hcl.File, diags hcl.Diagnostics)
	// OnWait is told once that another build (pid, 0 if unknown) holds Out's lock.
	OnWait func(pid int)
	// OnRecovered is told what killed builds left and Build removed; nil logs it.
	OnRecovered func(paths []string)
	// CrashHook is called between publish steps; crash tests stop the process there.
	CrashHook func(step string)
	// OnStage is told each stage that finished: device is "" without a devices block.
	// Stages run in parallel, so it is called from several goroutines.
	OnStage func(device, stage string, status stages.Status)
}
