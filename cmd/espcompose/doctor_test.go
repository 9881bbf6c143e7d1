package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/appimage"
	"github.com/espcompose/espcompose/format/flashenc"
)

// buildExample copies examples/<name> into a temp dir and builds it; it returns
// the project folder.
func buildExample(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	copyTree(t, filepath.Join("..", "..", "examples", name), dir)
	code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "-f", filepath.Join(dir, "espcompose.hcl"), "-o", filepath.Join(dir, "dist"), "build")
	if code != 0 {
		t.Fatalf("build %s: exit %d: %s", name, code, stderr)
	}
	return dir
}

type doctorJSON struct {
	SchemaVersion int      `json:"schema_version"`
	Kind          string   `json:"kind"`
	Chip          string   `json:"chip"`
	Checks        []string `json:"checks"`
	Findings      []struct {
		ID, Severity, Finding, Why, Fix, File string
		Line                                  int
		Offset                                *uint32
	} `json:"findings"`
	Errors, Warnings int
}

func doctorRun(t *testing.T, args ...string) (int, doctorJSON, string) {
	t.Helper()
	code, stdout, stderr := runCLI(t, afero.NewOsFs(), nil, append([]string{"doctor", "--json"}, args...)...)
	var r doctorJSON
	if code != 2 {
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			t.Fatalf("doctor %v: %v\n%s\n%s", args, err, stdout, stderr)
		}
	}
	return code, r, stderr
}

func findingIDs(r doctorJSON) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.ID+"/"+f.Severity)
	}
	return out
}

