package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/espcompose/espcompose/internal/fsutil"
	"github.com/espcompose/espcompose/internal/guard"
	"github.com/espcompose/espcompose/outputs"
)

// crashEnv names the fault-injection switch the kill tests use: the build SIGKILLs
// itself at that publish step ("written", "aside" or "swapped"). It exists so the
// crash guarantees are tested at the exact instants that matter, not by luck.
const crashEnv = "ESPCOMPOSE_TEST_CRASH_AT"

// cacheDir is where the stage cache lives for a manifest folder.
func (a *app) cacheDir(manifestDir string) string {
	if a.cache != "" {
		return a.cache
	}
	return filepath.Join(manifestDir, ".espcompose", "cache")
}

// protected lists what commands run on these sessions must never replace, delete or
// bury: the project folder, every key file the manifest names (made yet or not),
// every file and folder read while loading and planning, and the signatures folder.
func (a *app) protected(ss []*session, sigDir string) guard.Protected {
	var p guard.Protected
	p.AddRoots("the manifest's folder", ss[0].cfg.Dir)
	for _, s := range ss {
		for _, k := range s.cfg.Keys {
			p.AddFiles("key file", k.File, k.PublicKey)
		}
	}
	p.FromRecorder(a.rec)
	p.AddDirs("the signatures folder", sigDir)
	return p
}

// checkBuildPaths refuses an output or cache directory that would destroy or swallow
// something espcompose did not make. validate and plan run it too: a build would
// refuse the same paths.
func (a *app) checkBuildPaths(ss []*session, sigDir string) error {
	p := a.protected(ss, sigDir)
	cache := a.cacheDir(ss[0].cfg.Dir)
	if a.outIsFile {
		// -o names a file (sign-request): writeOutput guards it; only the cache is a folder.
		return guard.CheckDir(a.fs, cache, "cache directory", p)
	}
	forOut := p
	forOut.AddDirs("the stage cache", cache)
	if err := guard.CheckDir(a.fs, a.out, "output directory", forOut); err != nil {
		return err
	}
	if err := outputs.CheckOwned(a.fs, a.out); err != nil {
		return err
	}
	forCache := p
	forCache.AddDirs("the output directory", a.out)
	return guard.CheckDir(a.fs, cache, "cache directory", forCache)
}

// checkOutputFile is the guard for a low-level command's single output file: it must
// not be any file the command read (its input, a key) nor a private key.
func (a *app) checkOutputFile(path string) error {
	var p guard.Protected
	p.FromRecorder(a.rec)
	if a.inPlace != "" {
		// The one input a command may replace by design (sign, as espsecure signs in
		// place); the write is atomic, and the command's key files stay protected.
		keep := p.Files[:0]
		for _, f := range p.Files {
			if fsutil.Abs(f.Path) != fsutil.Abs(a.inPlace) {
				keep = append(keep, f)
			}
		}
		p.Files = keep
	}
	return guard.CheckFile(a.fs, path, p)
}

// publishOptions wires the output lock's messages and the crash-test hook.
func (a *app) publishOptions() outputs.PublishOptions {
	opts := outputs.PublishOptions{
		LockTimeout: a.lockTimeout,
		OnWait: func(pid int) {
			who := "another build"
			if pid > 0 {
				who = fmt.Sprintf("another build (pid %d)", pid)
			}
			fmt.Fprintf(a.stderr, "espcompose: %s is writing %s; waiting up to %s\n", who, a.out, a.lockTimeout)
		},
		OnRecovered: func(paths []string) {
			a.log.Infof("removed what an interrupted build left: %s", strings.Join(paths, ", "))
		},
	}
	if at := a.getenv(crashEnv); at != "" {
		opts.Hook = func(step string) {
			if step == at {
				p, _ := os.FindProcess(os.Getpid())
				_ = p.Kill()
				select {} // the signal is on its way; never continue the publish
			}
		}
	}
	return opts
}

// writeGuarded writes a low-level command's output file: checked by the guard, parent
// folders made as needed and removed again if the write fails, so a failed command
// leaves nothing behind. exclusive is for key files, which are never replaced.
func (a *app) writeGuarded(path string, data []byte, mode os.FileMode, exclusive bool) error {
	if err := a.checkOutputFile(path); err != nil {
		return err
	}
	created, err := fsutil.MkdirAllTracked(a.fs, filepath.Dir(path), 0o755)
	if err != nil {
		return err
	}
	if exclusive {
		err = fsutil.CreateExclusive(a.fs, path, data, mode)
	} else {
		err = fsutil.WriteFileAtomic(a.fs, path, data, mode)
	}
	if err != nil {
		fsutil.RemoveCreated(a.fs, created)
	}
	return err
}
