package docs_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// examples lists the example folders.
func examples(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, "examples"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	if len(out) == 0 {
		t.Fatal("no examples")
	}
	return out
}

// TestEveryExampleHasAPage: each example folder has a README.md, the page for its
// scenario, with commands to run, and the top-level README links it.
func TestEveryExampleHasAPage(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range examples(t) {
		page := filepath.Join(root, "examples", name, "README.md")
		if !fileExists(page) {
			t.Errorf("examples/%s has no README.md", name)
			continue
		}
		n := 0
		for _, b := range codeBlocks(t, page) {
			if b.lang == "sh" {
				n += len(commands(b))
			}
		}
		if n == 0 {
			t.Errorf("examples/%s/README.md has no sh commands to run", name)
		}
		if !strings.Contains(string(readme), "(examples/"+name+"/README.md)") {
			t.Errorf("README.md does not link examples/%s/README.md", name)
		}
	}
}

// TestExampleREADMEsRunAsWritten runs every command of every sh block of each
// example's README, in order, in a fresh copy of the example folder, with only the
// built espcompose on PATH, as a reader who installed it would.
func TestExampleREADMEsRunAsWritten(t *testing.T) {
	bin := cli(t)
	for _, name := range examples(t) {
		t.Run(name, func(t *testing.T) {
			page := filepath.Join(root, "examples", name, "README.md")
			dir := copyDir(t, filepath.Join(root, "examples", name))
			env := append(baseEnv(t, filepath.Dir(bin)), "GITHUB_STEP_SUMMARY="+filepath.Join(t.TempDir(), "summary.md"))
			for _, b := range codeBlocks(t, page) {
				if b.lang != "sh" {
					continue
				}
				for _, c := range commands(b) {
					code, out := run(t, dir, env, c.text)
					if code != c.exit {
						t.Fatalf("examples/%s/README.md:%d: %s\nexit %d, want %d:\n%s", name, c.line, c.text, code, c.exit, out)
					}
				}
			}
		})
	}
}

// TestCommandsParser: the README conventions the test relies on.
func TestCommandsParser(t *testing.T) {
	b := block{body: []string{
		"# a comment",
		"espcompose plan      # the map",
		"espcompose image build x \\",
		"  --chip esp32c3",
		"",
		"espcompose diff a b  # they differ: exit 1",
	}, starts: []int{10, 11, 12, 13, 14, 15}}
	got := commands(b)
	want := []command{
		{11, "espcompose plan      # the map", 0},
		{12, "espcompose image build x  --chip esp32c3", 0},
		{15, "espcompose diff a b  # they differ: exit 1", 1},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("command %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}
