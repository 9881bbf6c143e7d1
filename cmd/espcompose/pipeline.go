package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/cas"
	"github.com/espcompose/espcompose/internal/signers"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/planner"
	"github.com/espcompose/espcompose/stages"
)

// session is a loaded manifest with its plan and the environment to run it.
type session struct {
	file    *manifest.File
	cfg     *manifest.Config
	plan    *planner.Plan
	env     *stages.Env
	keys    *stages.FileKeys
	modules *signers.Modules
	runner  *stages.Runner
}

// close forgets key material and releases tokens.
func (s *session) close() {
	s.keys.Wipe()
	s.modules.Close()
}

// prepare loads the manifest, plans it and sets up the runner. dryRun never creates keys.
func (a *app) prepare(dryRun bool) (*session, error) { return a.prepareWith(dryRun, "") }

// prepareWith also takes the directory of offline signatures (build --signatures).
func (a *app) prepareWith(dryRun bool, sigDir string) (*session, error) {
	f, cfg, err := a.load()
	if err != nil {
		return nil, err
	}
	plan, diags := planner.New(cfg, planner.Options{FS: a.fs, Log: a.log})
	a.printDiags(f, diags)
	if diags.HasErrors() {
		return nil, diagError{diags}
	}
	keys := &stages.FileKeys{
		FS: a.fs, Rand: a.random(), Specs: map[string]stages.KeySpec{},
		Generate: stages.GenerateKey, Validate: stages.ValidateKey, DryRun: dryRun,
	}
	for _, k := range cfg.Keys {
		if k.File == "" {
			continue
		}
		rel, _ := filepath.Rel(cfg.Dir, k.File)
		keys.Specs[k.Name] = stages.KeySpec{Name: k.Name, Algorithm: k.Algorithm, Path: k.File, Rel: rel, Create: k.Create}
	}
	mods := &signers.Modules{}
	set, err := a.buildSigners(cfg, keys, sigDir, mods)
	if err != nil {
		mods.Close()
		return nil, usageError{err}
	}
	env := &stages.Env{FS: a.fs, Log: a.log, Keys: keys, Signers: set, Rand: a.random()}
	cacheDir := a.cache
	if cacheDir == "" {
		cacheDir = filepath.Join(cfg.Dir, ".espcompose", "cache")
	}
	cache := cas.New(a.fs, cacheDir, a.log)
	return &session{file: f, cfg: cfg, plan: plan, env: env, keys: keys, modules: mods,
		runner: &stages.Runner{Env: env, Cache: cache}}, nil
}

// build runs the plan and publishes dist/.
func (a *app) build(ctx context.Context, s *session) (*stages.Result, error) {
	defer s.close()
	s.runner.OnDone = a.progress(s.plan.Graph.Len())
	res, err := s.runner.Run(ctx, s.plan.Graph)
	if err != nil {
		return nil, err
	}
	src, err := afero.ReadFile(a.fs, a.file)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(src)
	opts := planner.BundleOptions{ToolVersion: version, ManifestPath: filepath.Base(a.file), ManifestSHA256: hex.EncodeToString(sum[:])}
	if v := a.getenv("SOURCE_DATE_EPOCH"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, usagef("SOURCE_DATE_EPOCH=%q is not a number of seconds", v)
		}
		opts.SourceDateEpoch = &n
	}
	bundle, err := s.plan.Bundle(res, opts)
	if err != nil {
		return nil, err
	}
	if err := publish(a.fs, a.out, bundle); err != nil {
		return nil, fmt.Errorf("write %s: %w", a.out, err)
	}
	return res, nil
}
