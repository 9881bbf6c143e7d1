package main

import (
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/fsutil"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// espcomposeBinary builds the real command once per test run, so crash tests can kill
// a separate process the way a power cut or an OOM killer would.
func espcomposeBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and kills real processes")
	}
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "espcompose-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "espcompose")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = errors.New(string(out))
		}
	})
	if binErr != nil {
		t.Fatalf("go build: %v", binErr)
	}
	return binPath
}

// killProject is quickstart with two variants whose builds differ in every image
// header: flash_freq 80m (variant "old") and 40m ("new").
type killProject struct {
	t        *testing.T
	bin, dir string
	refs     map[string]map[string]string // variant -> tree of a clean build
}

func newKillProject(t *testing.T) *killProject {
	bin := espcomposeBinary(t)
	dir := t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "quickstart"), filepath.Join(dir, "p"))
	kp := &killProject{t: t, bin: bin, dir: dir, refs: map[string]map[string]string{}}
	for _, v := range []string{"old", "new"} {
		ref := filepath.Join(dir, "ref-"+v)
		if out, err := kp.cmd(v, ref, "").CombinedOutput(); err != nil {
			t.Fatalf("reference build %s: %v\n%s", v, err, out)
		}
		kp.refs[v] = treeState(t, ref)
	}
	return kp
}

func (kp *killProject) manifest(variant string) string {
	p := filepath.Join(kp.dir, "p", variant+".hcl")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	src := mustRead(kp.t, filepath.Join(kp.dir, "p", "espcompose.hcl"))
	s := string(src)
	if variant == "new" {
		s = strings.Replace(s, `flash_freq = "80m"`, `flash_freq = "40m"`, 1)
		if s == string(src) {
			kp.t.Fatal("quickstart has no flash_freq = \"80m\" to vary")
		}
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		kp.t.Fatal(err)
	}
	return p
}

func (kp *killProject) cmd(variant, out, crashAt string) *exec.Cmd {
	c := exec.Command(kp.bin, "build", "-f", kp.manifest(variant), "-o", out)
	c.Dir = kp.dir
	c.Env = append(os.Environ(), crashEnv+"="+crashAt)
	return c
}

// which says which reference build dist holds, or fails the test if it holds
// anything else (a mix, a partial tree, nothing).
func (kp *killProject) which(dist string) string {
	kp.t.Helper()
	got := treeState(kp.t, dist)
	for v, ref := range kp.refs {
		if sameState(got, ref) {
			return v
		}
	}
	kp.t.Fatalf("%s holds neither complete build: %v", dist, got)
	return ""
}

func sameState(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// clean asserts nothing of an interrupted build is left: no temporary or aside
// folders beside dist, no temporary files in the cache.
func (kp *killProject) clean(dist string) {
	kp.t.Helper()
	if left, err := fsutil.Leftovers(afero.NewOsFs(), dist); err != nil || len(left) > 0 {
		var inside []string
		for _, l := range left {
			_ = filepath.WalkDir(l, func(p string, d os.DirEntry, err error) error {
				inside = append(inside, p)
				return nil
			})
		}
		kp.t.Fatalf("leftovers beside %s: %v %v; they hold %v", dist, left, err, inside)
	}
	_ = filepath.WalkDir(filepath.Join(kp.dir, "p", ".espcompose"), func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".tmp-") {
			kp.t.Errorf("cache temp file left: %s", p)
		}
		return nil
	})
}

func killed(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

// TestKillAtPublishSteps kills a build at each step of the publish: before the swap the
// old output is intact, after it the new one is complete, and the next build cleans
// up and reproduces the same bytes as a build that was never interrupted.
func TestKillAtPublishSteps(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the exchange steps are Linux's; fsutil tests the fallback")
	}
	kp := newKillProject(t)
	dist := filepath.Join(kp.dir, "dist")
	for _, step := range []struct{ at, holds string }{{"written", "old"}, {"swapped", "new"}} {
		if out, err := kp.cmd("old", dist, "").CombinedOutput(); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		err := kp.cmd("new", dist, step.at).Run()
		if !killed(err) {
			t.Fatalf("%s: build was not killed: %v", step.at, err)
		}
		if got := kp.which(dist); got != step.holds {
			t.Fatalf("killed at %s: dist holds the %s build, want %s", step.at, got, step.holds)
		}
		if left, _ := fsutil.Leftovers(afero.NewOsFs(), dist); len(left) != 1 {
			t.Fatalf("killed at %s: want the one temporary folder left, got %v", step.at, left)
		}
		if out, err := kp.cmd("new", dist, "").CombinedOutput(); err != nil {
			t.Fatalf("build after the kill: %v\n%s", err, out)
		}
		if kp.which(dist) != "new" {
			t.Fatal("rebuild differs from an uninterrupted build")
		}
		kp.clean(dist)
	}
}

// TestKillAtRandomPoints SIGKILLs builds at random instants (stages, cache writes,
// publish). Whatever the instant, dist holds one complete build, and the next build
// cleans up and reproduces the uninterrupted bytes.
func TestKillAtRandomPoints(t *testing.T) {
	kp := newKillProject(t)
	dist := filepath.Join(kp.dir, "dist")
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	// How long a whole cold build takes here bounds the kill instants; some builds
	// get to finish.
	_ = os.RemoveAll(filepath.Join(kp.dir, "p", ".espcompose"))
	start := time.Now()
	if out, err := kp.cmd("old", dist, "").CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	span := time.Since(start)
	variant := "old"
	kills := 0
	for i := 0; i < 12; i++ {
		next := map[string]string{"old": "new", "new": "old"}[variant]
		_ = os.RemoveAll(filepath.Join(kp.dir, "p", ".espcompose")) // make every stage run and write the cache
		c := kp.cmd(next, dist, "")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Int64N(int64(span)*3/2 + 1)))
		_ = c.Process.Kill()
		err := c.Wait()
		if killed(err) {
			kills++
		} else if err != nil {
			t.Fatalf("build failed on its own: %v", err)
		}
		got := kp.which(dist)
		if got != variant && got != next {
			t.Fatalf("dist holds %s", got)
		}
		if out, err := kp.cmd(next, dist, "").CombinedOutput(); err != nil {
			t.Fatalf("build after a kill: %v\n%s", err, out)
		}
		if kp.which(dist) != next {
			t.Fatal("rebuild differs from an uninterrupted build")
		}
		kp.clean(dist)
		variant = next
	}
	t.Logf("%d of 12 builds were killed mid-way", kills)
}

// TestConcurrentBuildsOneFolder: six builds into one folder at once take turns on the
// output lock; all succeed and the folder holds one complete build.
func TestConcurrentBuildsOneFolder(t *testing.T) {
	kp := newKillProject(t)
	dist := filepath.Join(kp.dir, "dist")
	var wg sync.WaitGroup
	outs := make([][]byte, 6)
	errs := make([]error, 6)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = kp.cmd([]string{"old", "new"}[i%2], dist, "").CombinedOutput()
		}()
	}
	wg.Wait()
	for i := range errs {
		if errs[i] != nil {
			t.Errorf("build %d: %v\n%s", i, errs[i], outs[i])
		}
	}
	kp.which(dist)
	kp.clean(dist)
}
