package docs_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const installCommand = "go install github.com/espcompose/espcompose/cmd/espcompose@latest"

// TestInstallIsDocumented: the README's go install line names this module's command.
func TestInstallIsDocumented(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), installCommand) {
		t.Fatalf("README.md does not say %q", installCommand)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	var mod string
	for _, l := range strings.Split(string(gomod), "\n") {
		if m, ok := strings.CutPrefix(strings.TrimSpace(l), "module "); ok {
			mod = strings.Trim(strings.TrimSpace(m), `"`)
		}
	}
	pkg := strings.TrimSuffix(strings.TrimPrefix(installCommand, "go install "), "@latest")
	if rel, ok := strings.CutPrefix(pkg, mod+"/"); !ok || !fileExists(filepath.Join(root, rel, "main.go")) {
		t.Fatalf("%s is not a command of module %s", pkg, mod)
	}
	// go install pkg@version refuses a main module whose go.mod replaces or excludes.
	for _, l := range strings.Split(string(gomod), "\n") {
		if f := strings.Fields(l); len(f) > 0 && (f[0] == "replace" || f[0] == "exclude") {
			t.Fatalf("go.mod: %q: go install ...@latest would refuse the module", l)
		}
	}
}

var versionLine = regexp.MustCompile(`^espcompose (\S+)\n$`)

// version runs bin version, checks --version and --json agree, and returns it.
func version(t *testing.T, bin string) string {
	t.Helper()
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatalf("%s version: %v", bin, err)
	}
	m := versionLine.FindSubmatch(out)
	if m == nil {
		t.Fatalf("version printed %q", out)
	}
	if flag, _ := exec.Command(bin, "--version").Output(); string(flag) != string(out) {
		t.Errorf("--version printed %q, version %q", flag, out)
	}
	raw, _ := exec.Command(bin, "version", "--json").Output()
	var doc struct{ Version string }
	if err := json.Unmarshal(raw, &doc); err != nil || doc.Version != string(m[1]) {
		t.Errorf("version --json printed %q (%v), want version %q", raw, err, m[1])
	}
	return string(m[1])
}

// TestVersionLinked: a version linked in with -X main.version wins over build info.
func TestVersionLinked(t *testing.T) {
	cli(t)
	bin := filepath.Join(t.TempDir(), "espcompose")
	cmd := exec.Command(goTool(), "build", "-trimpath", "-ldflags", "-X main.version=v9.8.7", "-o", bin, "./cmd/espcompose")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if v := version(t, bin); v != "v9.8.7" {
		t.Errorf("linked version: got %q", v)
	}

	// The version is recorded in the build record and the reports, and nowhere else:
	// the images of another version's build equal the golden ones.
	dir := copyDir(t, filepath.Join(root, "examples", "quickstart"))
	if code, out := run(t, dir, baseEnv(t, ""), bin+" build"); code != 0 {
		t.Fatalf("build: exit %d\n%s", code, out)
	}
	golden, _ := os.ReadFile(filepath.Join(dir, "golden.sha256sums"))
	sums, err := os.ReadFile(filepath.Join(dir, "dist", "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(sums), "build.json") {
		t.Fatalf("SHA256SUMS lists no build.json:\n%s", sums)
	}
	versioned := map[string]bool{"build.json": true, "sbom.cdx.json": true, "summary.md": true, "report.html": true}
	want := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(golden)), "\n") {
		want[l] = true
	}
	for _, l := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		_, name, _ := strings.Cut(l, "  ")
		if want[l] == versioned[name] {
			t.Errorf("version v9.8.7: %q %s the golden", l, map[bool]string{true: "equals", false: "differs from"}[want[l]])
		}
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "dist", "build.json")); !strings.Contains(string(data), `"v9.8.7"`) {
		t.Errorf("build.json does not record v9.8.7")
	}
}

