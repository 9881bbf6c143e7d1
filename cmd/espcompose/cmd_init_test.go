package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/merged"
	"github.com/espcompose/espcompose/format/parttable"
)

// init --from-idf on the synthetic ESP-IDF build, then build: the merged image equals
// esptool merge_bin of the build's flash_files with its flash settings, byte for byte.
func TestInitFromIDFReproducesTheBuild(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, "../../importer/testdata/idf-project", filepath.Join(dir, "hello"))
	build := filepath.Join(dir, "hello", "build")
	mf := filepath.Join(dir, "fw", "espcompose.hcl")
	if err := os.MkdirAll(filepath.Dir(mf), 0o755); err != nil {
		t.Fatal(err)
	}
	osfs := afero.NewOsFs()
	code, out, errs := runCLI(t, osfs, nil, "init", "--from-idf", build, "-f", mf)
	if code != 0 {
		t.Fatalf("init: exit %d\n%s%s", code, out, errs)
	}
	src, _ := os.ReadFile(mf)
	for _, want := range []string{`file = "../hello/build/hello.bin"`, "expect {\n    project_name = \"hello\"\n  }", "# Built as hello 1.0.0 with ESP-IDF v5.3.1.", "contents = image.app", `file    = "../hello/build/storage.bin"`, "offset  = 0x220000"} {
		if !strings.Contains(string(src), want) {
			t.Errorf("manifest lacks %q:\n%s", want, src)
		}
	}
	if code, out, _ := runCLI(t, osfs, nil, "fmt", "-check", mf); code != 0 {
		t.Errorf("init wrote an unformatted manifest: %s", out)
	}

	// What esptool merge_bin makes of the build's flasher_args.json.
	var fa struct {
		FlashSettings map[string]string `json:"flash_settings"`
		FlashFiles    map[string]string `json:"flash_files"`
	}
	raw, _ := os.ReadFile(filepath.Join(build, "flasher_args.json"))
	if err := json.Unmarshal(raw, &fa); err != nil {
		t.Fatal(err)
	}
	var parts []merged.Part
	for off, f := range fa.FlashFiles {
		n, _ := strconv.ParseUint(off, 0, 32)
		data, err := os.ReadFile(filepath.Join(build, f))
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, merged.Part{Addr: uint32(n), Data: data, Name: f})
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i].Addr < parts[j].Addr })
	want, err := merged.Merge(merged.Options{Chip: "esp32c3", FlashMode: fa.FlashSettings["flash_mode"],
		FlashFreq: fa.FlashSettings["flash_freq"], FlashSize: fa.FlashSettings["flash_size"]}, parts)
	if err != nil {
		t.Fatal(err)
	}

	outDir := filepath.Join(dir, "dist")
	for i := 0; i < 2; i++ { // and again: the same bytes
		_ = os.RemoveAll(outDir)
		if code, out, errs := runCLI(t, osfs, nil, "build", "-f", mf, "-o", outDir); code != 0 {
			t.Fatalf("build: exit %d\n%s%s", code, out, errs)
		}
		got, err := os.ReadFile(filepath.Join(outDir, "hello-factory.bin"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("build %d: merged image (%d bytes) differs from merging the ESP-IDF build's flash_files (%d bytes)", i, len(got), len(want))
		}
	}

	// init never overwrites: the second run refuses and leaves the file as it was.
	code, _, errs = runCLI(t, osfs, nil, "init", "--from-idf", build, "-f", mf)
	if after, _ := os.ReadFile(mf); code != 2 || !strings.Contains(errs, "already exists") || !bytes.Equal(after, src) {
		t.Fatalf("second init: exit %d, stderr %q", code, errs)
	}
}

func TestInitFromIDFErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, "../../importer/testdata/idf-project", dir)
	mf := filepath.Join(dir, "m.hcl")
	code, _, errs := runCLI(t, afero.NewOsFs(), nil, "init", "--from-idf", dir, "-f", mf)
	if code != 2 || !strings.Contains(errs, "flasher_args.json not found") {
		t.Fatalf("not a build dir: exit %d %q", code, errs)
	}
	fa := filepath.Join(dir, "build", "flasher_args.json")
	_ = os.WriteFile(fa, []byte("{\n  \"flash_files\": {,\n}"), 0o644)
	code, _, errs = runCLI(t, afero.NewOsFs(), nil, "init", "--from-idf", filepath.Join(dir, "build"), "-f", mf)
	if code != 2 || !strings.Contains(errs, "flasher_args.json: line 2") {
		t.Fatalf("bad JSON: exit %d %q", code, errs)
	}
	if _, err := os.Stat(mf); !os.IsNotExist(err) {
		t.Fatal("a failed init wrote the manifest")
	}
}

