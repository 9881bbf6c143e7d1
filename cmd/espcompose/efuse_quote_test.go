package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"
)

// TestEfusePlanHostileKeyPath: a flash key whose file name holds a space, quotes, $()
// and backticks reaches espefuse.py as exactly that file, and runs nothing.
func TestEfusePlanHostileKeyPath(t *testing.T) {
	work := t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "secure-production"), work)
	name := "it's a \"key\" $(touch pwned) `touch pwned`.bin"
	must(t, os.Rename(filepath.Join(work, "keys", "flash_encryption_key.bin"), filepath.Join(work, "keys", name)))
	mf := filepath.Join(work, "espcompose.hcl")
	src, _ := os.ReadFile(mf)
	hclName := bytes.ReplaceAll([]byte(name), []byte(`"`), []byte(`\"`))
	src = bytes.Replace(src, []byte(`"keys/flash_encryption_key.bin"`), append(append([]byte(`"keys/`), hclName...), '"'), 1)
	must(t, os.WriteFile(mf, src, 0o644))
	dist := filepath.Join(work, "dist")
	if code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "build", "-f", mf, "-o", dist); code != 0 {
		t.Fatal(stderr)
	}
	cfgs := evalExample(t, work)
	if got := cfgs[0].Key("flash").File; filepath.Base(got) != name {
		t.Fatalf("the manifest names key file %q, want %q", got, name)
	}
	g := &goldenDist{t: t, cfg: cfgs[0], work: work, root: dist, checked: map[string]bool{}}
	g.init()
	g.checkEfusePlan()
	if !g.checked["efuse-plan.sh"] {
		t.Fatal("efuse-plan.sh was not checked")
	}
	for _, d := range []string{work, dist, filepath.Join(work, "keys")} {
		if _, err := os.Stat(filepath.Join(d, "pwned")); err == nil {
			t.Errorf("efuse-plan.sh ran a command hidden in the key path (pwned in %s)", d)
		}
	}
}
