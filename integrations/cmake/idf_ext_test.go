package cmake_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/espcompose/espcompose/internal/testfs"
)

// idfDriver loads idf_ext.py as idf.py does (action_extensions(base_actions,
// project_path)), checks the declared actions, then runs their callbacks with the
// global arguments idf.py passes (build_dir, port, baud).
const idfDriver = `
import importlib.util, json, sys, types
spec = importlib.util.spec_from_file_location('idf_ext_test', sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
project, build_dir = sys.argv[2], sys.argv[3]
ext = mod.action_extensions({}, project)
assert ext['version'] == '1', ext
acts = ext['actions']
assert set(acts) == {'espcompose', 'espcompose-flash'}, acts
for name, a in acts.items():
    assert callable(a['callback']) and a['dependencies'] == ['all'], name
    assert {o['names'][0] for o in a['options']} == {'--manifest', '--out', '--var'}, name
g = types.SimpleNamespace(build_dir=build_dir, port='/dev/ttyTEST', baud=921600)
var = ['app_bin=' + project + '/images/app.bin']
acts[sys.argv[4]]['callback'](sys.argv[4], None, g, manifest='', out='', var=var)
`

// fakeEsptool records how it was called.
const fakeEsptool = `import json, os, sys
with open(os.environ['FAKE_ESPTOOL_LOG'], 'w') as f:
    json.dump({'argv': sys.argv[1:], 'cwd': os.getcwd(), 'flash_args': open('flash_args').read()}, f)
`

func TestIDFExtension(t *testing.T) {
	python := needTool(t, "python3")
	tmp := t.TempDir()
	bin := espcomposeBin(t)
	project := filepath.Join(tmp, "project")
	testfs.ToDir(t, "test", project)
	writeImages(t, project)
	build := filepath.Join(project, "build")
	driver := filepath.Join(tmp, "driver.py")
	fake := filepath.Join(tmp, "fake_esptool.py")
	log := filepath.Join(tmp, "esptool.json")
	_ = os.WriteFile(driver, []byte(idfDriver), 0o644)
	_ = os.WriteFile(fake, []byte(fakeEsptool), 0o644)
	env := append(os.Environ(), "ESPCOMPOSE="+bin, "ESPTOOL="+python+" "+fake, "FAKE_ESPTOOL_LOG="+log)

	runExt := func(action string) string {
		cmd := exec.Command(python, driver, "idf_ext.py", project, build, action)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("idf.py %s: %v\n%s", action, err, out)
		}
		return string(out)
	}
	out := runExt("espcompose")
	image := filepath.Join(build, "espcompose", "test-factory.bin")
	if _, err := os.Stat(image); err != nil || !strings.Contains(out, "Built ") {
		t.Fatalf("idf.py espcompose made no image: %v\n%s", err, out)
	}
	// The stage cache and the up-to-date record belong in the build folder, never
	// in the source tree. This project's stages are all recomputed (nothing is
	// stored), so a second, up-to-date build is what writes there: its record.
	runExt("espcompose")
	if _, err := os.Stat(filepath.Join(build, "espcompose-cache")); err != nil {
		t.Fatalf("the cache is not in the build folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(project, ".espcompose")); err == nil {
		t.Fatal("the build wrote a cache into the source tree")
	}

	out = runExt("espcompose-flash")
	got, err := os.ReadFile(log)
	if err != nil {
		t.Fatalf("esptool was not run: %v\n%s", err, out)
	}
	s := string(got)
	for _, want := range []string{`"--chip", "esp32c3", "-p", "/dev/ttyTEST", "-b", "921600", "write_flash", "@flash_args"`,
		`"cwd": "` + filepath.Join(build, "espcompose") + `"`, `0x0 bootloader.bin`} {
		if !strings.Contains(s, want) {
			t.Errorf("esptool call lacks %s: %s", want, s)
		}
	}
	if !strings.Contains(out, "Up to date") {
		t.Errorf("espcompose-flash did not build first (an up-to-date build says so):\n%s", out)
	}
}
