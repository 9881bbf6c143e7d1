package outputs

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// A derived key reaches espefuse.py through `espcompose key derive`: the manifest
// name and variable values arrive as exactly one argument each, whatever they hold;
// the key file sits in a private folder that is gone when the script ends, on every
// chip kind (BLOCK_KEYn purposes and the ESP32's flash_encryption block).
func TestEfusePlanDerivedKeyQuoting(t *testing.T) {
	for _, tc := range []struct {
		chip  string
		bytes int
		burn  []string // burn_key arguments after the key file
		block string
	}{
		{"esp32c3", 32, []string{"XTS_AES_128_KEY"}, "BLOCK_KEY0"},
		{"esp32s3", 64, []string{"XTS_AES_256_KEY"}, "BLOCK_KEY0"},
		{"esp32c2", 16, []string{"XTS_AES_128_KEY_DERIVED_FROM_128_EFUSE_BITS"}, "BLOCK_KEY0"},
		{"esp32", 32, nil, "flash_encryption"},
	} {
		t.Run(tc.chip, func(t *testing.T) {
			manifest := "-" + hostile + ".hcl"
			vars := map[string]string{"b": hostile, "a": "x=y 'z'"}
			p := &EfusePlan{Chip: tc.chip, FlashEncryption: &EfuseFlashEncryption{KeyBytes: tc.bytes, Release: true,
				Derived: &EfuseDerivedKey{Manifest: manifest, Device: "MTR-000101", Key: "flash", Vars: vars}}}
			calls, work, _ := runPlanWithEspcompose(t, p)
			var derive, burn []string
			for _, c := range calls {
				switch {
				case c[0] == "espcompose":
					derive = c[1:]
				case c[0] == "espefuse.py" && len(c) > 5 && c[5] == "burn_key":
					burn = c[6:]
				}
			}
			want := []string{"key", "derive", "-f", "./" + manifest, "-var", "a=x=y 'z'", "-var", "b=" + hostile, "--device=MTR-000101", "--", "flash"}
			if len(derive) != len(want)+1 || !reflect.DeepEqual(derive[:len(want)], want) {
				t.Fatalf("key derive got %q, want %q + a key file", derive, want)
			}
			keyFile := derive[len(want)]
			if !filepath.IsAbs(keyFile) || filepath.Base(keyFile) != "key.bin" {
				t.Errorf("the derived key goes to %q, want key.bin in a temporary folder", keyFile)
			}
			wantBurn := append([]string{tc.block, keyFile}, tc.burn...)
			if !reflect.DeepEqual(burn, wantBurn) {
				t.Errorf("burn_key %q, want %q", burn, wantBurn)
			}
			if _, err := os.Stat(filepath.Dir(keyFile)); err == nil {
				t.Errorf("the key's folder %s outlived the script", filepath.Dir(keyFile))
			}
			if got, _ := os.ReadFile(filepath.Join(work, "burned")); string(got) != "KEY" {
				t.Errorf("espefuse.py read %q from the key file, want what key derive wrote", got)
			}
			md := string(p.Markdown())
			if !strings.Contains(md, "key derive") || !strings.Contains(md, "exists in no file") {
				t.Error("efuse-plan.md does not say the key is derived")
			}
		})
	}
}

// runPlanWithEspcompose runs the plan from a fresh manifest folder with stand-ins
// first on PATH: espcompose records its argv and writes "KEY" to its last argument;
// espefuse.py records its argv and copies the file burn_key is given to ./burned.
func runPlanWithEspcompose(t *testing.T, p *EfusePlan) (calls [][]string, work, dist string) {
	t.Helper()
	root := t.TempDir()
	bin, work, dist, tmp := filepath.Join(root, "bin"), filepath.Join(root, "project"), filepath.Join(root, "out"), filepath.Join(root, "tmp")
	for _, d := range []string{bin, work, dist, tmp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	tools := map[string]string{
		"espcompose":  fakeTool + `for a in "$@"; do last=$a; done; printf KEY > "$last"` + "\n",
		"espefuse.py": fakeTool + `if [ "$5" = burn_key ]; then cp "$7" burned; fi` + "\n",
		"esptool.py":  fakeTool,
	}
	for name, src := range tools {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(src), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	script := filepath.Join(work, "efuse-plan.sh")
	if err := os.WriteFile(script, p.Script(), 0o755); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(root, "argv.log")
	cmd := exec.Command("sh", script)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"ARGV_LOG="+log, "PORT=/dev/ttyUSB0", "DIST="+dist, "TMPDIR="+tmp, "ESPCOMPOSE=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("efuse-plan.sh: %v\n%s\n%s", err, out, p.Script())
	}
	raw, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		calls = append(calls, strings.Split(line, "\x00"))
	}
	for _, d := range []string{root, bin, work, dist} {
		if _, err := os.Stat(filepath.Join(d, "pwned")); err == nil {
			t.Errorf("efuse-plan.sh ran a command hidden in a name (pwned in %s):\n%s", d, p.Script())
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("efuse-plan.sh left %d entries in TMPDIR", len(left))
	}
	return calls, work, dist
}
