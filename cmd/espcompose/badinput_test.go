package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"github.com/spf13/cobra"
)

// The bad-input suite: every command, given input the user must fix, answers with
// one exact message, exit code 2, and leaves its working directory exactly as it
// found it (nothing created, changed or removed, not even a temporary file).
//
// A case is one line in badInputCases (badinput_cases_test.go):
//
//	{"name", files, args, wantExit, wantErr}
//
// Each case runs in its own temporary directory holding the shared fixtures (see
// badinput_fixtures_test.go: images, keys, CSVs, the quickstart project in qs/) plus
// the case's own files, which may replace a fixture. Paths in args are relative to
// that directory; the CLI runs in-process on an afero.BasePathFs rooted there, so no
// path can reach outside it and messages show the paths exactly as given.
//
// wantErr holds one or more lines; each must appear, in this order, as a complete
// line of stderr (trailing spaces ignored). So "espcompose: b.csv:3: ..." pins the
// whole message, and an HCL diagnostic is pinned by its "Error: ..." line and its
// "  on FILE line N, in ...:" line.

// badCase is one bad-input case.
type badCase struct {
	name     string
	files    map[string]string // path (slash-separated, relative) -> content, on top of the fixtures
	args     []string
	wantExit int
	wantErr  string
}

// argv splits a command line on white space; use a []string literal for an
// argument that contains spaces.
func argv(s string) []string { return strings.Fields(s) }

// file returns a one-file map for a case.
func file(path, content string) map[string]string { return map[string]string{path: content} }

// files merges one-file maps.
func files(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func TestBadInput(t *testing.T) {
	fixtures := badInputFixtures(t)
	cases := badInputCases()
	t.Logf("%d bad-input cases", len(cases))
	if len(cases) < 80 {
		t.Errorf("%d bad-input cases; issue 7 asks for at least 80", len(cases))
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		if seen[tc.name] {
			t.Fatalf("duplicate case name %q", tc.name)
		}
		seen[tc.name] = true
		if tc.wantErr == "" {
			t.Fatalf("case %q pins no message", tc.name)
		}
	}
	checkEveryCommandCovered(t, cases)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runBadCase(t, fixtures, tc)
		})
	}
}

// notYetCovered are the commands whose bad-input cases come with work in progress
// elsewhere (decoders that do not yet check what they read); remove a command from
// here when its cases are added.
var notYetCovered = map[string]bool{}

