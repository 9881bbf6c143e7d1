package main

import (
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/manifest"
)

// keyBytes is a key block's material for the golden checks: its file, or for a key
// with derive_from the derivation docs/manufacturing.md documents, computed here
// from the master file with the standard library's crypto/hkdf, not stages.DeriveKey.
func (g *goldenDist) keyBytes(k *manifest.Key) []byte {
	g.t.Helper()
	if k.Derive == nil {
		return g.readInput(k.File)
	}
	master := g.readInput(g.cfg.Key(k.Derive.Name).File)
	n := map[string]int{"aes-192": 24, "aes-256": 32, "xts-aes-128": 32, "xts-aes-128-derived": 16, "xts-aes-256": 64}[k.Algorithm]
	key, err := hkdf.Key(sha256.New, master, []byte("espcompose derived key v1"),
		"flash_encryption\x00"+k.Algorithm+"\x00"+k.Name+"\x00"+g.cfg.DeviceID, n)
	if err != nil || n == 0 {
		g.t.Fatalf("derive key.%s: %v (%d bytes)", k.Name, err, n)
	}
	return key
}

// derivedFlashKeyFile writes, with `espcompose key derive`, the derived key of a device
// folder (<project>/dist/devices/<id>) whose build.json names one, into a temporary
// file, for inspect --key; "" when the build has no derived key.
func derivedFlashKeyFile(t *testing.T, devDist string) string {
	t.Helper()
	var rec struct {
		Keys []struct {
			Name        string `json:"name"`
			DerivedFrom string `json:"derived_from"`
		} `json:"keys"`
	}
	raw, err := os.ReadFile(filepath.Join(devDist, "build.json"))
	if err != nil || json.Unmarshal(raw, &rec) != nil {
		return ""
	}
	for _, k := range rec.Keys {
		if k.DerivedFrom == "" {
			continue
		}
		project := filepath.Dir(filepath.Dir(filepath.Dir(devDist)))
		out := filepath.Join(t.TempDir(), "key.bin")
		if code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "key", "derive", "-f", filepath.Join(project, "espcompose.hcl"),
			"--device", filepath.Base(devDist), k.Name, out); code != 0 {
			t.Fatalf("key derive for %s: exit %d\n%s", devDist, code, stderr)
		}
		return out
	}
	return ""
}
