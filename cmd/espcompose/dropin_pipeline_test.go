package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"

	"github.com/spf13/afero"
)

// TestReferencePipelineThroughLinks runs bench/ref/secure-production/pipeline.sh, a
// script written for Espressif's tools, unchanged, with the links `espcompose links`
// makes first on PATH (the links point at this test binary, which TestMain turns into
// the drop-in named by its argv[0]). Its files must equal, byte for byte, those of
// steps-espcompose.sh, the same pipeline done with espcompose's own commands: both
// sign deterministically, so even the signatures agree. bench/dropin.sh compares the
// same pipeline with the Python tools when they are installed.
func TestReferencePipelineThroughLinks(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	wrapper := os.Getenv("ESPCOMPOSE")
	if wrapper == "" {
		t.Skip("no espcompose wrapper (TestMain)")
	}
	tmp := t.TempDir()
	links := filepath.Join(tmp, "links")
	if code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "links", "--target", exe, links); code != 0 {
		t.Fatal(stderr)
	}
	repo, _ := filepath.Abs("../..")
	ex := filepath.Join(repo, "examples/secure-production")
	run := func(script, out string, env ...string) {
		cmd := exec.Command(bash, filepath.Join(repo, "bench/ref/secure-production", script), ex, out)
		cmd.Env = append(os.Environ(), env...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", script, err, b)
		}
	}
	run("pipeline.sh", filepath.Join(tmp, "dropin"), "PATH="+links+":"+os.Getenv("PATH"),
		"ESPTOOL=esptool.py", "ESPSECURE=espsecure.py", "GEN_ESP32PART=gen_esp32part.py", "NVS_PARTITION_GEN=nvs_partition_gen.py")
	run("steps-espcompose.sh", filepath.Join(tmp, "native"), "ESPCOMPOSE="+wrapper)

	files, _ := filepath.Glob(filepath.Join(tmp, "dropin", "*"))
	sort.Strings(files)
	if len(files) < 12 {
		t.Fatalf("pipeline made %d files", len(files))
	}
	for _, f := range files {
		name := filepath.Base(f)
		got, _ := os.ReadFile(f)
		want, err := os.ReadFile(filepath.Join(tmp, "native", name))
		if err != nil {
			t.Errorf("%s: made by the drop-ins only", name)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs between the drop-ins and espcompose's own commands", name)
		}
	}
}
