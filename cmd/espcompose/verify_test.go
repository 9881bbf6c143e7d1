package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

// snapshot reads every file under dir, by relative path.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		sum := sha256.Sum256(b)
		out[rel] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// cachedObject is what the cache holds for one stage (through build.json's key).
func cachedObject(t *testing.T, root, stage string) []byte {
	t.Helper()
	key := stageCacheKey(t, root, stage)
	raw, err := os.ReadFile(filepath.Join(root, ".espcompose", "cache", "entries", key+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var entry struct {
		Blobs []struct {
			SHA256 string `json:"sha256"`
		} `json:"blobs"`
	}
	if err := json.Unmarshal(raw, &entry); err != nil || len(entry.Blobs) != 1 {
		t.Fatalf("cache entry of %s: %v", stage, err)
	}
	d := entry.Blobs[0].SHA256
	b, err := os.ReadFile(filepath.Join(root, ".espcompose", "cache", "objects", d[:2], d))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// stageCacheKey is a stage's cache key as build.json records it.
func stageCacheKey(t *testing.T, root, stage string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, "dist", "build.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Stages []struct {
			ID       string `json:"id"`
			CacheKey string `json:"cache_key"`
		} `json:"stages"`
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	for _, s := range rec.Stages {
		if s.ID == stage && s.CacheKey != "" {
			return s.CacheKey
		}
	}
	t.Fatalf("stage %s has no cache key in build.json", stage)
	return ""
}

// poisonCache points the cache entry of one stage at other bytes, as a stale or
// tampered shared cache would: the entry and its object are self-consistent, so the
// cache hands the bytes out, and only reading the outputs back can notice.
func poisonCache(t *testing.T, root, stage string, data []byte) {
	t.Helper()
	key := stageCacheKey(t, root, stage)
	cache := filepath.Join(root, ".espcompose", "cache")
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:])
	if err := os.MkdirAll(filepath.Join(cache, "objects", digest[:2]), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cache, "objects", digest[:2], digest), data, 0o644); err != nil {
		t.Fatal(err)
	}
	entryPath := filepath.Join(cache, "entries", key+".json")
	var entry map[string]any
	raw, err := os.ReadFile(entryPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &entry); err != nil {
		t.Fatal(err)
	}
	blobs := entry["blobs"].([]any)
	blob := blobs[0].(map[string]any)
	blob["sha256"], blob["size"] = digest, len(data)
	raw, _ = json.Marshal(entry)
	if err := os.WriteFile(entryPath, raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBuildVerifies: a build reads its outputs back before publishing (while the
// new tree is written; only the swap waits for it). A poisoned cache entry (the
// app's Secure Boot signature damaged) fails the build with exit 1, the message
// naming region and mismatch, and the old dist/ left exactly as it was, with no
// temporary tree beside it; --no-verify skips the read-back and publishes what the
// cache gave.
func TestBuildVerifies(t *testing.T) {
	root := t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "secure-production"), root)
	fs := afero.NewOsFs()
	manifest, dist := filepath.Join(root, "espcompose.hcl"), filepath.Join(root, "dist")

	code, stdout, stderr := runCLI(t, fs, nil, "build", "-v", "--json", "-f", manifest, "-o", dist)
	if code != 0 {
		t.Fatalf("clean build: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "verify: ok   otadata    region otadata (partitions/otadata.bin): ") ||
		!strings.Contains(stderr, "checks, 0 failed") {
		t.Errorf("the -v log does not list the checks:\n%s", stderr)
	}
	var out struct {
		Verify struct {
			Skipped bool `json:"skipped"`
			Checks  []struct {
				Check string `json:"check"`
				OK    bool   `json:"ok"`
			} `json:"checks"`
		} `json:"verify"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	if out.Verify.Skipped || len(out.Verify.Checks) < 8 {
		t.Errorf("build --json reports verify %+v; want every check", out.Verify)
	}
	before := snapshot(t, dist)

	// The signed app as the cache holds it, with one byte of its signature block
	// (the last 4 KB sector) changed: self-consistent in the cache, wrong on a chip.
	wrong := cachedObject(t, root, "sign:image.app")
	wrong[len(wrong)-4096+100] ^= 0x01
	poisonCache(t, root, "sign:image.app", wrong)
	code, _, stderr = runCLI(t, fs, nil, "build", "-f", manifest, "-o", dist)
	if code != exitFailure {
		t.Fatalf("build with a poisoned cache: exit %d, want %d\n%s", code, exitFailure, stderr)
	}
	for _, want := range []string{
		"espcompose: verify: ",
		"nothing was published",
		"region ota_0 (partitions/ota_0.bin): has no valid Secure Boot V2 signature block 0 for key.secure_boot",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	after := snapshot(t, dist)
	if len(after) != len(before) {
		t.Errorf("dist/ changed: %d files before, %d after", len(before), len(after))
	}
	for name, sum := range before {
		if after[name] != sum {
			t.Errorf("a failed verify changed dist/%s", name)
		}
	}
	left, _ := filepath.Glob(filepath.Join(root, ".dist.tmp-*"))
	old, _ := filepath.Glob(filepath.Join(root, ".dist.old-*"))
	if left = append(left, old...); len(left) > 0 {
		t.Errorf("temporary trees left beside dist/: %v", left)
	}

	code, stdout, stderr = runCLI(t, fs, nil, "build", "-v", "--json", "--no-verify", "-f", manifest, "-o", dist)
	if code != 0 {
		t.Fatalf("build --no-verify: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "verify: skipped (--no-verify)") || strings.Contains(stderr, "verify: ok") {
		t.Errorf("--no-verify still verified:\n%s", stderr)
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || !out.Verify.Skipped {
		t.Errorf("build --json does not say verify was skipped: %v\n%s", err, stdout)
	}
	if snapshot(t, dist)["partitions/ota_0.bin"] == before["partitions/ota_0.bin"] {
		t.Error("--no-verify did not publish what the build made; the read-back was not skipped")
	}
}
