package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/cas"
	"github.com/espcompose/espcompose/internal/guard"
	"github.com/espcompose/espcompose/internal/signers"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/outputs"
	"github.com/espcompose/espcompose/planner"
	"github.com/espcompose/espcompose/stages"
)

// session is one configuration to build (the manifest, or one of its devices) with
// its plan and the environment to run it.
type session struct {
	file    *manifest.File
	cfg     *manifest.Config
	plan    *planner.Plan
	env     *stages.Env
	keys    *stages.FileKeys
	runner  *stages.Runner
	cache   *cas.Store
	bundle  planner.BundleOptions // checked before anything runs
	release func()                // wipes key material and releases tokens of every session
}

// close forgets key material and releases tokens.
func (s *session) close() { s.release() }

// prepare loads the manifest, plans it and sets up the runner. dryRun never creates keys.
func (a *app) prepare(dryRun bool) (*session, error) { return a.prepareWith(dryRun, "") }

// prepareWith is prepare for a manifest without devices (or with --device), also taking
// the directory of offline signatures (build --signatures).
func (a *app) prepareWith(dryRun bool, sigDir string) (*session, error) {
	ss, err := a.prepareAll(dryRun, sigDir)
	if err != nil {
		return nil, err
	}
	if len(ss) != 1 {
		ss[0].close()
		return nil, usagef("%s builds %d devices; choose one with --device", a.file, len(ss))
	}
	return ss[0], nil
}

// prepareAll plans every configuration: one, or one per device. The sessions share the
// stage cache, so stages that do not depend on device.* run once for all devices.
func (a *app) prepareAll(dryRun bool, sigDir string) ([]*session, error) {
	f, cfgs, err := a.load()
	if err != nil {
		return nil, err
	}
	// Read before any stage runs: a bad SOURCE_DATE_EPOCH is bad input, and bad input
	// writes nothing, not even cache entries; validate reports it too.
	bopts, err := a.bundleOptions()
	if err != nil {
		return nil, err
	}
	mods := &signers.Modules{}
	var all []*session
	release := func() {
		for _, s := range all {
			s.keys.Wipe()
		}
		mods.Close()
	}
	for _, cfg := range cfgs {
		plan, diags := planner.New(cfg, planner.Options{FS: a.fs, Log: a.log, SourceDateEpoch: bopts.SourceDateEpoch})
		a.printDiags(f, diags)
		if diags.HasErrors() {
			release()
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
		set, err := a.buildSigners(cfg, keys, sigDir, mods)
		var se signerSetupError
		if errors.As(err, &se) {
			release()
			d := hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot set up the signer",
				Detail: fmt.Sprintf("key.%s: %v.", se.key.Name, se.err), Subject: se.key.Range.Ptr()}}
			a.printDiags(f, d)
			return nil, diagError{d}
		}
		if err != nil {
			release()
			return nil, usageError{err}
		}
		env := &stages.Env{FS: a.fs, Log: a.log, Keys: keys, Signers: set, Rand: a.random()}
		cache := cas.New(a.fs, a.cacheDir(cfg.Dir), a.log)
		all = append(all, &session{file: f, cfg: cfg, plan: plan, env: env, keys: keys, release: release,
			cache: cache, bundle: bopts, runner: &stages.Runner{Env: env, Cache: cache}})
	}
	if err := a.checkBuildPaths(all, sigDir); err != nil {
		release()
		return nil, err
	}
	return all, nil
}

// build runs the plan and publishes dist/.
func (a *app) build(ctx context.Context, s *session) (*stages.Result, error) {
	defer s.close()
	closeCache, err := s.cache.Open()
	if err != nil {
		return nil, fmt.Errorf("open the stage cache: %w", err)
	}
	defer closeCache()
	res, files, err := a.buildFiles(ctx, s, a.progress(s.plan.Graph.Len()))
	if err != nil {
		return nil, err
	}
	if err := a.publish(files); err != nil {
		return nil, fmt.Errorf("write %s: %w", a.out, err)
	}
	return res, nil
}

