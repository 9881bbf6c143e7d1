package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

func quickstartFS(t *testing.T) afero.Fs {
	t.Helper()
	fs := afero.NewMemMapFs()
	for _, f := range []string{"espcompose.hcl", "images/app.bin", "images/bootloader.bin"} {
		b, err := os.ReadFile(filepath.Join(examplesDir, "quickstart", f))
		if err != nil {
			t.Fatal(err)
		}
		_ = afero.WriteFile(fs, "/qs/"+f, b, 0o644)
	}
	return fs
}

func TestExitCodes(t *testing.T) {
	fs := quickstartFS(t)
	_ = afero.WriteFile(fs, "/bad.hcl", []byte("espcompose { version = 1 }\ntarget {\n  chip = \"esp32c3\"\n  flash_size = \"4Q\"\n}\n"), 0o644)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"version"}, 0, "espcompose"},
		{[]string{"validate", "-f", "/qs/espcompose.hcl"}, 0, "is valid"},
		{[]string{"validate", "-f", "/bad.hcl"}, 2, `"4Q" is not a size`},
		{[]string{"validate", "-f", "/missing.hcl"}, 2, "Cannot read manifest"},
		{[]string{"build", "-f", "/qs/espcompose.hcl", "--var", "nope=1"}, 2, `undeclared variable`},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"plan", "--nope"}, 2, "unknown flag"},
		{[]string{"image", "info", "/qs/espcompose.hcl"}, 2, "invalid magic"},
		{[]string{"image", "info", "--version", "2", "/qs/images/app.bin"}, 0, "Detected image type: ESP32-C3"},
		{[]string{"merge", "--chip", "esp32c3", "0x0", "/qs/images/bootloader.bin"}, 2, "needs -o"},
	} {
		code, stdout, stderr := runCLI(t, fs, nil, tc.args...)
		if code != tc.code || !strings.Contains(stdout+stderr, tc.want) {
			t.Errorf("%v: exit %d, output %q; want exit %d containing %q", tc.args, code, stdout+stderr, tc.code, tc.want)
		}
	}
}

func TestVariablesFromEnvironmentAndFlags(t *testing.T) {
	fs := quickstartFS(t)
	// The image says 1.0.0; expect.version follows var.app_version.
	code, _, stderr := runCLI(t, fs, map[string]string{"ESPCOMPOSE_VAR_app_version": "9.9.9"}, "validate", "-f", "/qs/espcompose.hcl")
	if code != 2 || !strings.Contains(stderr, `but expect says "9.9.9"`) {
		t.Errorf("environment variable not applied: exit %d %s", code, stderr)
	}
	code, _, stderr = runCLI(t, fs, map[string]string{"ESPCOMPOSE_VAR_app_version": "9.9.9"}, "validate", "-f", "/qs/espcompose.hcl", "--var", "app_version=1.0.0")
	if code != 0 {
		t.Errorf("-var should override the environment: exit %d %s", code, stderr)
	}
}

func TestPlanOutputs(t *testing.T) {
	fs := quickstartFS(t)
	code, stdout, stderr := runCLI(t, fs, nil, "plan", "-f", "/qs/espcompose.hcl", "--cache-dir", "/cache")
	if code != 0 {
		t.Fatal(stderr)
	}
	for _, want := range []string{"0x020000  0x180000  ota_0", "otadata: boot ota_0", "merge:quickstart-factory.bin  recomputed", "no (flash encryption is off)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, stdout)
		}
	}
	code, stdout, _ = runCLI(t, fs, nil, "plan", "--dot", "-f", "/qs/espcompose.hcl")
	if code != 0 || !strings.HasPrefix(stdout, "digraph") || !strings.Contains(stdout, `"patch:image.bootloader" -> "source:image.bootloader"`) {
		t.Errorf("plan --dot:\n%s", stdout)
	}
	code, stdout, _ = runCLI(t, fs, nil, "plan", "--json", "-f", "/qs/espcompose.hcl")
	var doc struct {
		FlashMap []map[string]any `json:"flash_map"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &doc) != nil || len(doc.FlashMap) != 8 {
		t.Errorf("plan --json: %d rows\n%s", len(doc.FlashMap), stdout)
	}
	// After a build every stage shows as cached or recomputed (made again every
	// build, never stored: stages.Recomputer), none as will run.
	if code, _, stderr = runCLI(t, fs, nil, "build", "-f", "/qs/espcompose.hcl", "-o", "/out", "--cache-dir", "/cache"); code != 0 {
		t.Fatal(stderr)
	}
	_, stdout, _ = runCLI(t, fs, nil, "plan", "-f", "/qs/espcompose.hcl", "--cache-dir", "/cache")
	for _, line := range strings.Split(stdout, "\n") {
		if strings.Contains(line, "will run") {
			t.Errorf("plan after build still has stages to run: %q\n%s", line, stdout)
		}
	}
}

// TestFailedBuildKeepsPreviousOutput: a build that fails leaves dist/ as it was.
func TestFailedBuildKeepsPreviousOutput(t *testing.T) {
	fs := quickstartFS(t)
	if code, _, stderr := runCLI(t, fs, nil, "build", "-f", "/qs/espcompose.hcl", "-o", "/out"); code != 0 {
		t.Fatal(stderr)
	}
	before, _ := afero.ReadFile(fs, "/out/SHA256SUMS")
	app, _ := afero.ReadFile(fs, "/qs/images/app.bin")
	app[len(app)-40] ^= 0xFF // break the appended SHA-256
	_ = afero.WriteFile(fs, "/qs/images/app.bin", app, 0o644)
	code, _, stderr := runCLI(t, fs, nil, "build", "-f", "/qs/espcompose.hcl", "-o", "/out")
	if code != 2 || !strings.Contains(stderr, "does not match the image") {
		t.Errorf("damaged image: exit %d %s", code, stderr)
	}
	after, _ := afero.ReadFile(fs, "/out/SHA256SUMS")
	if !bytes.Equal(before, after) {
		t.Error("a failed build changed the output directory")
	}
}

// TestDeviceEncryptsMode writes plaintext and marks what the device will encrypt.
func TestDeviceEncryptsMode(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "remote-signing"), dir)
	mf := filepath.Join(dir, "espcompose.hcl")
	src, _ := os.ReadFile(mf)
	src = bytes.Replace(src, []byte(`mode = "development"`), []byte("mode = \"development\"\n    device_encrypts = true"), 1)
	_ = os.WriteFile(mf, src, 0o644)
	code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "build", "-f", mf, "-o", filepath.Join(dir, "dist"))
	if code != 0 {
		t.Fatal(stderr)
	}
	bl, _ := os.ReadFile(filepath.Join(dir, "dist", "bootloader.bin"))
	if bl[0] != 0xE9 {
		t.Error("device_encrypts: bootloader.bin should be plaintext")
	}
	fa, _ := os.ReadFile(filepath.Join(dir, "dist", "flasher_args.json"))
	if !bytes.Contains(fa, []byte(`"bootloader" : {"offset":"0x0","file":"bootloader.bin","encrypted":"false","pre_encrypted":false,"device_encrypts":true}`)) {
		t.Errorf("flasher_args.json does not mark the bootloader for on-device encryption:\n%s", fa)
	}
}