// checkEveryCommandCovered fails when a command has no bad-input case, so a new
// command cannot join the CLI without them, and logs the count per command.
func checkEveryCommandCovered(t *testing.T, cases []badCase) {
	t.Helper()
	root := (&app{}).newRootCommand()
	count := map[string]int{}
	for _, tc := range cases {
		cmd := root
		for _, arg := range tc.args {
			next := cmd
			for _, sub := range cmd.Commands() {
				if sub.Name() == arg {
					next = sub
				}
			}
			if next == cmd {
				break
			}
			cmd = next
		}
		count[cmd.CommandPath()]++
	}
	var leaves []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if !c.HasSubCommands() {
			leaves = append(leaves, c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	sort.Strings(leaves)
	var summary []string
	for _, path := range leaves {
		n := count[path]
		summary = append(summary, fmt.Sprintf("%s: %d", strings.TrimPrefix(path, "espcompose "), n))
		if n == 0 && !notYetCovered[path] {
			t.Errorf("%s has no bad-input case", path)
		}
		if n > 0 && notYetCovered[path] {
			t.Errorf("%s has cases now: remove it from notYetCovered", path)
		}
	}
	t.Logf("cases per command: %s (global usage errors: %d)", strings.Join(summary, ", "), count["espcompose"])
}

func runBadCase(t *testing.T, fixtures map[string][]byte, tc badCase) {
	t.Helper()
	dir := t.TempDir()
	for p, b := range fixtures {
		if _, ok := tc.files[p]; !ok {
			writeCaseFile(t, dir, p, b)
		}
	}
	for p, s := range tc.files {
		writeCaseFile(t, dir, p, []byte(s))
	}
	before := snapshotTree(t, dir)
	code, stdout, stderr := runCLI(t, newCaseFS(dir), nil, tc.args...)
	after := snapshotTree(t, dir)

	if code != tc.wantExit {
		t.Errorf("exit %d, want %d\nargs: %q\nstderr:\n%s", code, tc.wantExit, tc.args, stderr)
	}
	if missing := missingLines(stderr, tc.wantErr); missing != "" {
		t.Errorf("stderr lacks the line %q (lines must appear whole and in order)\nargs: %q\nstderr:\n%s\nstdout:\n%s", missing, tc.args, stderr, stdout)
	}
	if strings.Contains(stderr, dir) {
		t.Errorf("stderr names the case directory %s; messages must show paths as given:\n%s", dir, stderr)
	}
	if diff := diffTrees(before, after); diff != "" {
		t.Errorf("the failed command changed its working directory:\n%s", diff)
	}
}

// newCaseFS is the filesystem a case's command sees: the real OS filesystem, confined
// to the case directory, so relative paths resolve there and absolute ones cannot
// escape it. Errors name paths as the command gave them, as the OS filesystem's do
// when run from that directory, so messages are what a user would read.
func newCaseFS(dir string) afero.Fs { return badCaseFS{afero.NewBasePathFs(afero.NewOsFs(), dir)} }

// badCaseFS restores, in path errors, the name a command used: afero.BasePathFs
// reports the real path under the case directory instead.
type badCaseFS struct{ afero.Fs }

func relErr(name string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fs.PathError{Op: pe.Op, Path: name, Err: pe.Err}
	}
	return err
}

func (c badCaseFS) Create(name string) (afero.File, error) {
	f, err := c.Fs.Create(name)
	return f, relErr(name, err)
}

func (c badCaseFS) Mkdir(name string, perm os.FileMode) error {
	return relErr(name, c.Fs.Mkdir(name, perm))
}

func (c badCaseFS) MkdirAll(name string, perm os.FileMode) error {
	return relErr(name, c.Fs.MkdirAll(name, perm))
}

func (c badCaseFS) Open(name string) (afero.File, error) {
	f, err := c.Fs.Open(name)
	return f, relErr(name, err)
}

func (c badCaseFS) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	f, err := c.Fs.OpenFile(name, flag, perm)
	return f, relErr(name, err)
}

func (c badCaseFS) Remove(name string) error { return relErr(name, c.Fs.Remove(name)) }

func (c badCaseFS) RemoveAll(name string) error { return relErr(name, c.Fs.RemoveAll(name)) }

func (c badCaseFS) Stat(name string) (os.FileInfo, error) {
	fi, err := c.Fs.Stat(name)
	return fi, relErr(name, err)
}

func (c badCaseFS) Chmod(name string, mode os.FileMode) error {
	return relErr(name, c.Fs.Chmod(name, mode))
}

