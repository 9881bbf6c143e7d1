package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"github.com/espcompose/espcompose/internal/fsutil"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/spiffs"
	"github.com/espcompose/espcompose/internal/conformance"
)

// fsBuildArgs turns a conformance case's params into `espcompose fs build` flags.
func fsBuildArgs(t *testing.T, c conformance.Case) []string {
	p := c.Params
	args := []string{"fs", "build", "--type", c.Param("type")}
	if c.Param("size_arg") == "detect" {
		args = append(args, "--size", "detect")
	} else {
		args = append(args, "--size", c.Param("image_size"))
	}
	switch c.Param("type") {
	case "spiffs":
		args = append(args, "--page-size", c.Param("page_size"), "--block-size", c.Param("block_size"),
			"--obj-name-len", c.Param("obj_name_len"), "--meta-len", c.Param("meta_len"))
		if p["use_magic"] == false {
			args = append(args, "--no-magic")
		}
		if p["use_magic_len"] == false {
			args = append(args, "--no-magic-len")
		}
		if p["aligned_obj_ix_tables"] == true {
			args = append(args, "--aligned-obj-ix-tables")
		}
		if p["big_endian"] == true {
			args = append(args, "--big-endian")
		}
		if p["follow_symlinks"] == true {
			t.Skipf("%s: fs build refuses symlinks rather than follow them", c.Name)
		}
	default:
		args = append(args, "--sector-size", c.Param("sector_size"), "--fat-count", c.Param("fat_count"),
			"--root-entries", c.Param("root_entry_count"), "--volume-id", c.Param("volume_id"))
		if spc := c.Param("sectors_per_cluster"); spc != "1" && spc != "" {
			// fatfsgen writes such clusters one sector long, which FatFs on the device
			// reads differently; fs build does not offer it (format/fatfs does).
			t.Skipf("%s: sectors_per_cluster %s", c.Name, spc)
		}
		if ft := c.Param("fat_type"); ft != "0" {
			args = append(args, "--fat-type", ft)
		}
		if p["long_name_support"] == true {
			args = append(args, "--long-names")
		}
		if c.Param("type") == "wl-fat" {
			args = append(args, "--device-id", c.Param("device_id"))
			if m := c.Param("wl_mode"); m != "" {
				args = append(args, "--wl-mode", m)
			}
		}
	}
	return args
}

// TestFSBuildConformance builds every fsimage vector through `espcompose fs build`:
// byte-identical images, and for the cases the reference refuses, exit 2 and no file.
func TestFSBuildConformance(t *testing.T) {
	for _, c := range conformance.Load(t, "fsimage") {
		t.Run(c.Name, func(t *testing.T) {
			work := t.TempDir()
			in := filepath.Join(work, c.Param("input_dir"))
			copyTree(t, filepath.Join(c.Dir, c.Param("input_dir")), in)
			out := filepath.Join(work, "out", "image.bin")
			args := append(fsBuildArgs(t, c), in, out)
			code, _, stderr := runCLI(t, afero.NewOsFs(), nil, args...)
			if c.ExpectedError {
				if code != 2 {
					t.Fatalf("exit %d, want 2 (the reference refuses: %s)\n%s", code, c.ErrorContains, stderr)
				}
				if _, err := os.Stat(filepath.Join(work, "out")); !os.IsNotExist(err) {
					t.Errorf("a refused build left %s/out behind", work)
				}
				return
			}
			if code != 0 {
				t.Fatalf("%q: exit %d\n%s", args, code, stderr)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			zr, err := gzip.NewReader(bytes.NewReader(c.File(t, "expected.bin.gz")))
			if err != nil {
				t.Fatal(err)
			}
			want, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s: %d bytes differ from the reference's %d (first difference at 0x%x)", c.Name, len(got), len(want), firstDifference(got, want))
			}
			// What was built reads back as the folder.
			ls := []string{"fs", "ls", "--json", out}
			if c.Param("type") == "spiffs" {
				ls = append(ls, "--page-size", c.Param("page_size"), "--block-size", c.Param("block_size"),
					"--obj-name-len", c.Param("obj_name_len"), "--meta-len", c.Param("meta_len"))
				if p := c.Params; p["aligned_obj_ix_tables"] == true {
					ls = append(ls, "--aligned-obj-ix-tables")
				}
				if p := c.Params; p["big_endian"] == true {
					ls = append(ls, "--big-endian")
				}
			}
			code, stdout, stderr := runCLI(t, afero.NewOsFs(), nil, ls...)
			if code != 0 && c.Param("type") == "spiffs" {
				t.Fatalf("fs ls: exit %d\n%s", code, stderr)
			}
			if code == 0 {
				checkListing(t, stdout, in, c.Param("type"))
			}
		})
	}
}

