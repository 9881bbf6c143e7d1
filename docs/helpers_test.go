// Package docs_test checks that the documentation works as written: the commands in
// every example's README run, the install story holds, the migration guide's
// manifests validate. They run the real binary, built once by TestMain.
package docs_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
)

const root = ".."

// cliBin is the espcompose binary built for these tests ("" when it could not be).
var cliBin, cliErr = "", error(nil)

func TestMain(m *testing.M) {
	code := func() int {
		dir, err := os.MkdirTemp("", "espcompose-docs-")
		if err != nil {
			cliErr = err
			return m.Run()
		}
		defer os.RemoveAll(dir)
		bin := filepath.Join(dir, "bin", "espcompose")
		// -trimpath: the fresh-checkout tests build the same packages from another
		// folder, and only then does the build cache serve them.
		cmd := exec.Command(goTool(), "build", "-trimpath", "-o", bin, "./cmd/espcompose")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			cliErr = fmt.Errorf("go build: %v\n%s", err, out)
		} else {
			cliBin = bin
		}
		return m.Run()
	}()
	os.Exit(code)
}

// cli returns the built binary or fails the test.
func cli(t *testing.T) string {
	t.Helper()
	if cliBin == "" {
		t.Fatalf("no espcompose binary: %v", cliErr)
	}
	return cliBin
}

// goTool is the go command that runs these tests.
func goTool() string {
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	return "go"
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// copyDir copies src into a new temporary folder and returns it.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// baseEnv is a clean environment: no espcompose on PATH unless binDir is given, no
// ESPCOMPOSE, nothing of the test runner's own that a reader would not have.
func baseEnv(t *testing.T, binDir string) []string {
	path := "/usr/local/bin:/usr/bin:/bin"
	if binDir != "" {
		path = binDir + ":" + path
	}
	env := []string{"PATH=" + path, "HOME=" + t.TempDir(), "LANG=C.UTF-8", "NO_COLOR=1"}
	if v, ok := os.LookupEnv("TMPDIR"); ok {
		env = append(env, "TMPDIR="+v)
	}
	// HOME is new, so Go would not find its settings file or caches there: name
	// them, so a go command run by a test reuses this machine's build and module
	// caches and proxy (speed only; a fresh machine fills its own).
	return append(env, goEnv(t)...)
}

var goEnvOnce struct {
	sync.Once
	env []string
	err error
}

// goEnv is this machine's Go settings that a new HOME would lose.
func goEnv(t *testing.T) []string {
	goEnvOnce.Do(func() {
		out, err := exec.Command(goTool(), "env", "-json", "GOCACHE", "GOMODCACHE", "GOPATH", "GOPROXY", "GOSUMDB", "GONOSUMDB", "GOPRIVATE", "GOFLAGS", "GOTOOLCHAIN").Output()
		if err != nil {
			goEnvOnce.err = err
			return
		}
		var m map[string]string
		if goEnvOnce.err = json.Unmarshal(out, &m); goEnvOnce.err != nil {
			return
		}
		for k, v := range m {
			if v != "" {
				goEnvOnce.env = append(goEnvOnce.env, k+"="+v)
			}
		}
		sort.Strings(goEnvOnce.env)
	})
	if goEnvOnce.err != nil {
		t.Fatalf("go env: %v", goEnvOnce.err)
	}
	return goEnvOnce.env
}

// block is one fenced code block of a markdown file.
type block struct {
	file   string
	line   int    // line of the opening fence
	lang   string // the info string's first word
	marker string // the HTML comment on the line before the fence, if any
	body   []string
	starts []int // line number of each body line
}

// codeBlocks reads the fenced code blocks of a markdown file.
func codeBlocks(t *testing.T, path string) []block {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []block
	var cur *block
	prev := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case cur == nil && strings.HasPrefix(trimmed, "```"):
			lang, _, _ := strings.Cut(strings.TrimPrefix(trimmed, "```"), " ")
			cur = &block{file: path, line: n, lang: lang}
			if strings.HasPrefix(prev, "<!--") {
				cur.marker = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(prev, "<!--"), "-->"))
			}
		case cur != nil && trimmed == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.body = append(cur.body, line)
			cur.starts = append(cur.starts, n)
		}
		prev = trimmed
	}
	if cur != nil {
		t.Fatalf("%s:%d: code block never closed", path, cur.line)
	}
	return out
}

// command is one shell command of a README, with the exit code its comment promises.
type command struct {
	line int
	text string
	exit int
}

var exitComment = regexp.MustCompile(`#.*\bexit (\d+)\b`)

// commands splits a sh block into commands: one per line, a trailing backslash
// continuing it; comment-only and blank lines are skipped. A comment saying
// "exit N" sets the expected exit code (0 otherwise).
func commands(b block) []command {
	var out []command
	var cur *command
	for i, l := range b.body {
		trimmed := strings.TrimSpace(l)
		if cur == nil && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if cur == nil {
			cur = &command{line: b.starts[i]}
		}
		if strings.HasSuffix(trimmed, "\\") {
			cur.text += strings.TrimSuffix(trimmed, "\\") + " "
			continue
		}
		cur.text += trimmed
		if m := exitComment.FindStringSubmatch(trimmed); m != nil {
			fmt.Sscan(m[1], &cur.exit)
		}
		out = append(out, *cur)
		cur = nil
	}
	return out
}

// run runs a shell command line in dir with env and returns its exit code and output.
func run(t *testing.T, dir string, env []string, line string) (int, string) {
	t.Helper()
	cmd := exec.Command("sh", "-c", line)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		}
		t.Fatalf("%s: %v", line, err)
	}
	return 0, string(out)
}
