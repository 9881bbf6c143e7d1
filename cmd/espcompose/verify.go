package main

import (
	"context"
	"time"

	"github.com/espcompose/espcompose/outputs"
	"github.com/espcompose/espcompose/stages"
	"github.com/espcompose/espcompose/verify"
)

// verifySummary is what build --json reports about verification.
type verifySummary struct {
	Skipped bool           `json:"skipped"`
	Checks  []verify.Check `json:"checks"`
}

// verifyBuild reads one session's rendered outputs back with the decoders before
// anything is published (build --no-verify skips it). Each check goes to the -v log
// and to build --json; a failed check fails the build with exit 1 and leaves the old
// output untouched, because publishing happens only after every session verified.
func (a *app) verifyBuild(ctx context.Context, s *session, res *stages.Result, files []outputs.File) error {
	if a.noVerify {
		a.verified.Skipped = true
		a.log.Debugf("verify: skipped (--no-verify)")
		return nil
	}
	start := time.Now()
	rep, err := verify.Build(ctx, verify.Input{Plan: s.plan, Result: res, Files: files, Keys: s.keys, Signers: s.env.Signers})
	if rep == nil {
		return err
	}
	prefix := ""
	if s.cfg.DeviceID != "" {
		prefix = s.cfg.DeviceID + ": "
	}
	for _, c := range rep.Checks {
		a.log.Debugf("verify: %s%s", prefix, c)
		c.Subject = prefix + c.Subject
		a.verified.Checks = append(a.verified.Checks, c)
	}
	a.log.Debugf("verify: %s%d checks, %d failed, in %s", prefix, len(rep.Checks), len(rep.Failures()), time.Since(start).Round(time.Microsecond))
	return err
}