func firstDifference(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// checkListing compares `fs ls --json` with the files under dir (FAT names without case).
func checkListing(t *testing.T, listing, dir, typ string) {
	t.Helper()
	var got struct {
		Type    string `json:"type"`
		Entries []struct {
			Path string `json:"path"`
			Dir  bool   `json:"dir"`
			Size int    `json:"size"`
		} `json:"entries"`
	}
	if err := json.Unmarshal([]byte(listing), &got); err != nil {
		t.Fatal(err)
	}
	if got.Type != typ {
		t.Errorf("fs ls detects %s, want %s", got.Type, typ)
	}
	norm := func(p string) string {
		if typ == "spiffs" {
			return p
		}
		return strings.ToUpper(p)
	}
	var have, want []string
	for _, e := range got.Entries {
		if !e.Dir {
			have = append(have, fmt.Sprintf("%s %d", norm(e.Path), e.Size))
		}
	}
	_ = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			want = append(want, fmt.Sprintf("%s %d", norm(filepath.ToSlash(rel)), fi.Size()))
		}
		return nil
	})
	sort.Strings(have)
	sort.Strings(want)
	if strings.Join(have, "\n") != strings.Join(want, "\n") {
		t.Errorf("fs ls lists\n%s\nthe folder holds\n%s", strings.Join(have, "\n"), strings.Join(want, "\n"))
	}
}

func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFSRoundTrip: build, list and extract each type; the extracted folder is the input.
func TestFSRoundTrip(t *testing.T) {
	tree := map[string]string{
		"index.html": "<html></html>\n", "js/app.js": "let x = 1\n", "css/site.css": "body{}\n",
		"data/empty.bin": "", "data/big.bin": strings.Repeat("0123456789abcdef", 1000),
	}
	for _, typ := range []string{"spiffs", "fat", "wl-fat"} {
		t.Run(typ, func(t *testing.T) {
			work := t.TempDir()
			in := filepath.Join(work, "www")
			writeTree(t, in, tree)
			img := filepath.Join(work, "www.bin")
			args := []string{"fs", "build", "--type", typ, "--size", "256K"}
			if typ != "spiffs" {
				args = append(args, "--long-names")
			}
			args = append(args, in, img)
			if code, _, stderr := runCLI(t, afero.NewOsFs(), nil, args...); code != 0 {
				t.Fatalf("build: exit %d\n%s", code, stderr)
			}
			first, _ := os.ReadFile(img)
			// Deterministic: a second build of the same folder gives the same bytes.
			if code, _, stderr := runCLI(t, afero.NewOsFs(), nil, append(args[:len(args)-2:len(args)-2], in, img+"2")...); code != 0 {
				t.Fatalf("build: exit %d\n%s", code, stderr)
			}
			if second, _ := os.ReadFile(img + "2"); !bytes.Equal(first, second) || len(first) != 256<<10 {
				t.Fatalf("two builds of one folder differ (or the image is %d bytes)", len(first))
			}
			code, stdout, stderr := runCLI(t, afero.NewOsFs(), nil, "fs", "ls", img)
			if code != 0 || !strings.Contains(stdout, typ+", 5 files") || !strings.Contains(stdout, "16000  data/big.bin") {
				t.Fatalf("ls: exit %d\n%s%s", code, stdout, stderr)
			}
			out := filepath.Join(work, "x", "extracted")
			if code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "fs", "extract", img, out); code != 0 {
				t.Fatalf("extract: exit %d\n%s", code, stderr)
			}
			for name, data := range tree {
				got, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(name)))
				if err != nil || string(got) != data {
					t.Errorf("extracted %s: %q, %v", name, got, err)
				}
			}
			// Into a folder that exists and is empty: allowed.
			empty := filepath.Join(work, "empty")
			_ = os.Mkdir(empty, 0o750)
			before, _ := os.Stat(empty)
			if code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "fs", "extract", img, empty); code != 0 {
				t.Fatalf("extract into an empty folder: exit %d\n%s", code, stderr)
			}
			// The user's folder is filled, not replaced by one of espcompose's.
			after, _ := os.Stat(empty)
			if !os.SameFile(before, after) || after.Mode() != before.Mode() {
				t.Fatalf("the empty folder was replaced (%v -> %v)", before.Mode(), after.Mode())
			}
			for name, data := range tree {
				if got, err := os.ReadFile(filepath.Join(empty, filepath.FromSlash(name))); err != nil || string(got) != data {
					t.Errorf("extracted into the empty folder %s: %q, %v", name, got, err)
				}
			}
			if left, _ := fsutil.Leftovers(afero.NewOsFs(), empty); len(left) != 0 {
				t.Fatalf("temporary folders left: %v", left)
			}
			// Never over a folder with anything in it.
			code, _, stderr = runCLI(t, afero.NewOsFs(), nil, "fs", "extract", img, out)
			if code != 2 || !strings.Contains(stderr, "exists and is not empty; extract only into a new or empty folder") {
				t.Fatalf("extract over a full folder: exit %d\n%s", code, stderr)
			}
		})
	}
}

