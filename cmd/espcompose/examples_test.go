package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/testimage"
)

var update = flag.Bool("update", false, "rewrite examples' golden.sha256sums")

const examplesDir = "../../examples"

func exampleDirs(t *testing.T) []string {
	dirs, _ := filepath.Glob(filepath.Join(examplesDir, "*", "espcompose.hcl"))
	// A product's releases sit one level deeper (examples/release/v1, v2).
	nested, _ := filepath.Glob(filepath.Join(examplesDir, "*", "*", "espcompose.hcl"))
	dirs = append(dirs, nested...)
	if len(dirs) == 0 {
		t.Fatal("no examples found")
	}
	for i := range dirs {
		dirs[i] = filepath.Dir(dirs[i])
	}
	return dirs
}

// TestExampleImagesAreGenerated proves the committed test images are what the
// generator makes from images.json, so no opaque binary hides in the examples.
func TestExampleImagesAreGenerated(t *testing.T) {
	for _, dir := range exampleDirs(t) {
		raw, err := os.ReadFile(filepath.Join(dir, "images.json"))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var specs []struct {
			File       string `json:"file"`
			Chip       string `json:"chip"`
			Bootloader bool   `json:"bootloader"`
			Project    string `json:"project"`
			Version    string `json:"version"`
			CodeSize   int    `json:"code_size"`
			FlashMode  string `json:"flash_mode"`
			FlashFreq  string `json:"flash_freq"`
			FlashSize  string `json:"flash_size"`
			Secure     uint32 `json:"secure_version"`
		}
		if err := json.Unmarshal(raw, &specs); err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		for _, s := range specs {
			spec := testimage.AppSpec{Chip: s.Chip, Project: s.Project, Version: s.Version, CodeSize: s.CodeSize,
				FlashMode: s.FlashMode, FlashFreq: s.FlashFreq, FlashSize: s.FlashSize, SecureVersion: s.Secure}
			var want []byte
			if s.Bootloader {
				want, err = testimage.BootloaderWith(spec)
			} else {
				want, err = testimage.App(spec)
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(dir, s.File))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s/%s differs from what images.json generates", dir, s.File)
			}
		}
	}
}

// TestExamplesBuild builds every example twice in two directories: the outputs must be
// identical and equal the golden digests; a rebuild in place must run no stage; and
// the outputs must decode back to what the manifest says.
func TestExamplesBuild(t *testing.T) {
	for _, dir := range exampleDirs(t) {
		name, _ := filepath.Rel(examplesDir, dir)
		t.Run(name, func(t *testing.T) {
			a, b := t.TempDir(), t.TempDir()
			copyTree(t, dir, a)
			copyTree(t, dir, b)
			fs := afero.NewOsFs()
			env := map[string]string{}
			build := func(root string) string {
				code, stdout, stderr := runCLI(t, fs, env, "build", "--json", "-f", filepath.Join(root, "espcompose.hcl"), "-o", filepath.Join(root, "dist"))
				if code != 0 {
					t.Fatalf("build in %s: exit %d\n%s", root, code, stderr)
				}
				return stdout
			}
			build(a)
			build(b)
			sumsA, _ := os.ReadFile(filepath.Join(a, "dist", "SHA256SUMS"))
			sumsB, _ := os.ReadFile(filepath.Join(b, "dist", "SHA256SUMS"))
			if !bytes.Equal(sumsA, sumsB) || len(sumsA) == 0 {
				t.Fatalf("builds in two directories differ:\n%s\n---\n%s", sumsA, sumsB)
			}
			golden := filepath.Join(dir, "golden.sha256sums")
			if *update {
				if err := os.WriteFile(golden, sumsA, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./cmd/espcompose -run TestExamplesBuild -update)", err)
			}
			if !bytes.Equal(sumsA, want) {
				t.Errorf("outputs differ from %s:\n%s", golden, diffLines(string(want), string(sumsA)))
			}
			var again struct {
				Stages  map[string]string `json:"stages"`
				Devices []struct {
					ID     string            `json:"id"`
					Stages map[string]string `json:"stages"`
				} `json:"devices"`
			}
			if err := json.Unmarshal([]byte(build(a)), &again); err != nil {
				t.Fatal(err)
			}
			statuses := []map[string]string{again.Stages}
			dists := []string{filepath.Join(a, "dist")}
			for _, d := range again.Devices {
				statuses = append(statuses, d.Stages)
				dists = append(dists, filepath.Join(a, "dist", "devices", d.ID))
			}
			if len(again.Devices) > 0 {
				dists = dists[1:]
			}
			for _, st := range statuses {
				for id, s := range st {
					if s != "cached" && s != "read" && s != "secret" && s != "recomputed" && !uncachedKind(id) {
						t.Errorf("rebuild ran %s (%s); nothing changed, so it should be cached", id, s)
					}
				}
			}
			for _, d := range dists {
				verifyDist(t, d)
			}
		})
	}
}

// uncachedKind names stages that never go to the cache: key fingerprints, nvs_keys
// images (key material) and fills.
func uncachedKind(id string) bool {
	// A raw merge (*.bin) is recomputed from cached inputs, never stored (stages.Merge.Recomputed).
	if strings.HasPrefix(id, "merge:") && strings.HasSuffix(id, ".bin") {
		return true
	}
	for _, p := range []string{"key:", "generate:nvs_keys.", "generate:fill.", "secure-cert:"} {
		if strings.HasPrefix(id, p) {
			return true
		}
	}
	return false
}

func diffLines(want, got string) string {
	var out []string
	w := map[string]bool{}
	for _, l := range strings.Split(want, "\n") {
		w[l] = true
	}
	g := map[string]bool{}
	for _, l := range strings.Split(got, "\n") {
		g[l] = true
		if !w[l] {
			out = append(out, "+ "+l)
		}
	}
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			out = append(out, "- "+l)
		}
	}
	return strings.Join(out, "\n")
}

// verifyDist checks dist/ against itself: SHA256SUMS, and every flashed file lies in
// the merged image at its offset.
func verifyDist(t *testing.T, dist string) {
	t.Helper()
	sums, err := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("bad SHA256SUMS line %q", line)
		}
		data, err := os.ReadFile(filepath.Join(dist, name))
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(data)
		if hex.EncodeToString(h[:]) != sum {
			t.Errorf("%s does not match SHA256SUMS", name)
		}
	}
	var fa struct {
		Files map[string]string `json:"flash_files"`
	}
	raw, _ := os.ReadFile(filepath.Join(dist, "flasher_args.json"))
	if err := json.Unmarshal(raw, &fa); err != nil {
		t.Fatal(err)
	}
	mergedFiles, _ := filepath.Glob(filepath.Join(dist, "*-factory.bin"))
	if len(mergedFiles) != 1 {
		t.Fatalf("want one merged image, found %v", mergedFiles)
	}
	img, _ := os.ReadFile(mergedFiles[0])
	for off, name := range fa.Files {
		addr, err := parseAddr("offset", off)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(filepath.Join(dist, name))
		if int(addr)+len(data) > len(img) || !bytes.Equal(img[addr:int(addr)+len(data)], data) {
			t.Errorf("%s is not in the merged image at %s", name, off)
		}
	}
	checkInspect(t, mergedFiles[0], dist)
}
