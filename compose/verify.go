package compose

import (
	"context"
	"time"

	"github.com/espcompose/espcompose/outputs"
	"github.com/espcompose/espcompose/stages"
	"github.com/espcompose/espcompose/verify"
)

// VerifySummary is what verification checked (build --json reports it).
type VerifySummary struct {
	Skipped bool           `json:"skipped"`
	Checks  []verify.Check `json:"checks"`
}

// verify reads one configuration's rendered outputs back with the decoders before
// anything is published (Options.NoVerify skips it). Each check goes to the debug log
// and to the summary; a failed check fails the build and leaves the old output
// untouched, because publishing happens only after every configuration verified.
func (p *Project) verifyOutputs(ctx context.Context, c *Configuration, res *stages.Result, files []outputs.File) error {
	if p.opts.NoVerify {
		p.verified.Skipped = true
		p.log.Debugf("verify: skipped (--no-verify)")
		return nil
	}
	start := time.Now()
	rep, err := verify.Build(ctx, verify.Input{Plan: c.Plan, Result: res, Files: files, Keys: c.keys, Signers: c.env.Signers, FS: c.env.FS})
	if rep == nil {
		return err
	}
	prefix := ""
	if c.Config.DeviceID != "" {
		prefix = c.Config.DeviceID + ": "
	}
	for _, ch := range rep.Checks {
		p.log.Debugf("verify: %s%s", prefix, ch)
		ch.Subject = prefix + ch.Subject
		p.verified.Checks = append(p.verified.Checks, ch)
	}
	p.log.Debugf("verify: %s%d checks, %d failed, in %s", prefix, len(rep.Checks), len(rep.Failures()), time.Since(start).Round(time.Microsecond))
	return err
}