// TestFSExtractHostileNames: an image naming files outside the folder is refused whole.
// The encoder refuses such names, so the image is built with a harmless name of the
// same length and the name patched in its index page.
func TestFSExtractHostileNames(t *testing.T) {
	for _, name := range []string{"../evil.txt", "a/../../evil.txt", "a//b", "./x", "c:x", "a\\..\\..\\x"} {
		harmless := strings.Repeat("z", len(name))
		img, err := spiffs.Build([]spiffs.File{{Path: "ok.txt", Data: []byte("fine")}, {Path: harmless, Data: []byte("bad")}}, spiffs.DefaultOptions(64<<10))
		if err != nil {
			t.Fatal(err)
		}
		at := bytes.Index(img, []byte("/"+harmless+"\x00"))
		if at < 0 {
			t.Fatal("name not found in the image")
		}
		copy(img[at+1:], name)
		work := t.TempDir()
		_ = os.WriteFile(filepath.Join(work, "h.bin"), img, 0o644)
		code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "fs", "extract", filepath.Join(work, "h.bin"), filepath.Join(work, "sub", "out"))
		if code != 2 || !strings.Contains(stderr, "which would be written outside") {
			t.Errorf("%q: exit %d\n%s", name, code, stderr)
		}
		entries, _ := os.ReadDir(work)
		if len(entries) != 1 {
			t.Errorf("%q: the refused extract left %v", name, entries)
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(work), "evil.txt")); err == nil {
			t.Fatalf("%q: wrote outside the folder", name)
		}
	}
	// SPIFFS names are flat, so "a" and "a/b" can both be files (the encoder refuses
	// that, so "c/b" is patched into "a/b").
	flat, err := spiffs.Build([]spiffs.File{{Path: "a", Data: []byte("1")}, {Path: "c/b", Data: []byte("2")}}, spiffs.DefaultOptions(64<<10))
	if err != nil {
		t.Fatal(err)
	}
	copy(flat[bytes.Index(flat, []byte("/c/b\x00")):], "/a/b")
	work := t.TempDir()
	_ = os.WriteFile(filepath.Join(work, "h.bin"), flat, 0o644)
	code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "fs", "extract", filepath.Join(work, "h.bin"), filepath.Join(work, "out"))
	if code != 2 || !strings.Contains(stderr, `holds "a" and "a/b", a file and a folder of one name; nothing extracted`) {
		t.Errorf("file and folder of one name: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(work, "out")); err == nil {
		t.Error("the refused extract left its folder")
	}
	// A name stored with two leading slashes reads as an absolute path; it lands
	// inside the folder or nowhere.
	img, err := spiffs.Build([]spiffs.File{{Path: "zetc/evil.txt", Data: []byte("bad")}}, spiffs.DefaultOptions(64<<10))
	if err != nil {
		t.Fatal(err)
	}
	copy(img[bytes.Index(img, []byte("/zetc/")):], "//etc/")
	work = t.TempDir()
	_ = os.WriteFile(filepath.Join(work, "h.bin"), img, 0o644)
	code, _, stderr = runCLI(t, afero.NewOsFs(), nil, "fs", "extract", filepath.Join(work, "h.bin"), filepath.Join(work, "out"))
	if code == 0 {
		if _, err := os.Stat(filepath.Join(work, "out", "etc", "evil.txt")); err != nil {
			t.Errorf("extract of //etc/evil.txt succeeded but not into the folder: %v", err)
		}
	} else if code != 2 || !strings.Contains(stderr, "which would be written outside") {
		t.Errorf("//etc/evil.txt: exit %d\n%s", code, stderr)
	}
}