// The starter validates as written, for every chip.
func TestInitStarterValidates(t *testing.T) {
	for _, chip := range []string{"esp32", "esp32s2", "esp32s3", "esp32c2", "esp32c3", "esp32c5", "esp32c6", "esp32c61", "esp32h2", "esp32p4"} {
		dir := t.TempDir()
		mf := filepath.Join(dir, "espcompose.hcl")
		if code, out, errs := runCLI(t, afero.NewOsFs(), nil, "init", "--chip", chip, "-f", mf); code != 0 {
			t.Fatalf("%s: init exit %d %s%s", chip, code, out, errs)
		}
		if code, out, errs := runCLI(t, afero.NewOsFs(), nil, "validate", "-f", mf); code != 0 {
			t.Fatalf("%s: the starter does not validate: %s%s", chip, out, errs)
		}
		if code, out, _ := runCLI(t, afero.NewOsFs(), nil, "fmt", "-check", mf); code != 0 {
			t.Fatalf("%s: the starter is not formatted: %s", chip, out)
		}
		src, _ := os.ReadFile(mf)
		if !bytes.Contains(src, []byte("# image \"app\"")) || !bytes.Contains(src, []byte(`chip       = "`+chip+`"`)) {
			t.Fatalf("%s: starter lacks its comments or chip:\n%s", chip, src)
		}
	}
	code, _, errs := runCLI(t, afero.NewOsFs(), nil, "init", "--chip", "esp32x9", "-f", filepath.Join(t.TempDir(), "m.hcl"))
	if code != 2 || !strings.Contains(errs, "esp32x9") {
		t.Fatalf("unknown chip: exit %d %q", code, errs)
	}
}

// --from-csv: the built table is the table gen_esp32part makes of the CSV.
func TestInitFromCSV(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "partitions.csv")
	text := "# Name, Type, SubType, Offset, Size, Flags\nnvs, data, nvs, , 0x6000,\nphy_init, data, phy, , 0x1000,\nfactory, app, factory, , 1M,\nfs, data, fat, , 128K, encrypted\ncustom, 0x40, 0x01, , 4K, readonly\n"
	_ = os.WriteFile(csv, []byte(text), 0o644)
	mf := filepath.Join(dir, "espcompose.hcl")
	osfs := afero.NewOsFs()
	if code, out, errs := runCLI(t, osfs, nil, "init", "--from-csv", csv, "-f", mf, "--chip", "esp32s3", "--flash-size", "8MB"); code != 0 {
		t.Fatalf("init: %d %s%s", code, out, errs)
	}
	out := filepath.Join(dir, "dist")
	if code, o, errs := runCLI(t, osfs, nil, "build", "-f", mf, "-o", out); code != 0 {
		t.Fatalf("build of the imported manifest: %d %s%s", code, o, errs)
	}
	tbl, err := parttable.ParseCSV(strings.NewReader(text), "p.csv", parttable.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := parttable.Encode(tbl, parttable.Options{})
	got, _ := os.ReadFile(filepath.Join(out, "partition-table.bin"))
	if !bytes.Equal(got, want) {
		t.Fatal("the imported manifest's partition table differs from gen_esp32part's of the CSV")
	}

	code, printed, _ := runCLI(t, osfs, nil, "init", "--from-csv", csv, "--print")
	if code != 0 || !strings.Contains(printed, "\npartition \"nvs\" {") || strings.Contains(printed, "target") ||
		!strings.Contains(printed, "type      = \"0x40\"") && !strings.Contains(printed, "type     = \"0x40\"") {
		t.Fatalf("--print: %d\n%s", code, printed)
	}

	bad := filepath.Join(dir, "bad.csv")
	_ = os.WriteFile(bad, []byte("nvs, data, nvs, , 0x6000,\nx, data, bogus, , 4K,\n"), 0o644)
	code, _, errs := runCLI(t, osfs, nil, "init", "--from-csv", bad, "-f", filepath.Join(dir, "b.hcl"))
	if code != 2 || !strings.Contains(errs, "bad.csv") || !strings.Contains(errs, "2") {
		t.Fatalf("bad CSV: %d %q", code, errs)
	}
}

// --version prints what `espcompose version` prints.
func TestVersionFlag(t *testing.T) {
	_, want, _ := runCLI(t, afero.NewMemMapFs(), nil, "version")
	code, got, _ := runCLI(t, afero.NewMemMapFs(), nil, "--version")
	if code != 0 || got != want || got != "espcompose "+version+"\n" {
		t.Fatalf("--version: %d %q, version: %q", code, got, want)
	}
}
