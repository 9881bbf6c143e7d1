// Package action_test runs the GitHub Action's scripts (action.yml calls them) as a
// runner would: with GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, GITHUB_PATH and RUNNER_TEMP set
// to files and folders of the test, in a git repository holding an example.
package action_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/espcompose/espcompose/internal/testfs"
)

type runner struct {
	temp, summary, output, path string
}

func newRunner(t *testing.T) *runner {
	t.Helper()
	d := t.TempDir()
	r := &runner{temp: filepath.Join(d, "runner-temp"), summary: filepath.Join(d, "step-summary.md"),
		output: filepath.Join(d, "github-output"), path: filepath.Join(d, "github-path")}
	_ = os.MkdirAll(r.temp, 0o755)
	for _, f := range []string{r.summary, r.output, r.path} {
		_ = os.WriteFile(f, nil, 0o644)
	}
	return r
}

func (r *runner) env(extra ...string) []string {
	goBin := filepath.Join(runtime.GOROOT(), "bin")
	env := []string{"PATH=" + goBin + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"GOPATH=" + os.Getenv("GOPATH"), "GOCACHE=" + os.Getenv("GOCACHE"), "GOMODCACHE=" + os.Getenv("GOMODCACHE"),
		"GOFLAGS=" + os.Getenv("GOFLAGS"), "GOPROXY=" + os.Getenv("GOPROXY"),
		"RUNNER_TEMP=" + r.temp, "GITHUB_STEP_SUMMARY=" + r.summary, "GITHUB_OUTPUT=" + r.output, "GITHUB_PATH=" + r.path,
		"GITHUB_ACTIONS=true"}
	if env[3] == "GOCACHE=" {
		if c, err := exec.Command(filepath.Join(goBin, "go"), "env", "GOCACHE").Output(); err == nil {
			env[3] = "GOCACHE=" + strings.TrimSpace(string(c))
		}
	}
	return append(env, extra...)
}

func (r *runner) read(t *testing.T, f string) string {
	t.Helper()
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// script runs one of the action's scripts in dir; it returns the exit code and output.
func script(t *testing.T, r *runner, dir, name string, env ...string) (int, string) {
	t.Helper()
	abs, _ := filepath.Abs(name)
	cmd := exec.Command("bash", abs)
	cmd.Dir = dir
	cmd.Env = r.env(env...)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

var (
	installOnce sync.Once
	installed   string
	installLog  string
	installTmp  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if installTmp != "" {
		_ = os.RemoveAll(installTmp)
	}
	os.Exit(code)
}

// espcompose installs espcompose with install.sh once, as the action's first step
// does, from this checkout at the ref "v0.0.0-action-test".
func espcompose(t *testing.T) string {
	t.Helper()
	installOnce.Do(func() {
		installTmp, _ = os.MkdirTemp("", "action-install-")
		r := &runner{temp: installTmp, summary: filepath.Join(installTmp, "s"), output: filepath.Join(installTmp, "o"), path: filepath.Join(installTmp, "p")}
		root, _ := filepath.Abs("../..")
		code, out := script(t, r, installTmp, "install.sh", "ACTION_PATH="+root, "ACTION_REF=v0.0.0-action-test")
		installLog = out
		if code != 0 {
			return
		}
		o, _ := os.ReadFile(r.output)
		p, _ := os.ReadFile(r.path)
		bin := strings.TrimPrefix(strings.TrimSpace(string(o)), "bin=")
		if strings.TrimSpace(string(p)) == filepath.Dir(bin) && strings.Contains(out, "espcompose v0.0.0-action-test") {
			installed = bin
		} else {
			installLog += "\nGITHUB_OUTPUT: " + string(o) + "\nGITHUB_PATH: " + string(p)
		}
	})
	if installed == "" {
		t.Fatalf("install.sh:\n%s", installLog)
	}
	return installed
}

func needTools(t *testing.T, names ...string) {
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s missing with CI=true", n)
			}
			t.Skipf("%s not installed", n)
		}
	}
}

func TestInstallPinsTheActionRef(t *testing.T) {
	needTools(t, "bash", "git")
	bin := espcompose(t)
	out, err := exec.Command(bin, "version").Output()
	if err != nil || strings.TrimSpace(string(out)) != "espcompose v0.0.0-action-test" {
		t.Fatalf("installed binary reports %q, %v", out, err)
	}
}

func example(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	testfs.ToDir(t, filepath.Join("..", "..", "examples", name), dir)
	return dir
}