// TestFilesystemRebuildsOneStage: after one file of a folder changes, a rebuild runs
// that filesystem's stage and what uses it (the merged image), and takes everything
// else from the cache.
func TestFilesystemRebuildsOneStage(t *testing.T) {
	work := t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "webui"), work)
	build := func() map[string]string {
		code, stdout, stderr := runCLI(t, afero.NewOsFs(), nil, "build", "--json", "-f", filepath.Join(work, "espcompose.hcl"), "-o", filepath.Join(work, "dist"))
		if code != 0 {
			t.Fatalf("build: exit %d\n%s", code, stderr)
		}
		var out struct {
			Stages map[string]string `json:"stages"`
		}
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Fatal(err)
		}
		return out.Stages
	}
	build()
	if err := os.WriteFile(filepath.Join(work, "www", "js", "app.js"), []byte("// changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var ran []string
	for id, st := range build() {
		if st == "ran" {
			ran = append(ran, id)
		}
	}
	sort.Strings(ran)
	if want := "filesystem:www@www"; strings.Join(ran, " ") != want {
		t.Errorf("after editing www/js/app.js the rebuild ran %v, want %s", ran, want)
	}
	// A rename keeps every byte but changes the tree: the same stages run.
	if err := os.Rename(filepath.Join(work, "www", "css", "style.css"), filepath.Join(work, "www", "css", "site.css")); err != nil {
		t.Fatal(err)
	}
	ran = nil
	for id, st := range build() {
		if st == "ran" {
			ran = append(ran, id)
		}
	}
	sort.Strings(ran)
	if want := "filesystem:www@www"; strings.Join(ran, " ") != want {
		t.Errorf("after renaming www/css/style.css the rebuild ran %v, want %s", ran, want)
	}
	code, stdout, stderr := runCLI(t, afero.NewOsFs(), nil, "fs", "extract", filepath.Join(work, "dist", "partitions", "www.bin"), filepath.Join(work, "x"))
	if code != 0 {
		t.Fatalf("extract: %d %s%s", code, stdout, stderr)
	}
	if got, _ := os.ReadFile(filepath.Join(work, "x", "js", "app.js")); string(got) != "// changed\n" {
		t.Errorf("the rebuilt partition holds app.js = %q", got)
	}
	if _, err := os.Stat(filepath.Join(work, "x", "css", "site.css")); err != nil {
		t.Errorf("the rebuilt partition lacks the renamed file: %v", err)
	}
}

// TestPlanShowsFilesystems: the flash map names each filesystem partition with its
// type and file count, and the stages list its sources and its filesystem stage.
func TestPlanShowsFilesystems(t *testing.T) {
	work := t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "webui"), work)
	code, stdout, stderr := runCLI(t, afero.NewOsFs(), nil, "plan", "-f", filepath.Join(work, "espcompose.hcl"), "--cache-dir", filepath.Join(work, "cache"))
	if code != 0 {
		t.Fatalf("plan: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{
		"0x190000  0x100000  www              data/fat     no (flash encryption is off)  no      filesystem.www (wl-fat, 4 files)",
		"0x290000  0x040000  assets           data/spiffs  no (flash encryption is off)  no      filesystem.assets (spiffs, 2 files)",
		"  source:filesystem.www/js/app.js ",
		"  filesystem:www@www ",
		"  filesystem:assets@assets ",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("plan output lacks %q:\n%s", want, stdout)
		}
	}
}