// treeSums hashes every file under dir, to prove doctor writes nothing.
func treeSums(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[p] = sha256hex(b) + info.Mode().String()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDoctorBuildDirectory(t *testing.T) {
	dir := buildExample(t, "secure-production")
	dist := filepath.Join(dir, "dist")
	key := filepath.Join(dir, "keys", "flash_encryption_key.bin")
	before := treeSums(t, dir)

	code, r, _ := doctorRun(t, dist)
	if code != 0 || strings.Join(findingIDs(r), ",") != "encrypted-without-key/warning" || r.SchemaVersion != 1 || r.Kind != "dir" {
		t.Fatalf("without key: exit %d, %+v", code, r)
	}
	code, r, _ = doctorRun(t, dist, "--key", key)
	if code != 0 || len(r.Findings) != 0 || r.Chip != "esp32c3" || len(r.Checks) < 10 {
		t.Fatalf("with key: exit %d, %+v", code, r)
	}
	// Text output: the summary line, exit 0.
	code, stdout, _ := runCLI(t, afero.NewOsFs(), nil, "doctor", dist, "--key", key)
	if code != 0 || !strings.Contains(stdout, "0 error(s), 0 warning(s)") || !strings.Contains(stdout, "No findings.") {
		t.Errorf("text: exit %d\n%s", code, stdout)
	}
	for p, sum := range treeSums(t, dir) {
		if before[p] != sum {
			t.Errorf("doctor changed %s", p)
		}
	}
	if len(treeSums(t, dir)) != len(before) {
		t.Error("doctor added files")
	}

	// A plan from before the per-chip lists: only the first secure-feature burn.
	script := filepath.Join(dist, "efuse-plan.sh")
	orig, _ := os.ReadFile(script)
	var cut []string
	for _, l := range strings.Split(string(orig), "\n") {
		if strings.HasPrefix(l, "efuse burn_efuse 'DIS_") || strings.HasPrefix(l, "efuse write_protect_efuse") || strings.Contains(l, "ENABLE_SECURITY_DOWNLOAD") {
			l = "efuse burn_efuse DIS_DOWNLOAD_MANUAL_ENCRYPT 1"
		}
		cut = append(cut, l)
	}
	writeFile(t, script, []byte(strings.Join(cut, "\n")))
	code, r, _ = doctorRun(t, dist, "--key", key)
	if code != 1 || strings.Join(findingIDs(r), ",") != "release-missing-secure-feature/error" {
		t.Fatalf("cut plan: exit %d, %v", code, findingIDs(r))
	}
	for _, fuse := range []string{"DIS_DOWNLOAD_ICACHE=1", "DIS_USB_JTAG=1", "DIS_DIRECT_BOOT=1", "wp:DIS_ICACHE", "ENABLE_SECURITY_DOWNLOAD=1", "SOFT_DIS_JTAG=7", "wp:RD_DIS"} {
		if !strings.Contains(r.Findings[0].Finding, fuse) {
			t.Errorf("missing list %q lacks %s", r.Findings[0].Finding, fuse)
		}
	}
	if r.Findings[0].File != "efuse-plan.sh" {
		t.Errorf("file %q", r.Findings[0].File)
	}
	writeFile(t, script, orig)

	// flash_args that let esptool rewrite the headers (seed 004).
	fa := filepath.Join(dist, "flash_args")
	origFA, _ := os.ReadFile(fa)
	writeFile(t, fa, bytes.Replace(origFA, []byte("--flash_size keep"), []byte("--flash_size detect"), 1))
	code, r, _ = doctorRun(t, dist, "--key", key)
	if code != 1 || strings.Join(findingIDs(r), ",") != "flash-args-rewrite-headers/error" || !strings.Contains(r.Findings[0].Finding, "--flash_size") {
		t.Fatalf("flash_args: exit %d, %+v", code, r.Findings)
	}
	writeFile(t, fa, origFA)

	// An OTA artifact changed after signing, and one larger than its slot.
	art := filepath.Join(dist, "ota", "app", "ota_1.bin")
	origArt, _ := os.ReadFile(art)
	bad := bytes.Clone(origArt)
	bad[0x1000] ^= 0x01
	writeFile(t, art, bad)
	code, r, _ = doctorRun(t, dist, "--key", key)
	if code != 1 || !strings.Contains(strings.Join(findingIDs(r), ","), "signature-mismatch/error") {
		t.Fatalf("changed artifact: exit %d, %v", code, findingIDs(r))
	}
	writeFile(t, art, append(bytes.Clone(origArt), make([]byte, 1856<<10)...))
	code, r, _ = doctorRun(t, dist, "--key", key)
	if code != 1 || findingIDs(r)[0] != "app-exceeds-slot/error" || r.Findings[0].File != "ota/app/ota_1.bin" {
		t.Fatalf("oversized artifact: exit %d, %+v", code, r.Findings)
	}
	writeFile(t, art, origArt)

	// Seed 004 on the merged image: esptool wrote 8MB into the signed bootloader's
	// header for a 4 MB board (flasher_args.json says 4MB).
	merged := filepath.Join(dist, "sensor-node-factory.bin")
	img, _ := os.ReadFile(merged)
	k, _ := os.ReadFile(key)
	opts := flashenc.Options{Scheme: flashenc.XTSAES128}
	boot := make([]byte, 0x8000)
	if err := flashenc.Decrypt(boot, img[:0x8000], k, 0, opts); err != nil {
		t.Fatal(err)
	}
	patched, ch, err := appimage.PatchFlashParams(boot, "esp32c3", appimage.FlashParams{Size: "8MB"})
	if err != nil || !ch.HeaderChanged {
		t.Fatalf("patch: %v", err)
	}
	if err := flashenc.Encrypt(img[:0x8000], patched, k, 0, opts); err != nil {
		t.Fatal(err)
	}
	writeFile(t, merged, img)
	code, r, _ = doctorRun(t, dist, "--key", key)
	if code != 1 || strings.Join(findingIDs(r), ",") != "header-changed-after-signing/error,flash-params-differ-from-target/error" {
		t.Fatalf("seed 004: exit %d, %v", code, findingIDs(r))
	}
	if f := r.Findings[0]; !strings.Contains(f.Finding, "4MB") || !strings.Contains(f.Finding, "8MB") || f.File != "sensor-node-factory.bin" || f.Offset == nil || *f.Offset != 0 {
		t.Errorf("seed 004 finding %+v", f)
	}
	// The same image as a read_flash dump, given as a file.
	code, r, _ = doctorRun(t, merged, "--key", key, "--flash-size", "4MB")
	if code != 1 || r.Kind != "image" || len(r.Findings) != 2 {
		t.Errorf("image: exit %d, %v", code, findingIDs(r))
	}
}

func TestDoctorManifest(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sp")
	copyTree(t, filepath.Join("..", "..", "examples", "secure-production"), dir)
	hcl := filepath.Join(dir, "espcompose.hcl")
	before := treeSums(t, dir)
	code, r, stderr := doctorRun(t, "-f", hcl)
	if code != 0 || len(r.Findings) != 0 || r.Kind != "manifest" {
		t.Fatalf("exit %d, %+v, %s", code, r, stderr)
	}
	if got := treeSums(t, dir); len(got) != len(before) {
		t.Errorf("doctor wrote files: %d before, %d after", len(before), len(got))
	}

	src, _ := os.ReadFile(hcl)
	s := strings.Replace(string(src), "security {", "security {\n  allow_jtag = true", 1)
	s = strings.Replace(s, "  subtype = \"ota\"\n  size    = \"8K\"\n", "  subtype = \"ota\"\n  size    = \"8K\"\n  boot    = partition.ota_1\n", 1)
	writeFile(t, hcl, []byte(s))
	code, r, stderr = doctorRun(t, "-f", hcl)
	if code != 1 || strings.Join(findingIDs(r), ",") != "otadata-selects-empty-slot/error,release-weakened-secure-feature/warning" {
		t.Fatalf("exit %d, %v %s", code, findingIDs(r), stderr)
	}
	if f := r.Findings[0]; f.File != hcl || f.Line == 0 || !strings.Contains(f.Finding, `"ota_1"`) {
		t.Errorf("boot finding %+v", f)
	}
	if f := r.Findings[1]; !strings.Contains(f.Finding, "DIS_PAD_JTAG=1 (allow_jtag = true)") {
		t.Errorf("weakened finding %+v", f)
	}

	// Seed 001 in a manifest is the planner's error on its line: bad input, exit 2.
	s = strings.Replace(string(src), "  subtype  = \"nvs\"\n", "  subtype  = \"nvs\"\n  encrypted = true\n", 1)
	writeFile(t, hcl, []byte(s))
	code, _, stderr = doctorRun(t, "-f", hcl)
	if code != 2 || !strings.Contains(stderr, "espcompose.hcl") {
		t.Errorf("encrypted nvs: exit %d, %s", code, stderr)
	}
}

func TestDoctorBadInput(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	writeFile(t, text, []byte("not a flash image"))
	for _, args := range [][]string{{text}, {filepath.Join(dir, "missing.bin")}, {dir}, {"-f", filepath.Join(dir, "missing.hcl")}} {
		code, _, stderr := runCLI(t, afero.NewOsFs(), nil, append([]string{"doctor"}, args...)...)
		if code != 2 || stderr == "" {
			t.Errorf("doctor %v: exit %d, stderr %q", args, code, stderr)
		}
	}
}

func writeFile(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