func writeCaseFile(t *testing.T, dir, p string, b []byte) {
	t.Helper()
	full := filepath.Join(dir, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// missingLines returns the first line of want that does not occur, after the
// previous one, as a whole line of got; "" when all do.
func missingLines(got, want string) string {
	lines := strings.Split(strings.TrimRight(got, "\n"), "\n")
	i := 0
	for _, w := range strings.Split(want, "\n") {
		w = strings.TrimRight(w, " ")
		for i < len(lines) && strings.TrimRight(lines[i], " ") != w {
			i++
		}
		if i == len(lines) {
			return w
		}
		i++
	}
	return ""
}

// treeEntry is what the suite compares of one path: a failed command must leave
// each unchanged.
type treeEntry struct {
	mode fs.FileMode
	size int64
	sum  string // sha256 of a regular file's content
}

func (e treeEntry) String() string {
	return fmt.Sprintf("%v %d bytes %.16s", e.mode, e.size, e.sum)
}

func snapshotTree(t *testing.T, root string) map[string]treeEntry {
	t.Helper()
	snap := map[string]treeEntry{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		e := treeEntry{mode: info.Mode()}
		if info.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h := sha256.Sum256(b)
			e.size, e.sum = info.Size(), hex.EncodeToString(h[:])
		}
		snap[filepath.ToSlash(rel)] = e
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// diffTrees lists every path created, removed or changed between two snapshots.
func diffTrees(before, after map[string]treeEntry) string {
	var out []string
	for p, a := range after {
		b, ok := before[p]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("  created %s (%v)", p, a))
		case a != b:
			out = append(out, fmt.Sprintf("  changed %s: %v -> %v", p, b, a))
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			out = append(out, "  removed "+p)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// TestBadInputHarness checks the checks: a harness that could not fail would pass
// every case.
func TestBadInputHarness(t *testing.T) {
	stderr := "Error: Unsupported block type\n\n  on qs/espcompose.hcl line 82, in outptu:\n  82: outptu {\n"
	for _, tc := range []struct {
		want, missing string
	}{
		{"Error: Unsupported block type", ""},
		{"Error: Unsupported block type\n  on qs/espcompose.hcl line 82, in outptu:", ""},
		{"Error: Unsupported block", "Error: Unsupported block"},                                                       // whole lines only
		{"  on qs/espcompose.hcl line 82, in outptu:\nError: Unsupported block type", "Error: Unsupported block type"}, // in order
	} {
		if got := missingLines(stderr, tc.want); got != tc.missing {
			t.Errorf("missingLines(%q) = %q, want %q", tc.want, got, tc.missing)
		}
	}
	dir := t.TempDir()
	writeCaseFile(t, dir, "a/b.bin", []byte("one"))
	before := snapshotTree(t, dir)
	writeCaseFile(t, dir, "a/b.bin", []byte("two"))
	writeCaseFile(t, dir, "c/d.tmp", nil)
	if err := os.Chmod(filepath.Join(dir, "a"), 0o700); err != nil {
		t.Fatal(err)
	}
	diff := diffTrees(before, snapshotTree(t, dir))
	for _, want := range []string{"changed a:", "changed a/b.bin:", "created c ", "created c/d.tmp "} {
		if !strings.Contains(diff, want) {
			t.Errorf("diff lacks %q:\n%s", want, diff)
		}
	}
	if err := os.RemoveAll(filepath.Join(dir, "c")); err != nil {
		t.Fatal(err)
	}
	writeCaseFile(t, dir, "a/b.bin", []byte("one"))
	if err := os.Remove(filepath.Join(dir, "a", "b.bin")); err != nil {
		t.Fatal(err)
	}
	if diff := diffTrees(before, snapshotTree(t, dir)); !strings.Contains(diff, "removed a/b.bin") {
		t.Errorf("removal not reported:\n%s", diff)
	}
	writeCaseFile(t, dir, "a/b.bin", []byte("one"))
	if err := os.Chmod(filepath.Join(dir, "a"), 0o755); err != nil {
		t.Fatal(err)
	}
	if diff := diffTrees(before, snapshotTree(t, dir)); diff != "" {
		t.Errorf("restored tree still differs:\n%s", diff)
	}

	// The case filesystem keeps commands inside the case directory and reports
	// paths as they were given.
	writeCaseFile(t, dir, "outside.txt", nil)
	cfs := newCaseFS(filepath.Join(dir, "a"))
	if _, err := cfs.Stat("b.bin"); err != nil {
		t.Errorf("inside: %v", err)
	}
	for _, name := range []string{"../outside.txt", "/../outside.txt", filepath.Join(dir, "outside.txt")} {
		if _, err := cfs.Stat(name); err == nil {
			t.Errorf("%s reached outside the case directory", name)
		}
	}
	if _, err := cfs.Open("nope.bin"); err == nil || err.Error() != "open nope.bin: no such file or directory" {
		t.Errorf("missing file: %v", err)
	}
}