// TestFilesystemSourceDateEpoch: SOURCE_DATE_EPOCH stamps a FAT filesystem only when
// its block asks for it; otherwise every timestamp stays the FAT epoch.
func TestFilesystemSourceDateEpoch(t *testing.T) {
	build := func(optIn bool, env map[string]string) []byte {
		work := t.TempDir()
		copyTree(t, filepath.Join(examplesDir, "webui"), work)
		if optIn {
			m := filepath.Join(work, "espcompose.hcl")
			src, _ := os.ReadFile(m)
			edited := strings.Replace(string(src), "  long_names = true", "  long_names = true\n  source_date_epoch = true", 1)
			if edited == string(src) {
				t.Fatal("the webui manifest changed; update this test")
			}
			_ = os.WriteFile(m, []byte(edited), 0o644)
		}
		code, _, stderr := runCLI(t, afero.NewOsFs(), env, "build", "-f", filepath.Join(work, "espcompose.hcl"), "-o", filepath.Join(work, "dist"))
		if code != 0 {
			t.Fatalf("build: exit %d\n%s", code, stderr)
		}
		img, err := os.ReadFile(filepath.Join(work, "dist", "partitions", "www.bin"))
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	env := map[string]string{"SOURCE_DATE_EPOCH": "1700000000"}
	plain := build(false, nil)
	if !bytes.Equal(plain, build(false, env)) {
		t.Error("SOURCE_DATE_EPOCH changed a filesystem that did not ask for it")
	}
	if !bytes.Equal(plain, build(true, nil)) {
		t.Error("source_date_epoch = true without SOURCE_DATE_EPOCH is not the FAT epoch")
	}
	if bytes.Equal(plain, build(true, env)) {
		t.Error("source_date_epoch = true with SOURCE_DATE_EPOCH set changed nothing")
	}
}

// TestInspectListsFilesystems: inspect reads the merged image back and lists the files
// of the wl-fat and spiffs partitions.
func TestInspectListsFilesystems(t *testing.T) {
	work := t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "webui"), work)
	if code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "build", "-f", filepath.Join(work, "espcompose.hcl"), "-o", filepath.Join(work, "dist")); code != 0 {
		t.Fatalf("build: exit %d\n%s", code, stderr)
	}
	img := filepath.Join(work, "dist", "webui-factory.bin")
	code, stdout, stderr := runCLI(t, afero.NewOsFs(), nil, "inspect", img)
	if code != 0 {
		t.Fatalf("inspect: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{
		"0x190000  0x100000  www       data/fat     no         wl-fat filesystem: 4 files (wear levelling perf, device id 0x",
		"0x290000  0x040000  assets    data/spiffs  no         spiffs filesystem: 2 files",
		"wl-fat files in www:\n           -  css/\n         160  css/style.css\n",
		"         474  index.html\n",
		"          51  readme.txt\n", // fatfsgen lower-cases an 8.3 name when long names are on
		"spiffs files in assets:\n          63  ca.pem\n          87  config.json\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("inspect output lacks %q:\n%s", want, stdout)
		}
	}
	code, stdout, _ = runCLI(t, afero.NewOsFs(), nil, "inspect", "--json", img)
	var in struct {
		Partitions []struct {
			Name       string `json:"name"`
			Filesystem *struct {
				Type  string `json:"type"`
				Files []struct {
					Path string `json:"path"`
					Size int    `json:"size"`
				} `json:"files"`
			} `json:"filesystem"`
		} `json:"partitions"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &in) != nil {
		t.Fatalf("inspect --json: exit %d\n%s", code, stdout)
	}
	found := 0
	for _, p := range in.Partitions {
		if p.Filesystem != nil {
			found++
			if p.Name == "www" && (p.Filesystem.Type != "wl-fat" || len(p.Filesystem.Files) != 6) {
				t.Errorf("www: %+v", p.Filesystem)
			}
		}
	}
	if found != 2 {
		t.Errorf("%d filesystem partitions in the JSON, want 2", found)
	}
}

// TestFSRareOptions: spiffsgen's --aligned-obj-ix-tables and --big-endian reach the
// codec (the image differs from one built without), and ls reads the result back.
func TestFSRareOptions(t *testing.T) {
	work := t.TempDir()
	in := filepath.Join(work, "in")
	writeTree(t, in, map[string]string{"a.txt": strings.Repeat("a", 5000), "D/B.TXT": "b"})
	for i, tc := range []struct{ base, rare, ls []string }{
		{[]string{"--type", "spiffs"}, []string{"--aligned-obj-ix-tables"}, []string{"--aligned-obj-ix-tables"}},
		{[]string{"--type", "spiffs"}, []string{"--big-endian"}, []string{"--big-endian"}},
	} {
		build := func(name string, flags ...string) []byte {
			out := filepath.Join(work, fmt.Sprintf("%d-%s.bin", i, name))
			args := append(append([]string{"fs", "build", "--size", "64K"}, flags...), in, out)
			if code, _, stderr := runCLI(t, afero.NewOsFs(), nil, args...); code != 0 {
				t.Fatalf("%v: exit %d\n%s", flags, code, stderr)
			}
			b, _ := os.ReadFile(out)
			return b
		}
		if bytes.Equal(build("plain", tc.base...), build("rare", append(tc.base, tc.rare...)...)) {
			t.Errorf("%v changes nothing in the image", tc.rare)
		}
		code, stdout, stderr := runCLI(t, afero.NewOsFs(), nil, append(append([]string{"fs", "ls"}, tc.ls...), filepath.Join(work, fmt.Sprintf("%d-rare.bin", i)))...)
		if code != 0 || !strings.Contains(strings.ToLower(stdout), "5000  a.txt") {
			t.Errorf("%v: ls exit %d\n%s%s", tc.rare, code, stdout, stderr)
		}
	}
}
