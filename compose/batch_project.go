package compose

import (
	"bytes"
	"context"
	"path/filepath"
	"sort"
	"sync"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/stages"
)

// buildBatch is Build for a manifest with a devices block: the same device batch
// `espcompose build` runs (RunBatch), so a Go program that loaded the project gets
// the same tree, and the same incremental rebuilds, as the command line.
func (p *Project) buildBatch(ctx context.Context) (*Result, error) {
	merged := map[string][]string{}
	for _, c := range p.Configs {
		for _, m := range c.Plan.Merged {
			merged[c.Config.DeviceID] = append(merged[c.Config.DeviceID], "devices/"+c.Config.DeviceID+"/"+m.File)
		}
	}
	var (
		mu   sync.Mutex
		devs []DeviceResult
		rows = map[string]int{}
	)
	// p.opts.FS, not the recorder Load read through: the batch protects its inputs
	// itself, and 10,000 devices' reads would only pile up in the recorder.
	opts := p.opts
	res, err := RunBatch(ctx, opts, BatchOptions{OnProgress: func(pr BatchProgress) {
		mu.Lock()
		defer mu.Unlock()
		status := pr.Stages
		if status == nil {
			status = map[string]stages.Status{} // up to date: nothing ran
		}
		devs = append(devs, DeviceResult{ID: pr.ID, Result: &stages.Result{Status: status}, Merged: merged[pr.ID]})
		rows[pr.ID] = pr.Row
		p.verified.Checks = append(p.verified.Checks, pr.Checks...)
	}})
	if err != nil {
		return nil, err
	}
	sort.Slice(devs, func(i, j int) bool { return rows[devs[i].ID] < rows[devs[j].ID] })
	p.verified.Skipped = res.VerifySkipped
	files := 0
	if sums, err := afero.ReadFile(p.fs, filepath.Join(p.opts.Out, sumsName)); err == nil {
		files = bytes.Count(sums, []byte("\n")) + 1 // and SHA256SUMS itself
	}
	return &Result{Out: p.opts.Out, Devices: devs, Verify: p.verified, UpToDate: res.UpToDate, Files: files}, nil
}
