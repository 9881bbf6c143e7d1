package compose

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"github.com/espcompose/espcompose/lock"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/cas"
	"github.com/espcompose/espcompose/internal/fsutil"
	"github.com/espcompose/espcompose/internal/guard"
	"github.com/espcompose/espcompose/internal/logx"
	"github.com/espcompose/espcompose/internal/signers"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/outputs"
	"github.com/espcompose/espcompose/planner"
	"github.com/espcompose/espcompose/stages"
	"github.com/espcompose/espcompose/verify"
)

// DefaultCacheMaxSize is the size the stage cache is pruned to after a batch when
// BatchOptions.CacheMaxSize is 0: enough for the shared stages of many manifests,
// small beside 10,000 devices' outputs.
const DefaultCacheMaxSize int64 = 2 << 30

// memoBytes bounds what a batch keeps of the stage cache in memory.
const memoBytes = 64 << 20

// BatchOptions tune RunBatch. The zero value builds every device with one worker
// per CPU and bounds the cache at DefaultCacheMaxSize.
type BatchOptions struct {
	// Jobs is how many devices build at once; 0 means runtime.NumCPU().
	Jobs int
	// Shard selects a stable part of the batch (see Shard); zero: all of it.
	Shard Shard
	// Only selects devices by id (Options.Device adds one more); empty: all.
	Only []string
	// CacheMaxSize is the size in bytes the stage cache is pruned to after the
	// batch, least recently used entries first; 0 means DefaultCacheMaxSize,
	// negative leaves the cache alone.
	CacheMaxSize int64
	// OnProgress is told each device that is done, built or skipped, from the
	// goroutine that finished it (one at a time).
	OnProgress func(BatchProgress)
	// GCPercent is the garbage collector's target (runtime/debug.SetGCPercent)
	// while the batch runs, when the process is at Go's default (100): 0 means
	// batchGCPercent; negative leaves the collector alone. It is a process-wide
	// setting, put back when RunBatch returns.
	GCPercent int
}

// batchGCPercent: a batch allocates each device's plan, stages and outputs and drops
// them, over a live heap of a few MB, so at Go's default the collector runs every few
// dozen devices and takes a quarter to a third of a factory device's CPU. At 400 it
// takes a fraction of that and peak memory stays flat, some 15-20 MB higher
// (bench/RESULTS.md, Device batches).
const batchGCPercent = 400

// raiseGC sets the collector's target for a batch and returns what puts it back.
func raiseGC(percent int) func() {
	if percent < 0 {
		return func() {}
	}
	if percent == 0 {
		percent = batchGCPercent
	}
	if old := debug.SetGCPercent(percent); old != 100 {
		debug.SetGCPercent(old) // set by the process (GOGC or a caller): theirs
		return func() {}
	}
	return func() { debug.SetGCPercent(100) }
}

// BatchProgress is where a batch stands after one more device.
type BatchProgress struct {
	ID      string
	Skipped bool // up to date: its record matched, nothing was written
	// Done of Total devices are finished, Built of them rebuilt.
	Done, Total, Built int
	Elapsed            time.Duration
	// Row is the device's data row in the devices CSV (1-based).
	Row int
	// Stages and Checks are, for a device that was built, how each stage was
	// obtained and what verification checked (nil when skipped).
	Stages map[string]stages.Status
	Checks []verify.Check
}

// BatchResult is what RunBatch did.
type BatchResult struct {
	Out string
	// Devices is how many devices the batch (or its shard, or --only) holds;
	// Built were rebuilt and published, Skipped were up to date; Removed device
	// folders of devices no longer selected were deleted.
	Devices, Built, Skipped, Removed int
	// UpToDate: nothing in Out was written.
	UpToDate bool
	// Checks is how many verification checks passed over the built devices
	// (VerifySkipped with NoVerify).
	Checks        int
	VerifySkipped bool
	Shard         Shard
	// Cache is what the size bound pruned from the stage cache.
	Cache cas.PruneResult
}

