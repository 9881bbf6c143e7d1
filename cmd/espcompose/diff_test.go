package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

// The findings between the two example releases, as docs/diff.md and
// examples/release/README.md describe them: v2 adds a partition after the last one,
// ships a new app (1.0.0 → 1.1.0, secure_version 1 → 2) and changes two NVS entries.
var releaseChanges = []struct{ severity, kind, subject, before, after string }{
	{"warning", "partition.added", "logs", "", "data/spiffs at 0x220000, 0x10000 bytes"},
	{"info", "region.contents", "nvs", "sha256 3b8970789817305c089330e806101c26116fc6f91a0fd75ca517306d790b52a2", "sha256 72d2d0107fe696671d32a9339b2f12073c7b8f4e1fcb1426fcc660107b299ea6"},
	{"info", "region.contents", "ota_0", "sha256 7c007e0858c5aed730a36bae24bfe81684813e1cdbf769f7107f1a6d417a4083", "sha256 ab3e64a527f32b6f61b421dc12d8b06e4afa9bf1ff36fe2e6cc99492197e25f4"},
	{"info", "app.version", "ota_0", "1.0.0", "1.1.0"},
	{"info", "app.secure_version", "ota_0", "1", "2"},
	{"info", "nvs.changed", "nvs:config/region", `string "eu868"`, `string "us915"`},
	{"info", "nvs.changed", "nvs:config/report_s", "u16 60", "u16 30"},
}

// releases copies the two example releases into a temporary folder and builds v1
// there, so every test may check that diff writes nothing into them.
func releases(t *testing.T) (v1, v2, dist1 string) {
	t.Helper()
	root := t.TempDir()
	v1, v2 = filepath.Join(root, "v1"), filepath.Join(root, "v2")
	copyTree(t, filepath.Join(examplesDir, "release", "v1"), v1)
	copyTree(t, filepath.Join(examplesDir, "release", "v2"), v2)
	dist1 = filepath.Join(root, "dist-v1")
	code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "build", "-f", filepath.Join(v1, "espcompose.hcl"), "-o", dist1, "--cache-dir", filepath.Join(root, "cache"))
	if code != 0 {
		t.Fatalf("build v1: exit %d\n%s", code, stderr)
	}
	return v1, v2, dist1
}

// diffTreeState is every file under root with its mode, size, modification time and bytes.
func diffTreeState(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		entry := info.Mode().String() + " " + info.ModTime().String()
		if !d.IsDir() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			entry += " " + sha256hex(b)
		}
		out[p] = entry
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTreeState(t *testing.T, before, after map[string]string) {
	t.Helper()
	for p, e := range after {
		if before[p] != e {
			t.Errorf("diff changed or created %s", p)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			t.Errorf("diff removed %s", p)
		}
	}
}

func TestDiffReleasesText(t *testing.T) {
	v1, v2, _ := releases(t)
	code, stdout, stderr := runCLI(t, afero.NewOsFs(), nil, "diff", v1, v2)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (different)\n%s", code, stderr)
	}
	var want strings.Builder
	want.WriteString("--- a: " + v1 + " (manifest)\n+++ b: " + v2 + " (manifest)\n")
	whys := map[string]string{
		"partition.added":    "an OTA update does not rewrite the partition table: only newly flashed devices get this",
		"nvs":                "new factory NVS data: an OTA update does not rewrite NVS, so devices keep theirs",
		"ota_0":              "a new app image",
		"app.version":        "the app description's version",
		"app.secure_version": "anti-rollback: once it runs, devices refuse apps with a lower secure_version",
		"nvs.changed":        "factory NVS data: an OTA update does not rewrite NVS, so devices keep theirs",
	}
	for _, c := range releaseChanges {
		want.WriteString("\n" + strings.ToUpper(c.severity))
		want.WriteString(strings.Repeat(" ", 9-len(c.severity)) + c.kind + " " + c.subject + "\n")
		if c.before != "" {
			want.WriteString("  - " + c.before + "\n")
		}
		want.WriteString("  + " + c.after + "\n")
		why := whys[c.kind]
		if c.kind == "region.contents" {
			why = whys[c.subject]
		}
		want.WriteString("  why: " + why + "\n")
	}
	want.WriteString("\n7 changes: 0 breaking, 1 warning, 6 info.\n")
	if stdout != want.String() {
		t.Errorf("text output:\n%s\nwant:\n%s", stdout, want.String())
	}
	if !strings.Contains(stderr, "the releases differ: 0 breaking, 1 warning, 6 info") {
		t.Errorf("stderr %q", stderr)
	}
}