// TestRemoteSigningOffPath: the built binary, run by its path with no espcompose on
// PATH and no ESPCOMPOSE, builds the example whose signer calls espcompose.
func TestRemoteSigningOffPath(t *testing.T) {
	bin := cli(t)
	dir := copyDir(t, filepath.Join(root, "examples", "remote-signing"))
	if code, out := run(t, dir, baseEnv(t, ""), bin+" build"); code != 0 {
		t.Fatalf("build: exit %d\n%s", code, out)
	}
}

// TestFreshCheckout makes a git checkout of this tree (what is committed and what is
// not yet, as it stands) and checks, as on a fresh machine with only Go:
//   - a build from the checkout names its VCS revision, and marks it dirty once a
//     file changes;
//   - the README's first command (scripts/build-example.sh, which uses go run)
//     builds quickstart, the factory image identical to the golden one;
//   - `go run` builds remote-signing with no espcompose on PATH (its signer calls
//     espcompose back).
func TestFreshCheckout(t *testing.T) {
	if testing.Short() {
		t.Skip("builds espcompose from a copy of the repository")
	}
	cli(t) // the module builds; the copy's build then comes from the cache
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git")
	}
	list := exec.Command(git, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	list.Dir = root
	names, err := list.Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	co := filepath.Join(t.TempDir(), "espcompose")
	for _, name := range strings.Split(strings.TrimRight(string(names), "\x00"), "\x00") {
		src := filepath.Join(root, name)
		st, err := os.Lstat(src)
		if err != nil || !st.Mode().IsRegular() {
			continue // deleted in the work tree, or a symlink
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(co, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, st.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	env := append(baseEnv(t, filepath.Dir(goTool())), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_NOSYSTEM=1")
	sh := func(line string) string {
		t.Helper()
		code, out := run(t, co, env, line)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", line, code, out)
		}
		return out
	}
	sh("git init -q && git add -A && git commit -q -m checkout")
	rev := strings.TrimSpace(sh("git rev-parse HEAD"))[:12]

	build := func() string {
		t.Helper()
		sh("go build -trimpath -buildvcs=true -o bin/espcompose ./cmd/espcompose")
		return version(t, filepath.Join(co, "bin", "espcompose"))
	}
	if v := build(); !strings.Contains(v, rev) || strings.Contains(v, "dirty") {
		t.Errorf("clean checkout at %s: version %q", rev, v)
	}
	if err := os.WriteFile(filepath.Join(co, "NOTES"), []byte("local change\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if v := build(); !strings.Contains(v, rev) || !strings.Contains(v, "dirty") {
		t.Errorf("modified checkout at %s: version %q", rev, v)
	}

	// The README's first command. -trimpath lets go run reuse the build cache.
	env = append(env, "GOFLAGS=-trimpath -buildvcs=false")
	out := sh("./scripts/build-example.sh")
	if !strings.Contains(out, "esptool.py") {
		t.Errorf("build-example.sh did not say how to flash:\n%s", out)
	}
	// Run again, as a user does: the build is up to date, and plan does not refuse
	// the folder the first run made.
	if again := sh("./scripts/build-example.sh"); !strings.Contains(again, "Up to date: dist/quickstart") {
		t.Errorf("build-example.sh run twice:\n%s", again)
	}
	golden, err := os.ReadFile(filepath.Join(co, "examples", "quickstart", "golden.sha256sums"))
	if err != nil {
		t.Fatal(err)
	}
	var line string
	for _, l := range strings.Split(string(golden), "\n") {
		if strings.HasSuffix(l, "  quickstart-factory.bin") {
			line = l
		}
	}
	sums, err := os.ReadFile(filepath.Join(co, "dist", "quickstart", "SHA256SUMS"))
	if err != nil || line == "" || !strings.Contains(string(sums), line+"\n") {
		t.Errorf("dist/quickstart/SHA256SUMS (%v) lacks the golden %q", err, line)
	}

	// The case: go run, and the signer script finds espcompose anyway.
	sh("go run ./cmd/espcompose build -f examples/remote-signing/espcompose.hcl -o dist/remote-signing")
}
