package compose

import (
	"errors"
	"fmt"
	"strings"

	"github.com/espcompose/espcompose/internal/fsutil"
	"github.com/espcompose/espcompose/internal/guard"
	"github.com/espcompose/espcompose/outputs"
)

// protected lists what a build must never replace, delete or bury: the project
// folder, every key file the manifest names (made yet or not), every file and folder
// read while loading and planning, and the signatures folder.
func (p *Project) protected(rec *fsutil.ReadRecorder) guard.Protected {
	var g guard.Protected
	g.AddRoots("the manifest's folder", p.dir)
	for _, c := range p.Configs {
		for _, k := range c.Config.Keys {
			g.AddFiles("key file", k.File, k.PublicKey)
		}
	}
	g.FromRecorder(rec)
	g.AddDirs("the signatures folder", p.opts.Signatures)
	return g
}

// checkPaths refuses an output or cache directory that would destroy or swallow
// something espcompose did not make. It runs for validate and plan too: a build
// would refuse the same paths.
func (p *Project) checkPaths(rec *fsutil.ReadRecorder) error {
	g := p.protected(rec)
	cache := p.cacheDir()
	if p.opts.Out == "" {
		// No output tree (sign-request writes one file and guards it itself).
		return guard.CheckDir(p.fs, cache, "cache directory", g)
	}
	forOut := g
	forOut.AddDirs("the stage cache", cache)
	if err := guard.CheckDir(p.fs, p.opts.Out, "output directory", forOut); err != nil {
		return err
	}
	if p.Devices() {
		// A device batch's tree: its own marker, a marker per device (batch_publish.go).
		if err := checkBatchOut(p.fs, p.opts.Out); err != nil {
			return err
		}
	} else if err := outputs.CheckOwned(p.fs, p.opts.Out); err != nil {
		return err
	}
	forCache := g
	forCache.AddDirs("the output directory", p.opts.Out)
	return guard.CheckDir(p.fs, cache, "cache directory", forCache)
}

// publishOptions wires the output lock's callbacks and the crash hook.
func (p *Project) publishOptions() outputs.PublishOptions {
	opts := outputs.PublishOptions{
		LockTimeout: p.opts.LockTimeout,
		OnWait:      p.opts.OnWait,
		OnRecovered: p.opts.OnRecovered,
		Hook:        p.opts.CrashHook,
	}
	if opts.OnRecovered == nil {
		opts.OnRecovered = func(paths []string) {
			p.log.Infof("removed what an interrupted build left: %s", strings.Join(paths, ", "))
		}
	}
	return opts
}

// publish swaps the output tree in, or leaves it when it already holds exactly these
// files (upToDate); a refusal keeps its own message (and exit code).
func (p *Project) publish(files []outputs.File) (upToDate bool, err error) {
	return p.publishWith(files, nil)
}

// publishWith is publish whose swap first waits for ready (see outputs.PublishOptions).
func (p *Project) publishWith(files []outputs.File, ready func() error) (upToDate bool, err error) {
	opts := p.publishOptions()
	opts.Ready = ready
	upToDate, err = outputs.PublishChanged(p.fs, p.opts.Out, files, opts)
	var ge *guard.Error
	if err != nil && !errors.As(err, &ge) {
		return false, fmt.Errorf("write %s: %w", p.opts.Out, err)
	}
	return upToDate, err
}
