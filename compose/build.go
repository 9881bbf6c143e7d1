package compose

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

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
// to Options.Out in one swap: the manifest's files, or devices/<id>/ per device with
// devices.json and one SHA256SUMS. Nothing is published unless everything verified.
// Call it at most once per Load, before Close.
func (p *Project) Build(ctx context.Context) (*Result, error) {
	if p.opts.Out == "" {
		return nil, errors.New("compose: Build needs Options.Out")
	}
	p.verified = VerifySummary{}
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
	if p.Devices() {
		devs, n, same, err := p.buildDevices(ctx)
		if err != nil {
			return nil, err
		}
		return &Result{Out: p.opts.Out, Devices: devs, Verify: p.verified, UpToDate: same, Files: n}, nil
	}
	c := p.Configs[0]
	res, files, err := p.buildFiles(ctx, c)
	if err != nil {
		return nil, err
	}
	same, err := p.publish(files)
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
	if err == nil {
		err = p.verifyOutputs(ctx, c, res, files)
	}
	return res, files, err
}

// buildDevices builds every device into devices/<id>/ of one output tree, published
// at once. Devices build one after another over a shared cache, so whatever does not
// depend on device.* (bootloader, apps, signatures, tables) is computed for the first
// device and reused by the others. It returns how many files the tree holds and
// whether it was already up to date.
func (p *Project) buildDevices(ctx context.Context) (_ []DeviceResult, files int, upToDate bool, _ error) {
	var all []outputs.File
	var results []DeviceResult
	type indexEntry struct {
		ID     string `json:"id"`
		Dir    string `json:"dir"`
		Merged string `json:"merged"`
		SHA256 string `json:"sha256"`
	}
	var index []indexEntry
	for _, c := range p.Configs {
		id := c.Config.DeviceID
		res, files, err := p.buildFiles(ctx, c)
		// The next device reuses what this one put into the cache.
		c.runner.Wait()
		if err != nil {
			return nil, 0, false, fmt.Errorf("device %s: %w", id, err)
		}
		dr := DeviceResult{ID: id, Result: res}
		dir := "devices/" + id
		for _, m := range c.Plan.Merged {
			dr.Merged = append(dr.Merged, dir+"/"+m.File)
		}
		// The index names each device's merged image; match on the name the
		// configuration gave it, before it moves under the device's folder.
		found := false
		for _, f := range files {
			if len(c.Plan.Merged) > 0 && f.Name == c.Plan.Merged[0].File {
				index = append(index, indexEntry{ID: id, Dir: dir, Merged: dir + "/" + f.Name, SHA256: f.SHA256})
				found = true
			}
			f.Name = dir + "/" + f.Name
			all = append(all, f)
		}
		if !found {
			return nil, 0, false, fmt.Errorf("device %s: internal: no merged image among its outputs", id)
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
	same, err := p.publish(all)
	if err != nil {
		return nil, 0, false, err
	}
	if same {
		p.recordUpToDate(all)
	}
	return results, len(all), same, nil
}

func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