type diffJSON struct {
	SchemaVersion int `json:"schema_version"`
	A, B          struct {
		Path, Kind string
	}
	Equal  bool `json:"equal"`
	Counts struct {
		Breaking, Warning, Info int
	} `json:"counts"`
	Changes []struct {
		Kind, Subject, Before, After, Severity, Why string
	} `json:"changes"`
}

func TestDiffReleasesJSON(t *testing.T) {
	v1, v2, dist1 := releases(t)
	// Mixed: a build directory against a manifest.
	code, stdout, stderr := runCLI(t, afero.NewOsFs(), nil, "diff", "--json", dist1, v2)
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var got diffJSON
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if got.SchemaVersion != 1 || got.Equal || got.A.Kind != "build" || got.B.Kind != "manifest" || got.A.Path != dist1 || got.B.Path != v2 {
		t.Errorf("header: %+v", got)
	}
	if got.Counts.Breaking != 0 || got.Counts.Warning != 1 || got.Counts.Info != 6 {
		t.Errorf("counts %+v", got.Counts)
	}
	if len(got.Changes) != len(releaseChanges) {
		t.Fatalf("%d changes, want %d:\n%s", len(got.Changes), len(releaseChanges), stdout)
	}
	for i, w := range releaseChanges {
		g := got.Changes[i]
		if g.Severity != w.severity || g.Kind != w.kind || g.Subject != w.subject || g.Before != w.before || g.After != w.after || g.Why == "" {
			t.Errorf("change %d = %+v, want %+v", i, g, w)
		}
	}
	// --format json is the same document, byte for byte, and so is a second run.
	code2, stdout2, _ := runCLI(t, afero.NewOsFs(), nil, "diff", "--format", "json", dist1, v2)
	if code2 != 1 || stdout2 != stdout {
		t.Errorf("--format json differs from --json (exit %d)", code2)
	}
	// Equal releases: exit 0, equal true, an empty list (not null).
	code, stdout, stderr = runCLI(t, afero.NewOsFs(), nil, "diff", "--json", dist1, v1)
	if code != 0 {
		t.Fatalf("build dir v1 vs manifest v1: exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, `"equal": true`) || !strings.Contains(stdout, `"changes": []`) {
		t.Errorf("equal report:\n%s", stdout)
	}
}

func TestDiffReleasesMarkdown(t *testing.T) {
	v1, v2, _ := releases(t)
	code, stdout, stderr := runCLI(t, afero.NewOsFs(), nil, "diff", "--format", "markdown", v1, v2)
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	lines := strings.Split(stdout, "\n")
	if lines[0] != "### espcompose diff" || !strings.Contains(stdout, "\n7 changes: 0 breaking, 1 warning, 6 info.\n") {
		t.Errorf("markdown head:\n%s", stdout)
	}
	var rows []string
	for _, l := range lines {
		if strings.HasPrefix(l, "| ") && !strings.HasPrefix(l, "| Severity") {
			rows = append(rows, l)
		}
	}
	if len(rows) != len(releaseChanges) {
		t.Fatalf("%d table rows, want %d:\n%s", len(rows), len(releaseChanges), stdout)
	}
	for i, w := range releaseChanges {
		prefix := "| " + w.severity + " | " + w.kind + " | " + w.subject + " | " + w.before + " | " + w.after + " | "
		if w.before == "" {
			prefix = "| " + w.severity + " | " + w.kind + " | " + w.subject + " |  | " + w.after + " | "
		}
		if !strings.HasPrefix(rows[i], prefix) {
			t.Errorf("row %d:\n%s\nwant prefix\n%s", i, rows[i], prefix)
		}
	}
	if !strings.Contains(stdout, "| Severity | Change | Subject | Before | After | Why |\n|---|---|---|---|---|---|\n") {
		t.Error("no table header")
	}
}

func TestDiffExitCodes(t *testing.T) {
	v1, v2, dist1 := releases(t)
	before := diffTreeState(t, filepath.Dir(v1))
	osfs := afero.NewOsFs()
	cases := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"same manifest", []string{"diff", v1, v1}, 0, ""},
		{"manifest file vs its folder", []string{"diff", filepath.Join(v1, "espcompose.hcl"), v1}, 0, ""},
		{"build dir vs its manifest", []string{"diff", dist1, v1}, 0, ""},
		{"v1 vs v2", []string{"diff", v1, v2}, 1, "the releases differ"},
		{"v2 vs build dir v1", []string{"diff", "--format", "markdown", v2, dist1}, 1, "the releases differ"},
		{"missing path", []string{"diff", v1, filepath.Join(v1, "nope")}, 2, "nope: no such file or directory"},
		{"folder that is neither", []string{"diff", filepath.Join(v1, "images"), v1}, 2, "neither a build directory"},
		{"bad format", []string{"diff", "--format", "yaml", v1, v2}, 2, `--format "yaml"`},
		{"one argument", []string{"diff", v1}, 2, "accepts 2 arg(s)"},
	}
	for _, c := range cases {
		code, stdout, stderr := runCLI(t, osfs, nil, c.args...)
		if code != c.code || !strings.Contains(stderr, c.err) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d with %q\n%s", c.name, code, stderr, c.code, c.err, stdout)
		}
		if c.code == 0 && !strings.HasSuffix(stdout, "The releases are the same.\n") {
			t.Errorf("%s: stdout %q", c.name, stdout)
		}
	}
	sameTreeState(t, before, diffTreeState(t, filepath.Dir(v1)))
}

