package compose

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/espcompose/espcompose/outputs"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/cas"
	"github.com/espcompose/espcompose/internal/fsutil"
	"github.com/espcompose/espcompose/internal/logx"
	"github.com/espcompose/espcompose/internal/signers"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/planner"
	"github.com/espcompose/espcompose/stages"
)

// Project is a loaded manifest: every configuration planned, its signers set up and
// its output and cache paths checked by the guard. Close it when done: it holds key
// material and may hold PKCS#11 sessions. A Project is not safe for concurrent use.
type Project struct {
	// File is the parsed manifest.
	File *manifest.File
	// Configs holds one configuration, or one per device (only Options.Device's when
	// set), in the order of the devices file.
	Configs []*Configuration

	opts     Options
	dir      string // the manifest's folder, as evaluated
	fs       afero.Fs
	log      logx.Logger
	cache    *cas.Store
	bundle   planner.BundleOptions // checked before anything runs
	release  func()
	once     sync.Once
	verified VerifySummary
	rec      *fsutil.ReadRecorder // what loading and building read: the inputs
	warnings []storedDiag         // what loading reported, for the up-to-date record
	started  time.Time            // when Load began, before any input was read
}

// Configuration is one thing to build: the manifest, or one of its devices.
type Configuration struct {
	Config *manifest.Config
	Plan   *planner.Plan

	env    *stages.Env
	keys   *stages.FileKeys
	runner *stages.Runner
}

// Probe reports, without running anything, which stages the cache already holds.
func (c *Configuration) Probe(ctx context.Context) (map[string]stages.Status, error) {
	return c.runner.Probe(ctx, c.Plan.Graph)
}

// Devices reports whether the project builds a devices block (a tree per device).
func (p *Project) Devices() bool { return p.Configs[0].Config.DeviceID != "" }

// Close forgets key material and releases tokens. It may be called more than once.
func (p *Project) Close() { p.once.Do(p.release) }

// loader carries Load's options with their defaults filled in.
type loader struct {
	opts     Options
	fs       *fsutil.ReadRecorder
	shared   *sharedSigners // a batch's signers, set up once (nil: none shared)
	log      logx.Logger
	reported hcl.Diagnostics // every diagnostic handed to OnDiagnostics
}