// buildFiles runs one session and renders its output files.
func (a *app) buildFiles(ctx context.Context, s *session, onDone func(string, stages.Status)) (*stages.Result, []outputs.File, error) {
	s.runner.OnDone = onDone
	res, err := s.runner.Run(ctx, s.plan.Graph)
	if err != nil {
		return nil, nil, err
	}
	bundle, err := s.plan.Bundle(res, s.bundle)
	if err != nil {
		return nil, nil, err
	}
	files, err := outputs.Files(bundle)
	if err == nil {
		err = a.verifyBuild(ctx, s, res, files)
	}
	return res, files, err
}

func (a *app) bundleOptions() (planner.BundleOptions, error) {
	src, err := afero.ReadFile(a.fs, a.file)
	if err != nil {
		return planner.BundleOptions{}, err
	}
	sum := sha256.Sum256(src)
	opts := planner.BundleOptions{ToolVersion: version, ManifestPath: filepath.Base(a.file), ManifestSHA256: hex.EncodeToString(sum[:])}
	if v := a.getenv("SOURCE_DATE_EPOCH"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return opts, usagef("SOURCE_DATE_EPOCH=%q is not a number of seconds", v)
		}
		opts.SourceDateEpoch = &n
	}
	return opts, nil
}

// deviceResult is what one device's build did.
type deviceResult struct {
	ID     string
	Result *stages.Result
	Merged []string
}

// buildDevices builds every device into devices/<id>/ of one output tree, published
// at once. Devices build one after another over a shared cache, so whatever does not
// depend on device.* (bootloader, apps, signatures, tables) is computed for the first
// device and reused by the others.
func (a *app) buildDevices(ctx context.Context, sessions []*session) ([]deviceResult, error) {
	defer sessions[0].close()
	closeCache, err := sessions[0].cache.Open()
	if err != nil {
		return nil, fmt.Errorf("open the stage cache: %w", err)
	}
	defer closeCache()
	var all []outputs.File
	var results []deviceResult
	type indexEntry struct {
		ID     string `json:"id"`
		Dir    string `json:"dir"`
		Merged string `json:"merged"`
		SHA256 string `json:"sha256"`
	}
	var index []indexEntry
	for _, s := range sessions {
		id := s.cfg.DeviceID
		res, files, err := a.buildFiles(ctx, s, func(st string, status stages.Status) { a.log.Debugf("%s: %-8s %s", id, status, st) })
		if err != nil {
			return nil, fmt.Errorf("device %s: %w", id, err)
		}
		dr := deviceResult{ID: id, Result: res}
		dir := "devices/" + id
		for _, m := range s.plan.Merged {
			dr.Merged = append(dr.Merged, dir+"/"+m.File)
		}
		// The index names each device's merged image; match on the name the session
		// gave it, before it moves under the device's folder.
		found := false
		for _, f := range files {
			if len(s.plan.Merged) > 0 && f.Name == s.plan.Merged[0].File {
				index = append(index, indexEntry{ID: id, Dir: dir, Merged: dir + "/" + f.Name, SHA256: f.SHA256})
				found = true
			}
			f.Name = dir + "/" + f.Name
			all = append(all, f)
		}
		if !found {
			return nil, fmt.Errorf("device %s: internal: no merged image among its outputs", id)
		}
		results = append(results, dr)
	}
	idx, _ := json.MarshalIndent(map[string]any{"format": "espcompose-devices/1", "devices": index}, "", "  ")
	all = append(all, outputs.File{Name: "devices.json", Data: append(idx, '\n'), Mode: 0o644, SHA256: sha256hex(append(idx, '\n'))})
	// One SHA256SUMS over the whole tree, so `sha256sum -c` checks every device at once.
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	var sums strings.Builder
	for _, f := range all {
		fmt.Fprintf(&sums, "%s  %s\n", f.SHA256, f.Name)
	}
	all = append(all, outputs.File{Name: "SHA256SUMS", Data: []byte(sums.String()), Mode: 0o644, SHA256: sha256hex([]byte(sums.String()))})
	if err := a.publish(all); err != nil {
		return nil, err
	}
	return results, nil
}

// publish swaps the output tree in; a refusal keeps its own message (and exit code).
func (a *app) publish(files []outputs.File) error {
	err := outputs.Publish(a.fs, a.out, files, a.publishOptions())
	var ge *guard.Error
	if err != nil && !errors.As(err, &ge) {
		return fmt.Errorf("write %s: %w", a.out, err)
	}
	return err
}

func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
