package compose

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/espcompose/espcompose/outputs"
	"github.com/espcompose/espcompose/stages"
)

// Result is what Build did.
type Result struct {
	// Out is the output directory that was published.
	Out string
	// Stages is the run of a manifest without devices; nil with devices.
	Stages *stages.Result
	// Devices is, with a devices block, each device's run in order.
	Devices []DeviceResult
	// Verify is what verification checked, over every configuration.
	Verify VerifySummary
	// UpToDate is true when Out already held exactly the files this build made, on
	// disk byte for byte, so nothing was written.
	UpToDate bool
	// Files is how many files the output tree holds (its marker not counted).
	Files int
}

// DeviceResult is what one device's build did.
type DeviceResult struct {
	ID     string
	Result *stages.Result
	// Merged are the device's merged images, relative to the output directory.
	Merged []string
}

// Build runs every configuration's stages, verifies the outputs and publishes them
// to Options.Out in one swap: the manifest's files. With a devices block it runs the
// device batch (RunBatch): devices/<id>/ per device, each swapped in on its own, with
// devices.json, devices.csv and one SHA256SUMS. Nothing is published unless it verified.
// Call it at most once per Load, before Close.
func (p *Project) Build(ctx context.Context) (*Result, error) {
	if p.opts.Out == "" {
		return nil, errors.New("compose: Build needs Options.Out")
	}
	p.verified = VerifySummary{}
	if p.Devices() {
		return p.buildBatch(ctx) // one device folder at a time (batch.go)
	}
	closeCache, err := p.cache.Open()
	if err != nil {
		return nil, fmt.Errorf("open the stage cache: %w", err)
	}
	defer closeCache()
	// Results go into the cache while verification and publishing go on; all of
	// them are stored before the cache is closed (deferred calls run last first).
	defer func() {
		for _, c := range p.Configs {
			c.runner.Wait()
		}
	}()
	c := p.Configs[0]
	res, files, err := p.runFiles(ctx, c)
	if err != nil {
		return nil, err
	}
	// Verification runs while the tree is written and flushed (disk time, mostly
	// waiting), and the swap waits for it: only a verified tree is published, and
	// one that fails is removed unseen. An up-to-date folder is left as it is, but
	// the build still fails if its outputs do not verify.
	verified := make(chan error, 1)
	go func() { verified <- p.verifyOutputs(ctx, c, res, files) }()
	var verr error
	waited := false
	wait := func() error {
		if !waited {
			verr, waited = <-verified, true
		}
		return verr
	}
	same, err := p.publishWith(files, wait)
	if verr := wait(); verr != nil {
		return nil, verr
	}
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", p.opts.Out, err)
	}
	if same {
		p.recordUpToDate(files)
	}
	return &Result{Out: p.opts.Out, Stages: res, Verify: p.verified, UpToDate: same, Files: len(files)}, nil
}

// buildFiles runs one configuration and renders and verifies its output files.
func (p *Project) buildFiles(ctx context.Context, c *Configuration) (*stages.Result, []outputs.File, error) {
	res, files, err := p.runFiles(ctx, c)
	if err == nil {
		err = p.verifyOutputs(ctx, c, res, files)
	}
	return res, files, err
}

// runFiles runs one configuration and renders its output files, unverified.
func (p *Project) runFiles(ctx context.Context, c *Configuration) (*stages.Result, []outputs.File, error) {
	if on := p.opts.OnStage; on != nil {
		id := c.Config.DeviceID
		c.runner.OnDone = func(st string, status stages.Status) { on(id, st, status) }
	}
	res, err := c.runner.Run(ctx, c.Plan.Graph)
	if err != nil {
		return nil, nil, err
	}
	bundle, err := c.Plan.Bundle(res, p.bundle)
	if err != nil {
		return nil, nil, err
	}
	files, err := outputs.Files(bundle)
	return res, files, err
}

func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