// Load parses the manifest, plans every configuration and sets up its signers and
// key store, then checks the output and cache directories with the guard, so nothing
// is written unless all of it is sound. dryRun never creates keys (validate, plan).
//
// Errors: *DiagnosticsError for the manifest and its inputs, *UsageError for choices
// that do not fit it, and guard.ErrRefused (wrapped) for paths the guard refuses.
func Load(opts Options, dryRun bool) (*Project, error) {
	started := time.Now()
	if opts.Log == nil {
		opts.Log = logx.Discard()
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	if opts.Getenv == nil {
		opts.Getenv = func(string) string { return "" }
	}
	if !dryRun {
		// Loading (parse, evaluate, plan) keeps one core busy; the renderings after
		// the stages are prepared on the other meanwhile (see outputs.Warm). Later,
		// the stages (a merge and its hash) want both.
		go outputs.Warm()
	}
	// Everything read while loading and planning is protected from the outputs.
	l := &loader{opts: opts, fs: fsutil.NewReadRecorder(opts.FS), log: opts.Log}
	f, cfgs, err := l.configs()
	if err != nil {
		return nil, err
	}
	// Read before any stage runs: a bad SOURCE_DATE_EPOCH is bad input, and bad input
	// writes nothing, not even cache entries; validate reports it too.
	bopts, err := l.bundleOptions()
	if err != nil {
		return nil, err
	}
	mods := &signers.Modules{}
	p := &Project{File: f, opts: opts, dir: cfgs[0].Dir, fs: l.fs, log: opts.Log, bundle: bopts}
	p.release = func() {
		for _, c := range p.Configs {
			c.keys.Wipe()
		}
		mods.Close()
	}
	p.cache = cas.New(l.fs, p.cacheDir(), opts.Log)
	for _, cfg := range cfgs {
		c, err := l.configuration(f, cfg, dryRun, mods, p.cache, bopts.SourceDateEpoch)
		if err != nil {
			p.Close()
			return nil, err
		}
		p.Configs = append(p.Configs, c)
	}
	if err := p.checkPaths(l.fs); err != nil {
		p.Close()
		return nil, err
	}
	if err := p.checkLock(); err != nil {
		p.Close()
		return nil, err
	}
	p.rec, p.warnings, p.started = l.fs, storeWarnings(l.reported, f.Files()), started
	return p, nil
}

// configuration plans one configuration and sets up its key store and signers.
func (l *loader) configuration(f *manifest.File, cfg *manifest.Config, dryRun bool, mods *signers.Modules, cache *cas.Store, sourceDateEpoch *int64) (*Configuration, error) {
	plan, diags := planner.New(cfg, planner.Options{FS: l.fs, Log: l.log, SourceDateEpoch: sourceDateEpoch})
	l.diags(f, diags)
	if diags.HasErrors() {
		return nil, &DiagnosticsError{diags}
	}
	return l.withPlan(f, cfg, plan, dryRun, mods, cache)
}

// withPlan sets up the key store and signers of a configuration already planned.
func (l *loader) withPlan(f *manifest.File, cfg *manifest.Config, plan *planner.Plan, dryRun bool, mods *signers.Modules, cache *cas.Store) (*Configuration, error) {
	keys := &stages.FileKeys{
		FS: l.fs, Rand: l.opts.Rand, Specs: map[string]stages.KeySpec{},
		Generate: stages.GenerateKey, Validate: stages.ValidateKey, DryRun: dryRun,
	}
	for _, k := range cfg.Keys {
		if k.Derive != nil {
			keys.Specs[k.Name] = stages.KeySpec{Name: k.Name, Algorithm: k.Algorithm, Derive: k.Derive.Name, DeviceID: cfg.DeviceID}
			continue
		}
		if k.File == "" {
			continue
		}
		rel, _ := filepath.Rel(cfg.Dir, k.File)
		keys.Specs[k.Name] = stages.KeySpec{Name: k.Name, Algorithm: k.Algorithm, Path: k.File, Rel: rel, Create: k.Create}
	}
	set, err := l.signers(cfg, keys, mods)
	var se signerSetupError
	if errors.As(err, &se) {
		keys.Wipe()
		d := hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot set up the signer",
			Detail: fmt.Sprintf("key.%s: %v.", se.key.Name, se.err), Subject: se.key.Range.Ptr()}}
		l.diags(f, d)
		return nil, &DiagnosticsError{d}
	}
	if err != nil {
		keys.Wipe()
		return nil, err
	}
	if d := checkCertCAs(cfg, plan, set); d.HasErrors() {
		keys.Wipe()
		l.diags(f, d)
		return nil, &DiagnosticsError{d}
	}
	env := &stages.Env{FS: l.fs, Log: l.log, Keys: keys, Signers: set, Rand: l.opts.Rand}
	return &Configuration{Config: cfg, Plan: plan, env: env, keys: keys,
		runner: &stages.Runner{Env: env, Cache: cache, StoreLater: true}}, nil
}

// bundleOptions reads what build.json records about the run.
func (l *loader) bundleOptions() (planner.BundleOptions, error) {
	src, err := afero.ReadFile(l.fs, l.opts.Manifest)
	if err != nil {
		return planner.BundleOptions{}, err
	}
	sum := sha256.Sum256(src)
	opts := planner.BundleOptions{ToolVersion: l.opts.ToolVersion, ManifestPath: filepath.Base(l.opts.Manifest), ManifestSHA256: hex.EncodeToString(sum[:]), Timings: l.opts.ReportTimings}
	if v := l.opts.SourceDateEpoch; v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return opts, usagef("SOURCE_DATE_EPOCH=%q is not a number of seconds", v)
		}
		opts.SourceDateEpoch = &n
	}
	return opts, nil
}

// cacheDir is where the stage cache lives.
func (p *Project) cacheDir() string {
	if p.opts.CacheDir != "" {
		return p.opts.CacheDir
	}
	return filepath.Join(p.dir, ".espcompose", "cache")
}