// batch is one RunBatch.
type batch struct {
	opts   Options
	bo     BatchOptions
	f      *manifest.File
	dir    string
	log    logx.Logger
	bundle planner.BundleOptions
	store  *cas.Store
	memo   *memoCache
	mods   *signers.Modules
	// signers are set up once for every device that uses the same back-end.
	signers sharedSigners
	ih      *inputHasher
	tree    *tree
	only    map[string]bool
	// firstRec records what loading and the first device read: protected from the
	// output and the cache, as Load protects a single build's inputs.
	firstRec *fsutil.ReadRecorder
	firstCfg *manifest.Config
	// locked is the layout lock every device built must match (nil: not locked).
	locked   *lock.File
	lockPath string
	// wd is the working directory, read once: fsutil.Abs reads it per call, two
	// stat calls each, several times per device.
	wd string

	checks      atomic.Int64
	built, done atomic.Int64
	total       int
	start       time.Time
	progressMu  sync.Mutex
}

// RunBatch builds the devices of a manifest's devices block into Options.Out, one
// folder per device, streaming: the devices CSV is read row by row and each device is
// planned, built, verified, published and dropped before memory holds more than
// Jobs devices, whatever their number. Stages that do not depend on device.* are
// computed once (or taken from the cache) and shared.
//
// Each device's folder carries a record of the hash of its inputs; a device whose
// record matches and whose files are in place is skipped without writing a byte, so
// a rerun after one changed row rebuilds one device. See docs/manufacturing.md.
//
// Bad input (any row) is found before anything is written: every selected row is
// evaluated and planned first. A failure while building leaves every device folder
// either as it was or rebuilt, and devices.json as it was.
func RunBatch(ctx context.Context, opts Options, bo BatchOptions) (*BatchResult, error) {
	if opts.Out == "" {
		return nil, errors.New("compose: RunBatch needs Options.Out")
	}
	if opts.Log == nil {
		opts.Log = logx.Discard()
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	if opts.Getenv == nil {
		opts.Getenv = func(string) string { return "" }
	}
	if bo.Jobs <= 0 {
		bo.Jobs = runtime.NumCPU()
	}
	if len(bo.Only) > 0 && !bo.Shard.All() {
		return nil, usagef("--only and --shard do not go together: a shard is a fixed part of the whole batch")
	}
	b := &batch{opts: opts, bo: bo, log: opts.Log, mods: &signers.Modules{}, start: time.Now()}
	defer b.mods.Close()
	defer raiseGC(bo.GCPercent)()
	if err := b.load(); err != nil {
		return nil, err
	}
	entries, shard, err := b.validate(ctx)
	if err != nil {
		return nil, err
	}
	return b.run(ctx, entries, shard)
}

// load parses the manifest and reads the settings every device shares.
func (b *batch) load() error {
	l := &loader{opts: b.opts, fs: fsutil.NewReadRecorder(b.opts.FS), log: b.log}
	f, diags := manifest.Parse(l.fs, b.opts.Manifest)
	if diags.HasErrors() {
		l.diags(f, diags)
		return &DiagnosticsError{diags}
	}
	if f.Devices == nil {
		return usagef("%s has no devices block, so it builds one configuration; device batch options (--jobs, --shard, --only, --device) need one", b.opts.Manifest)
	}
	bopts, err := l.bundleOptions()
	if err != nil {
		return err
	}
	b.f, b.bundle, b.dir = f, bopts, f.Dir
	b.wd = fsutil.Abs(".")
	// The layout lock holds for a batch as for a single build: each device planned is
	// compared with it before anything is built or written.
	if !b.opts.NoLock {
		lp := &Project{opts: b.opts, fs: b.opts.FS}
		locked, err := lp.ReadLock()
		if err != nil {
			return err
		}
		b.locked, b.lockPath = locked, lp.LockPath()
	}
	b.only = map[string]bool{}
	for _, id := range b.bo.Only {
		if id = strings.TrimSpace(id); id != "" {
			b.only[id] = true
		}
	}
	if b.opts.Device != "" {
		b.only[b.opts.Device] = true
	}
	// What every device's outputs depend on besides its row and the files it reads.
	settings := []string{"espcompose-device-inputs/1", b.opts.ToolVersion, bopts.ManifestSHA256}
	if e := bopts.SourceDateEpoch; e != nil {
		settings = append(settings, fmt.Sprintf("SOURCE_DATE_EPOCH=%d", *e))
	}
	vars := make([]string, 0, len(b.opts.Vars))
	for k, v := range b.opts.Vars {
		vars = append(vars, k+"="+v)
	}
	sort.Strings(vars)
	settings = append(settings, vars...)
	if b.opts.Signatures != "" {
		settings = append(settings, "signatures="+b.opts.Signatures)
	}
	b.ih = newInputHasher(b.opts.FS, f.Dir, settings)
	// The manifest, the devices file and what the first device reads are protected
	// from the output and the cache, as a single build protects its inputs.
	b.firstRec = l.fs
	return nil
}

// evalRow evaluates one row; diagnostics go to the caller as for Load.
func (b *batch) evalRow(fsys afero.Fs, row map[string]string) (*manifest.Config, hcl.Diagnostics) {
	return manifest.Evaluate(b.f, manifest.Options{FS: fsys, Vars: b.opts.Vars, Device: row})
}

func (b *batch) diags(d hcl.Diagnostics) {
	if len(d) > 0 && b.opts.OnDiagnostics != nil {
		b.opts.OnDiagnostics(b.f.Files(), d)
	}
}

func (b *batch) selected(id string) bool {
	return (len(b.only) == 0 || b.only[id]) && b.bo.Shard.Has(id)
}

// validate reads every row once before anything is written: each is evaluated (ids
// must be unique) and each selected one whose inputs changed is planned, so a mistake
// in row 9,000 is found before device 1 is published. Rows are evaluated on Jobs
// workers; mistakes are reported as a sequential pass would (the first row's). It
// returns the selected devices in CSV order.
func (b *batch) validate(ctx context.Context) ([]batchEntry, *ShardInfo, error) {
	rr, d := openRows(b.firstRec, b.f)
	if d.HasErrors() {
		b.diags(d)
		return nil, nil, &DiagnosticsError{d}
	}
	defer rr.Close()
	type row struct {
		n   int
		row map[string]string
	}
	type result struct {
		n     int
		id    string
		cfg   *manifest.Config
		diags hcl.Diagnostics
		sel   bool
		// lockErr: the device's layout differs from the lock.
		lockErr error
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Without a devices folder no device has a record to match (a first build):
	// nothing to look up per row.
	_, err := outFS(b.opts.FS).Stat(filepath.Join(b.opts.Out, "devices"))
	haveDevices := err == nil
	rows := make(chan row, 4*b.bo.Jobs)
	results := make(chan result, 4*b.bo.Jobs)
	var wg sync.WaitGroup
	for range b.bo.Jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rows {
				// Rows are read again when built, through recorders that report what
				// they read; here only the first row's reads are kept (firstRec).
				fsys, _ := unwrapRecorders(b.opts.FS)
				if r.n == 1 {
					fsys = b.firstRec // what the first device reads is protected like Load's inputs
				}
				cfg, d := b.evalRow(fsys, r.row)
				res := result{n: r.n, cfg: cfg, diags: d}
				if !d.HasErrors() {
					res.id = cfg.DeviceID
					res.sel = b.selected(cfg.DeviceID)
					if res.sel && (r.n == 1 || !haveDevices || !b.inputsMatch(cfg.DeviceID, r.row)) {
						// Up to date devices (checked again under the lock) were planned
						// when they were built.
						pl, pd := planner.New(cfg, planner.Options{FS: fsys, Log: b.log, SourceDateEpoch: b.bundle.SourceDateEpoch})
						res.diags = append(res.diags, pd...)
						if r.n == 1 && !pd.HasErrors() {
							res.diags = append(res.diags, plannedDeviceFiles(cfg, pl)...)
						}
						if !pd.HasErrors() && b.locked != nil {
							res.lockErr = b.checkLock(fsys, cfg, pl)
						}
					}
				}
				results <- res
			}
		}()
	}
	var readDiags hcl.Diagnostics
	readRow := 0
	go func() {
		defer close(rows)
		for n := 1; ; n++ {
			r, d := rr.next()
			if d.HasErrors() {
				readDiags, readRow = d, n
				return
			}
			if r == nil {
				return
			}
			select {
			case rows <- row{n, r}:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	var entries []batchEntry
	seen := map[string]int{} // id → row
	var ids idsHash
	diags := map[int]hcl.Diagnostics{}
	firstErr := 0 // the row of the first mistake
	firstSel := 0
	var lockErr error
	lockRow := 0
	for res := range results {
		if res.lockErr != nil && (lockRow == 0 || res.n < lockRow) {
			lockErr, lockRow = res.lockErr, res.n
			cancel() // every later device would be refused the same way
		}
		if len(res.diags) > 0 {
			diags[res.n] = res.diags
		}
		if res.diags.HasErrors() {
			if firstErr == 0 || res.n < firstErr {
				firstErr = res.n
			}
			cancel() // the same mistake would repeat for every device
			continue
		}
		if prev, dup := seen[res.id]; dup {
			later := max(prev, res.n)
			diags[later] = append(diags[later], &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Duplicate device id",
				Detail: fmt.Sprintf("Two rows of the devices file have id %q; each device needs its own.", res.id), Subject: b.f.Devices.DeclRange.Ptr()})
			if firstErr == 0 || later < firstErr {
				firstErr = later
			}
			cancel()
			continue
		}
		seen[res.id] = res.n
		ids.add(res.id)
		if res.sel {
			entries = append(entries, batchEntry{ID: res.id, Row: res.n})
			if firstSel == 0 || res.n < firstSel {
				firstSel, b.firstCfg = res.n, res.cfg
			}
		}
	}
	if readDiags != nil && (firstErr == 0 || readRow < firstErr) {
		diags[readRow], firstErr = readDiags, readRow
	}
	// Diagnostics in row order, up to the first mistake, as one pass would give them.
	var all hcl.Diagnostics
	rowsWith := make([]int, 0, len(diags))
	for n := range diags {
		if firstErr == 0 || n <= firstErr {
			rowsWith = append(rowsWith, n)
		}
	}
	sort.Ints(rowsWith)
	for _, n := range rowsWith {
		all = append(all, diags[n]...)
	}
	b.diags(all)
	if all.HasErrors() {
		return nil, nil, &DiagnosticsError{all}
	}
	if lockErr != nil {
		return nil, nil, lockErr
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Row < entries[j].Row })
	for id := range b.only {
		if _, ok := seen[id]; !ok {
			return nil, nil, usagef("no device with id %q in the devices file", id)
		}
	}
	if len(entries) == 0 && b.bo.Shard.All() {
		return nil, nil, usagef("no device selected")
	}
	var shard *ShardInfo
	if !b.bo.Shard.All() {
		shard = &ShardInfo{Format: shardFormat, K: b.bo.Shard.K, N: b.bo.Shard.N, Devices: len(seen), IDs: ids.sum(), Manifest: b.bundle.ManifestSHA256}
	}
	if err := b.checkPaths(); err != nil {
		return nil, nil, err
	}
	return entries, shard, nil
}

// inputsMatch: the device's record names the inputs it would be built from now.
func (b *batch) inputsMatch(id string, row map[string]string) bool {
	r := readRecord(outFS(b.opts.FS), b.opts.Out, id)
	return r != nil && b.ih.hash(row, r.Reads, sharedRead(id)) == r.Inputs
}

// checkPaths is Project.checkPaths for a batch: the output and cache folders must not
// be, hold or sit inside what the build reads. Ownership of the output folder is the
// batch tree's own check (openTree).
func (b *batch) checkPaths() error {
	p := &Project{File: b.f, opts: b.opts, dir: b.dir, fs: b.firstRec}
	if b.firstCfg != nil {
		p.Configs = []*Configuration{{Config: b.firstCfg}}
	}
	g := p.protected(b.firstRec)
	cache := p.cacheDir()
	forOut := g
	forOut.AddDirs("the stage cache", cache)
	if err := guard.CheckDir(b.opts.FS, b.opts.Out, "output directory", forOut); err != nil {
		return err
	}
	forCache := g
	forCache.AddDirs("the output directory", b.opts.Out)
	if err := guard.CheckDir(b.opts.FS, cache, "cache directory", forCache); err != nil {
		return err
	}
	b.store = cas.New(b.opts.FS, cache, b.log)
	return nil
}

// job is one device to build.
type job struct {
	row map[string]string
	n   int
	id  string
}

// run builds what needs building under the tree's lock, then writes the index.
func (b *batch) run(ctx context.Context, entries []batchEntry, shard *ShardInfo) (*BatchResult, error) {
	t, err := openTree(b.opts.FS, b.opts.Out, PublishSettings{LockTimeout: b.opts.LockTimeout, OnWait: b.opts.OnWait,
		OnRecovered: b.opts.OnRecovered, CrashHook: b.opts.CrashHook})
	if err != nil {
		return nil, err
	}
	defer t.close()
	b.tree = t
	t.jobs = b.bo.Jobs
	b.total = len(entries)
	res := &BatchResult{Out: b.opts.Out, Devices: len(entries), Shard: b.bo.Shard, VerifySkipped: b.opts.NoVerify}
	indexBefore := t.indexDigest()

	closeCache, err := b.store.Open()
	if err != nil {
		return nil, fmt.Errorf("open the stage cache: %w", err)
	}
	cacheOpen := true
	defer func() {
		if cacheOpen {
			closeCache()
		}
	}()
	b.memo = newMemoCache(b.store, memoBytes)

	if err := b.buildAll(ctx, entries); err != nil {
		return nil, err
	}
	keep := make(map[string]bool, len(entries))
	for _, e := range entries {
		keep[e.ID] = true
	}
	if res.Removed, err = t.removeStale(func(id string) bool { return keep[id] }); err != nil {
		return nil, err
	}
	if len(entries) > 0 || indexBefore != "" || shard != nil { // an empty shard still says which it is
		if err := t.ensure(); err != nil {
			return nil, err
		}
		if err := t.writeIndex(entries, shard, b.built.Load() == 0 && res.Removed == 0); err != nil {
			return nil, err
		}
	}
	res.Built = int(b.built.Load())
	res.Skipped = len(entries) - res.Built
	res.Checks = int(b.checks.Load())
	res.UpToDate = res.Built == 0 && res.Removed == 0 && t.indexDigest() == indexBefore && indexBefore != ""

	closeCache()
	cacheOpen = false
	if max := b.bo.CacheMaxSize; max >= 0 {
		if max == 0 {
			max = DefaultCacheMaxSize
		}
		pr, err := b.store.Prune(cas.PruneOptions{MaxSize: max})
		if err != nil && !errors.Is(err, cas.ErrBusy) {
			b.log.Warnf("cache: cannot prune to %d bytes: %v", max, err)
		}
		res.Cache = pr
	}
	return res, nil
}

// buildAll streams the devices file a second time and skips or builds each selected
// device on Jobs workers. The first device that needs a build runs alone (the others
// wait for it): it computes the shared stages every other device then reuses from
// memory. Up-to-date devices are checked in parallel meanwhile.
func (b *batch) buildAll(ctx context.Context, entries []batchEntry) error {
	if len(entries) == 0 {
		return nil
	}
	rr, d := openRows(b.opts.FS, b.f)
	if d.HasErrors() {
		return &DiagnosticsError{d}
	}
	defer rr.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		errMu    sync.Mutex
		firstErr error
		wg       sync.WaitGroup
		gateMu   sync.Mutex
		claimed  bool
		firstOK  = make(chan struct{}) // closed once the first build is in place
	)
	fail := func(err error) {
		errMu.Lock()
		if firstErr == nil {
			firstErr = err
			cancel()
		}
		errMu.Unlock()
	}
	com := newCommitter(b.tree, b.committed)
	jobs := make(chan job, b.bo.Jobs)
	one := func(j job) error {
		if skipped, err := b.skip(j); err != nil || skipped {
			return err
		}
		gateMu.Lock()
		first := !claimed
		claimed = true
		gateMu.Unlock()
		if first {
			// buildDevice makes the tree once the device is built: a mistake only
			// building shows (device_files naming no output) leaves nothing behind.
			if err := b.buildDevice(ctx, j); err != nil {
				return err
			}
			b.memo.freeze()
			close(firstOK)
			return nil
		}
		select {
		case <-firstOK:
		case <-ctx.Done():
			return nil
		}
		return b.stageDevice(ctx, j, com)
	}
	for range b.bo.Jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if ctx.Err() != nil {
					continue
				}
				if err := one(j); err != nil {
					fail(err)
				}
			}
		}()
	}
	next := 0 // index into entries
	for n := 1; next < len(entries) && ctx.Err() == nil; n++ {
		row, d := rr.next()
		if d.HasErrors() || row == nil {
			fail(fmt.Errorf("the devices file changed during the build (row %d)", n))
			break
		}
		if entries[next].Row != n {
			continue
		}
		next++
		select {
		case jobs <- job{row: row, n: n, id: entries[next-1].ID}:
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
	if err := com.close(); err != nil {
		fail(err)
	}
	return firstErr
}

// skip reports (and counts) a device whose record matches what it would be built
// from now, with its files in place.
func (b *batch) skip(j job) (bool, error) {
	if !b.tree.existing[j.id] {
		return false, nil
	}
	r := b.recordMatches(j.id, j.row)
	if r == nil {
		return false, nil
	}
	b.tree.addColumns(r)
	b.progress(j, nil, nil)
	return true, nil
}

// recordMatches returns the device's record when it matches what the device would be
// built from now and its files are in place; nil otherwise.
func (b *batch) recordMatches(id string, row map[string]string) *deviceRecord {
	r := readRecord(outFS(b.opts.FS), b.opts.Out, id)
	if r == nil || b.ih.hash(row, r.Reads, sharedRead(id)) != r.Inputs ||
		!intact(outFS(b.opts.FS), filepath.Join(b.opts.Out, "devices", id), r) {
		return nil
	}
	return r
}

// sharedRead: a file whose name holds the device id is that device's own; others
// (the app, the bootloader) are read by every device, and worth remembering.
func sharedRead(id string) func(string) bool {
	return func(r string) bool { return !strings.Contains(r, id) }
}

func (b *batch) progress(j job, res *stages.Result, checks []verify.Check) {
	done := int(b.done.Add(1))
	if b.bo.OnProgress == nil {
		return
	}
	pr := BatchProgress{ID: j.id, Row: j.n, Skipped: res == nil, Done: done, Total: b.total, Built: int(b.built.Load()), Elapsed: time.Since(b.start), Checks: checks}
	if res != nil {
		pr.Stages = res.Status
	}
	b.progressMu.Lock()
	defer b.progressMu.Unlock()
	b.bo.OnProgress(pr)
}

// buildDevice plans, runs, verifies and publishes one device, and writes its record.
func (b *batch) buildDevice(ctx context.Context, j job) error {
	files, done, err := b.makeDevice(ctx, j)
	if err != nil {
		return err
	}
	if err := b.tree.ensure(); err != nil {
		return err
	}
	if err := b.tree.publishDevice(j.id, files); err != nil {
		return fmt.Errorf("device %s: write %s: %w", j.id, filepath.Join(b.opts.Out, "devices", j.id), err)
	}
	b.committed(staged{j: j, result: done})
	return nil
}

// stageDevice builds one device and writes it under a temporary name for the
// committer, which swaps it in once it is on disk.
func (b *batch) stageDevice(ctx context.Context, j job, c *committer) error {
	files, done, err := b.makeDevice(ctx, j)
	if err != nil {
		return err
	}
	tmp, err := b.tree.stageDevice(j.id, files)
	if err != nil {
		return fmt.Errorf("device %s: write %s: %w", j.id, filepath.Join(b.opts.Out, "devices", j.id), err)
	}
	c.in <- staged{j: j, tmp: tmp, result: done}
	return nil
}

// deviceDone is what a built device reports once it is in place.
type deviceDone struct {
	res    *stages.Result
	checks []verify.Check
}

// committed counts a device that is in place and reports it.
func (b *batch) committed(s staged) {
	b.built.Add(1)
	d := s.result.(deviceDone)
	b.progress(s.j, d.res, d.checks)
}

// makeDevice plans, runs and verifies one device and renders its files, its record
// among them.
func (b *batch) makeDevice(ctx context.Context, j job) ([]outputs.File, deviceDone, error) {
	// The device's own recorder reads the disk directly; what it recorded is handed
	// to the recorders below it (the caller's) once, not noted by each on every read.
	base, outer := unwrapRecorders(b.opts.FS)
	rec := fsutil.NewReadRecorder(base)
	defer func() {
		files, dirs := rec.Files(), rec.Dirs()
		for _, o := range outer {
			for _, f := range files {
				o.NoteFile(f)
			}
			for _, d := range dirs {
				o.NoteDir(d)
			}
		}
	}()
	cfg, d := b.evalRow(rec, j.row)
	if d.HasErrors() {
		b.diags(d)
		return nil, deviceDone{}, &DiagnosticsError{d}
	}
	l := &loader{opts: b.opts, fs: rec, log: b.log, shared: &b.signers}
	c, err := l.configuration(b.f, cfg, false, b.mods, b.store, b.bundle.SourceDateEpoch)
	if err != nil {
		return nil, deviceDone{}, fmt.Errorf("device %s: %w", j.id, err)
	}
	c.runner.Cache = b.memo
	if b.tree.sync.deferKeys() {
		c.keys.Created = b.tree.sync.keyCreated // durable by the flush before the device is swapped in
	}
	if b.bo.Jobs > 1 {
		c.runner.Workers = 1 // devices run in parallel; stages of one device need not
	}
	p := &Project{File: b.f, Configs: []*Configuration{c}, opts: b.opts, dir: b.dir, fs: rec, log: b.log,
		cache: b.store, bundle: b.bundle, release: func() { c.keys.Wipe() }}
	defer p.Close()
	res, files, err := p.buildFiles(ctx, c)
	// Results the runner stores in the background are in the cache before the device
	// is done (and so before the cache is closed at the end of the batch).
	c.runner.Wait()
	if err != nil {
		return nil, deviceDone{}, fmt.Errorf("device %s: %w", j.id, err)
	}
	b.checks.Add(int64(len(p.verified.Checks)))
	if files, err = b.deviceFiles(cfg, files); err != nil {
		return nil, deviceDone{}, err
	}
	r := &deviceRecord{Format: recordFormat, ID: j.id, Files: recordFiles(files)}
	if len(c.Plan.Merged) > 0 { // none with output { merged = false }
		r.Merged = c.Plan.Merged[0].File
	}
	out := b.abs(b.opts.Out)
	for _, f := range rec.Files() {
		if strings.HasPrefix(f, out+string(filepath.Separator)) {
			return nil, deviceDone{}, fmt.Errorf("device %s read %s, inside the output directory", j.id, f)
		}
		r.Reads = append(r.Reads, b.ih.rel(f))
	}
	// A folder read (a filesystem partition's tree) is recorded with its listing,
	// so a file added to it rebuilds the device.
	// The folder of a key file is not one: a build that creates keys writes there
	// (and flushes it), and what other keys sit beside this device's is not its input.
	keyDirs := map[string]bool{}
	for _, k := range cfg.Keys {
		if k.File != "" {
			keyDirs[filepath.Dir(b.abs(k.File))] = true
		}
	}
	for _, d := range rec.Dirs() {
		if !keyDirs[d] {
			r.Reads = append(r.Reads, strings.TrimSuffix(b.ih.rel(d), "/")+"/")
		}
	}
	// A key file this build created was written, not read: it is an input all the
	// same (the next run reads it), so it is in the record from the first build.
	for _, k := range cfg.Keys {
		if k.File == "" {
			continue
		}
		if rel := b.ih.rel(b.abs(k.File)); !slices.Contains(r.Reads, rel) {
			r.Reads = append(r.Reads, rel)
		}
	}
	sort.Strings(r.Reads)
	r.Inputs = b.ih.hash(j.row, r.Reads, sharedRead(j.id))
	for id, a := range res.Artifacts {
		if name, ok := strings.CutPrefix(id, "key:"); ok {
			r.Keys = append(r.Keys, fingerprint{Name: name, Fingerprint: string(a.Data)})
		}
	}
	sort.Slice(r.Keys, func(i, k int) bool { return r.Keys[i].Name < r.Keys[k].Name })
	data := r.encode()
	files = append(files, outputs.File{Name: RecordName, Data: data, Mode: 0o644, SHA256: sha256hex(data)})
	b.tree.addColumns(r)
	return files, deviceDone{res: res, checks: p.verified.Checks}, nil
}

// deviceFiles keeps, of a device's verified outputs, those output { device_files }
// names (all of them when it names none). The record and the marker are added later.
func (b *batch) deviceFiles(cfg *manifest.Config, files []outputs.File) ([]outputs.File, error) {
	want := cfg.Output.DeviceFiles
	if len(want) == 0 {
		return files, nil
	}
	have := make(map[string]outputs.File, len(files))
	names := make([]string, 0, len(files))
	for _, f := range files {
		have[f.Name] = f
		names = append(names, f.Name)
	}
	kept := make([]outputs.File, 0, len(want))
	for _, n := range want {
		f, ok := have[n]
		if !ok {
			d := hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unknown device file",
				Detail:  fmt.Sprintf("device_files names %q, which this build does not write. It writes: %s.", n, strings.Join(names, ", ")),
				Subject: cfg.Output.DeviceFilesRange.Ptr()}}
			b.diags(d)
			return nil, &DiagnosticsError{d}
		}
		kept = append(kept, f)
	}
	sort.Slice(kept, func(i, k int) bool { return kept[i].Name < kept[k].Name })
	return kept, nil
}

