package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

func TestPlanInputsAndBuildDepfile(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, "../../examples/webui", dir)
	mf := filepath.Join(dir, "espcompose.hcl")
	out := filepath.Join(dir, "dist")
	osfs := afero.NewOsFs()

	code, listed, errs := runCLI(t, osfs, nil, "plan", "--inputs", "-f", mf, "-o", out)
	if code != 0 {
		t.Fatalf("plan --inputs: %d %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(listed), "\n")
	for _, want := range []string{mf, filepath.Join(dir, "images", "app.bin"), filepath.Join(dir, "www", "index.html"), filepath.Join(dir, "www", "css")} {
		if !slices.Contains(lines, want) {
			t.Errorf("plan --inputs lacks %s:\n%s", want, listed)
		}
	}

	dep := filepath.Join(dir, "build", "image.d")
	_ = os.MkdirAll(filepath.Dir(dep), 0o755)
	if code, o, errs := runCLI(t, osfs, nil, "build", "-f", mf, "-o", out, "--depfile", dep, "--depfile-target", "image.stamp"); code != 0 {
		t.Fatalf("build --depfile: %d %s%s", code, o, errs)
	}
	b, err := os.ReadFile(dep)
	if err != nil {
		t.Fatal(err)
	}
	d := string(b)
	if !strings.HasPrefix(d, "image.stamp: \\\n  ") || !strings.HasSuffix(d, "\n") {
		t.Fatalf("depfile:\n%s", d)
	}
	for _, l := range lines {
		if !strings.Contains(d, "  "+l+" \\\n") && !strings.HasSuffix(d, "  "+l+"\n") {
			t.Errorf("depfile lacks %s", l)
		}
	}
	// Nothing of espcompose's own: the output tree, its staging and lock, the cache,
	// or the folder holding them (its mtime changes with every build).
	for _, bad := range []string{out, ".dist.", ".espcompose", dir + " ", dir + "\n"} {
		if strings.Contains(d, bad) {
			t.Errorf("depfile names %q:\n%s", bad, d)
		}
	}

	// The depfile is an output like any other: it may not replace an input.
	code, _, errs = runCLI(t, osfs, nil, "build", "-f", mf, "-o", out, "--depfile", filepath.Join(dir, "www", "index.html"))
	if code != 2 || !strings.Contains(errs, "index.html") {
		t.Fatalf("depfile over an input: %d %q", code, errs)
	}
}

func TestMakeEscape(t *testing.T) {
	if got := makeEscape("/a b/c#d/$e"); got != `/a\ b/c\#d/$$e` {
		t.Fatalf("%q", got)
	}
}