func TestBuildAppendsSummaryAndOutputs(t *testing.T) {
	needTools(t, "bash", "python3", "git")
	bin := espcompose(t)
	r := newRunner(t)
	repo := example(t, "quickstart")
	_ = os.WriteFile(r.summary, []byte("earlier step\n"), 0o644)
	code, out := script(t, r, repo, "build.sh", "ESPCOMPOSE="+bin, "INPUT_VARS=\n  app_version=1.0.0  \n", "INPUT_ARGS=--no-verify")
	if code != 0 {
		t.Fatalf("build.sh: %d\n%s", code, out)
	}
	merged, err := os.ReadFile(filepath.Join(repo, "dist", "quickstart-factory.bin"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(merged)
	// espcompose writes dist/summary.md itself; the step appends it as it is.
	own, err := os.ReadFile(filepath.Join(repo, "dist", "summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	if s := r.read(t, r.summary); s != "earlier step\n"+string(own) || !strings.Contains(s, hex.EncodeToString(sum[:])) {
		t.Errorf("step summary is not the earlier step then dist/summary.md naming the merged image's sha256:\n%s", s)
	}
	// summary.py, the fallback for a folder without summary.md, describes the same build.
	pyScript, _ := filepath.Abs("summary.py")
	py := exec.Command("python3", pyScript, "dist")
	py.Dir = repo
	fallback, err := py.Output()
	if err != nil {
		t.Fatalf("summary.py: %v", err)
	}
	for _, want := range []string{"### espcompose build: `dist`", "**esp32c3**, 4MB flash",
		"| 0x8000 | 0x1000 | partition-table | table | no | no | generated |",
		"| `quickstart-factory.bin` | " + strconv.Itoa(len(merged)) + " | `" + hex.EncodeToString(sum[:]) + "` |"} {
		if !strings.Contains(string(fallback), want) {
			t.Errorf("summary.py's summary lacks %q:\n%s", want, fallback)
		}
	}
	o := r.read(t, r.output)
	if !strings.Contains(o, "out=dist\n") || !strings.Contains(o, "summary="+filepath.Join(r.temp, "espcompose-summary.md")+"\n") {
		t.Errorf("GITHUB_OUTPUT: %q", o)
	}
	if !strings.Contains(out, "::group::espcompose build -f espcompose.hcl -o dist --var=app_version=1.0.0 --no-verify") {
		t.Errorf("build arguments: %s", out)
	}
}

func TestBuildFailureGoesToTheSummary(t *testing.T) {
	needTools(t, "bash", "python3")
	bin := espcompose(t)
	r := newRunner(t)
	repo := example(t, "quickstart")
	code, out := script(t, r, repo, "build.sh", "ESPCOMPOSE="+bin, "INPUT_VARS=app_version=9.9.9")
	if code != 2 { // espcompose's exit code for a manifest the user must fix
		t.Fatalf("want exit 2 from a build refusing its manifest, got %d\n%s", code, out)
	}
	s := r.read(t, r.summary)
	if !strings.Contains(s, "### espcompose build failed (exit 2)") || !strings.Contains(s, "9.9.9") {
		t.Errorf("summary: %s", s)
	}
	if !strings.Contains(out, "::error file=espcompose.hcl::espcompose build failed") {
		t.Errorf("no error annotation: %s", out)
	}
	if strings.Contains(r.read(t, r.output), "out=") {
		t.Error("a failed build set outputs")
	}
}

// espcompose's own dist/summary.md, when it writes one, is used as it is.
func TestBuildPrefersTheBuildsSummary(t *testing.T) {
	needTools(t, "bash")
	r := newRunner(t)
	dir := t.TempDir()
	fake := filepath.Join(dir, "espcompose")
	_ = os.WriteFile(fake, []byte("#!/bin/sh\nmkdir -p dist && printf '## summary written by espcompose\\n' > dist/summary.md\n"), 0o755)
	if code, out := script(t, r, dir, "build.sh", "ESPCOMPOSE="+fake); code != 0 {
		t.Fatalf("%d %s", code, out)
	}
	if s := r.read(t, r.summary); s != "## summary written by espcompose\n" {
		t.Fatalf("summary %q", s)
	}
}

func gitRepo(t *testing.T, dir string) func(args ...string) {
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-qm", "base")
	return git
}

// diff.sh builds the base ref in a worktree and hands both builds to `espcompose diff`.
// Checked with a stand-in espcompose whose diff records its arguments (the real one's
// build does the building).
func TestDiffBuildsTheBaseAndCallsDiff(t *testing.T) {
	needTools(t, "bash", "python3", "git")
	bin := espcompose(t)
	r := newRunner(t)
	repo := example(t, "quickstart")
	git := gitRepo(t, repo)
	src, _ := os.ReadFile(filepath.Join(repo, "espcompose.hcl"))
	_ = os.WriteFile(filepath.Join(repo, "espcompose.hcl"), []byte(strings.Replace(string(src), `size    = "896K"`, `size    = "512K"`, 1)), 0o644)
	git("commit", "-qam", "head")

	dir := t.TempDir()
	log := filepath.Join(dir, "diff-args")
	fake := filepath.Join(dir, "espcompose")
	_ = os.WriteFile(fake, []byte("#!/bin/sh\nif [ \"$1\" = diff ]; then\n  [ \"$2\" = --help ] && exit 0\n  echo \"$@\" > "+log+"\n  echo '| storage | 896K | 512K |'\n  exit 1\nfi\nexec "+bin+" \"$@\"\n"), 0o755)

	if code, out := script(t, r, repo, "build.sh", "ESPCOMPOSE="+fake); code != 0 {
		t.Fatalf("build.sh: %d %s", code, out)
	}
	code, out := script(t, r, repo, "diff.sh", "ESPCOMPOSE="+fake, "INPUT_DIFF_BASE=HEAD~1")
	if code != 0 {
		t.Fatalf("diff.sh: %d\n%s", code, out)
	}
	baseOut := filepath.Join(r.temp, "espcompose-base-dist")
	if got := strings.TrimSpace(r.read(t, log)); got != "diff "+baseOut+" dist --format markdown" {
		t.Fatalf("diff called as %q", got)
	}
	// The base build is the base commit's manifest: its storage partition is 896K.
	bj := r.read(t, filepath.Join(baseOut, "build.json"))
	if !strings.Contains(bj, `"name": "storage", "offset": "0x110000", "size": "0xe0000"`) && !strings.Contains(bj, `"size": "0xe0000"`) {
		t.Errorf("the base build is not the base manifest's:\n%.600s", bj)
	}
	if s := r.read(t, r.summary); !strings.Contains(s, "### Changes against HEAD~1\n\n| storage | 896K | 512K |") {
		t.Errorf("summary:\n%s", s)
	}
	if o := r.read(t, r.output); !strings.Contains(o, "diff="+filepath.Join(r.temp, "espcompose-diff.md")) {
		t.Errorf("GITHUB_OUTPUT %q", o)
	}
	wt, _ := exec.Command("git", "-C", repo, "worktree", "list").Output()
	if strings.Count(strings.TrimSpace(string(wt)), "\n") != 0 {
		t.Errorf("the base worktree was left behind:\n%s", wt)
	}
}

// Without a diff command, diff.sh fails and says why.
func TestDiffWithoutDiffCommand(t *testing.T) {
	needTools(t, "bash", "git")
	r := newRunner(t)
	dir := t.TempDir()
	fake := filepath.Join(dir, "espcompose")
	_ = os.WriteFile(fake, []byte("#!/bin/sh\n[ \"$1\" = version ] && { echo espcompose old; exit 0; }\necho \"unknown command $1\" >&2; exit 2\n"), 0o755)
	repo := example(t, "quickstart")
	gitRepo(t, repo)
	code, out := script(t, r, repo, "diff.sh", "ESPCOMPOSE="+fake, "INPUT_DIFF_BASE=HEAD")
	if code != 1 || !strings.Contains(out, "this espcompose (espcompose old) has no 'diff' command") {
		t.Fatalf("%d %s", code, out)
	}
}

// action.yml runs these scripts and gives each the INPUT_* variables it reads.
func TestActionYAMLWiresTheScripts(t *testing.T) {
	y, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	action := string(y)
	for _, name := range []string{"install.sh", "build.sh", "diff.sh"} {
		if !strings.Contains(action, `run: '"$GITHUB_ACTION_PATH/scripts/action/`+name+`"'`) {
			t.Errorf("action.yml does not run %s", name)
		}
		st, err := os.Stat(name)
		if err != nil || st.Mode()&0o111 == 0 {
			t.Errorf("%s is missing or not executable", name)
		}
		src, _ := os.ReadFile(name)
		for _, v := range regexp.MustCompile(`INPUT_[A-Z_]+`).FindAllString(string(src), -1) {
			if !strings.Contains(action, v+": ${{ inputs.") {
				t.Errorf("%s reads %s, which action.yml never sets", name, v)
			}
		}
	}
	for _, pin := range []string{"uses: actions/setup-go@v5", "uses: actions/upload-artifact@v4"} {
		if !strings.Contains(action, pin) {
			t.Errorf("action.yml lacks %q", pin)
		}
	}
}