// abs is fsutil.Abs against the working directory read when the batch began.
func (b *batch) abs(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(b.wd, p)
}

// IsBatch reports whether the manifest has a devices block: then `build` runs it with
// RunBatch. A manifest that does not parse is not a batch; Load reports why.
func IsBatch(fsys afero.Fs, manifestPath string) bool {
	// A devices block is introduced by the literal word: a manifest without it
	// anywhere is not a batch, and a build need not parse it twice to know (parsing
	// is most of what loading a small manifest costs a new process).
	if src, err := afero.ReadFile(fsys, manifestPath); err == nil && !bytes.Contains(src, []byte("devices")) {
		return false
	}
	f, diags := manifest.Parse(fsys, manifestPath)
	return !diags.HasErrors() && f != nil && f.Devices != nil
}

// checkLock compares one planned device's layout with the lock (keys are read, never
// created: a dry-run key store).
func (b *batch) checkLock(fsys afero.Fs, cfg *manifest.Config, pl *planner.Plan) error {
	// A recorder over fsys: the reads were already recorded (or need not be) by the caller.
	l := &loader{opts: b.opts, fs: fsutil.NewReadRecorder(fsys), log: b.log, shared: &b.signers}
	c, err := l.withPlan(b.f, cfg, pl, true, b.mods, nil)
	if err != nil {
		return err
	}
	defer c.keys.Wipe()
	p := &Project{opts: b.opts, fs: fsys}
	now, err := p.LayoutOf(c)
	if err != nil {
		return err
	}
	if changes := lock.Compare(b.locked, now); len(changes) > 0 {
		return &UsageError{&LockError{File: b.lockPath, Changes: changes, Device: cfg.DeviceID}}
	}
	return nil
}