// TestDiffBadInput: a manifest with a mistake and a build directory changed after the
// build exit 2, naming the file and line, and write nothing.
func TestDiffBadInput(t *testing.T) {
	v1, v2, dist1 := releases(t)
	mf := filepath.Join(v2, "espcompose.hcl")
	src, _ := os.ReadFile(mf)
	bad := strings.Replace(string(src), `size    = "64K"`, `size    = "64Q"`, 1)
	if bad == string(src) {
		t.Fatal("v2's logs partition changed; update this test")
	}
	if err := os.WriteFile(mf, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	nvs := filepath.Join(dist1, "partitions", "nvs.bin")
	data, _ := os.ReadFile(nvs)
	data[100] ^= 0xff
	if err := os.WriteFile(nvs, data, 0o644); err != nil {
		t.Fatal(err)
	}
	before := diffTreeState(t, filepath.Dir(v1))
	code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "diff", v1, v2)
	if code != 2 || !strings.Contains(stderr, "espcompose.hcl line ") {
		t.Errorf("bad manifest: exit %d\n%s", code, stderr)
	}
	// The error names the SHA256SUMS line that lists the file.
	sums, _ := os.ReadFile(filepath.Join(dist1, "SHA256SUMS"))
	nvsLine := 0
	for i, l := range strings.Split(string(sums), "\n") {
		if strings.HasSuffix(l, "  partitions/nvs.bin") {
			nvsLine = i + 1
		}
	}
	code, _, stderr = runCLI(t, afero.NewOsFs(), nil, "diff", dist1, v1)
	if code != 2 || nvsLine == 0 || !strings.Contains(stderr, fmt.Sprintf("%s:%d: partitions/nvs.bin does not match its sha256", filepath.Join(dist1, "SHA256SUMS"), nvsLine)) {
		t.Errorf("changed build dir: exit %d\n%s", code, stderr)
	}
	sameTreeState(t, before, diffTreeState(t, filepath.Dir(v1)))
}

// TestDiffSecureExamples: a build directory of a release with flash encryption, Secure
// Boot, NVS encryption (secure-production) or nested tables (esp-at) equals its
// manifest, though the build's encrypted regions can only be compared by hash; and a
// change inside a nested table is reported under its parent.
func TestDiffSecureExamples(t *testing.T) {
	osfs := afero.NewOsFs()
	for _, name := range []string{"secure-production", "esp-at"} {
		work := t.TempDir()
		src := filepath.Join(work, "src")
		copyTree(t, filepath.Join(examplesDir, name), src)
		dist := filepath.Join(work, "dist")
		if code, _, stderr := runCLI(t, osfs, nil, "build", "-f", filepath.Join(src, "espcompose.hcl"), "-o", dist, "--cache-dir", filepath.Join(work, "cache")); code != 0 {
			t.Fatalf("%s: build: exit %d\n%s", name, code, stderr)
		}
		before := diffTreeState(t, work)
		code, stdout, stderr := runCLI(t, osfs, nil, "diff", dist, src)
		if code != 0 {
			t.Errorf("%s: build vs manifest: exit %d\n%s%s", name, code, stdout, stderr)
		}
		sameTreeState(t, before, diffTreeState(t, work))
		if name != "esp-at" {
			continue
		}
		mf := filepath.Join(src, "espcompose.hcl")
		b, _ := os.ReadFile(mf)
		changed := strings.Replace(strings.Replace(string(b), `size     = "124K"`, `size     = "120K"`, 1), `size    = "100K"`, `size    = "96K"`, 1)
		if changed == string(b) {
			t.Fatal("esp-at's nested partitions changed; update this test")
		}
		if err := os.WriteFile(mf, []byte(changed), 0o644); err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr = runCLI(t, osfs, nil, "diff", "--json", dist, src)
		if code != 1 {
			t.Fatalf("esp-at nested change: exit %d\n%s", code, stderr)
		}
		var got diffJSON
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatal(err)
		}
		want := []string{
			"warning partition.resized at_customize/fs_storage 0x19000 0x18000",
			"breaking partition.resized at_customize/mfg_nvs 0x1f000 0x1e000",
		}
		var have []string
		for _, c := range got.Changes {
			if c.Kind != "region.contents" {
				have = append(have, strings.Join([]string{c.Severity, c.Kind, c.Subject, c.Before, c.After}, " "))
			}
		}
		if strings.Join(have, "\n") != strings.Join(want, "\n") {
			t.Errorf("nested change:\n%s\nwant:\n%s", strings.Join(have, "\n"), strings.Join(want, "\n"))
		}
	}
}

// TestDiffPrintsNoKeyMaterial: two releases of secure-production that differ in their
// flash encryption key and in a value of their encrypted NVS. diff reports both
// (the key by fingerprint, the value by its size) and prints no key byte and no value of
// the encrypted NVS, in any format.
func TestDiffPrintsNoKeyMaterial(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	copyTree(t, filepath.Join(examplesDir, "secure-production"), a)
	copyTree(t, filepath.Join(examplesDir, "secure-production"), b)
	newKey := []byte("0123456789abcdefFEDCBA9876543210")
	if err := os.WriteFile(filepath.Join(b, "keys", "flash_encryption_key.bin"), newKey, 0o600); err != nil {
		t.Fatal(err)
	}
	mf := filepath.Join(b, "espcompose.hcl")
	src, _ := os.ReadFile(mf)
	changed := strings.Replace(string(src), `value = "eu868"`, `value = "us915"`, 1)
	if changed == string(src) {
		t.Fatal("secure-production's NVS changed; update this test")
	}
	if err := os.WriteFile(mf, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	var secrets [][]byte
	for _, f := range []string{"flash_encryption_key.bin", "nvs_keys.bin"} {
		k, err := os.ReadFile(filepath.Join(a, "keys", f))
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, k)
	}
	secrets = append(secrets, newKey)
	for _, format := range []string{"text", "json", "markdown"} {
		code, stdout, stderr := runCLI(t, afero.NewOsFs(), nil, "diff", "--format", format, a, b)
		if code != 1 {
			t.Fatalf("%s: exit %d\n%s", format, code, stderr)
		}
		out := stdout + stderr
		for _, s := range secrets {
			if leaks(out, s) {
				t.Errorf("%s: key material printed:\n%s", format, out)
			}
		}
		for _, v := range []string{"eu868", "us915"} {
			if strings.Contains(out, v) {
				t.Errorf("%s: a value of the encrypted NVS (%s) printed:\n%s", format, v, out)
			}
		}
		for _, want := range []string{"flash_encryption.key", "nvs.changed", "nvs:config/region", "5 bytes, not shown (NVS-encrypted)"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: output lacks %q:\n%s", format, want, out)
			}
		}
	}
}

// TestDiffDevices: one device's folder of a devices build equals the manifest with
// --device; two devices differ in their per-device NVS entries and their issued
// certificates (esp_secure_cert) only.
func TestDiffDevices(t *testing.T) {
	work := t.TempDir()
	src, dist := filepath.Join(work, "src"), filepath.Join(work, "dist")
	copyTree(t, filepath.Join(examplesDir, "manufacturing"), src)
	cutDevices(t, src, 3)
	osfs := afero.NewOsFs()
	if code, _, stderr := runCLI(t, osfs, nil, "build", "-f", filepath.Join(src, "espcompose.hcl"), "-o", dist); code != 0 {
		t.Fatalf("build: exit %d\n%s", code, stderr)
	}
	dev := func(id string) string { return filepath.Join(dist, "devices", id) }
	if code, stdout, stderr := runCLI(t, osfs, nil, "diff", "--device", "MTR-000101", dev("MTR-000101"), src); code != 0 {
		t.Errorf("device folder vs manifest --device: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr := runCLI(t, osfs, nil, "diff", "--json", dev("MTR-000101"), dev("MTR-000102"))
	if code != 1 {
		t.Fatalf("two devices: exit %d\n%s", code, stderr)
	}
	var got diffJSON
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	var subjects []string
	for _, c := range got.Changes {
		subjects = append(subjects, c.Kind+" "+c.Subject)
	}
	want := "region.contents esp_secure_cert,region.contents factory_nvs,nvs.changed factory_nvs:device/cert,nvs.changed factory_nvs:device/serial"
	if strings.Join(subjects, ",") != want {
		t.Errorf("two devices: %s, want %s", strings.Join(subjects, ","), want)
	}
}
