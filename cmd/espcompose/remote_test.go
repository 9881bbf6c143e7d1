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

// TestTwoPhaseSigningMatchesSignerCommand signs the remote-signing example offline:
// sign-request lists the digests, a signing service (sign-digest here) signs each, and
// build --signatures assembles them. Signatures are deterministic, so the result must
// equal the build that called the signer command directly.
func TestTwoPhaseSigningMatchesSignerCommand(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "remote-signing"), dir)
	mf := filepath.Join(dir, "espcompose.hcl")
	fs := afero.NewOsFs()
	env := map[string]string{}
	code, _, stderr := runCLI(t, fs, env, "build", "-f", mf, "-o", filepath.Join(dir, "direct"))
	if code != 0 {
		t.Fatalf("direct build: %s", stderr)
	}
	// Offline: the manifest keeps only the public key.
	src, _ := os.ReadFile(mf)
	offline := bytes.Replace(src, []byte(`  signer     = ["sh", "tools/hsm-sign.sh", "{digest_file}", "{signature_file}"]`+"\n"), nil, 1)
	if bytes.Equal(offline, src) {
		t.Fatal("signer line not found in the example")
	}
	if err := os.WriteFile(mf, offline, 0o644); err != nil {
		t.Fatal(err)
	}
	// Fresh caches below: a cached signature for the same key and image would
	// (rightly) be reused, and this test is about making new ones.
	code, _, stderr = runCLI(t, fs, env, "build", "-f", mf, "-o", filepath.Join(dir, "nosig"), "--cache-dir", filepath.Join(dir, "c1"))
	if code == 0 || !strings.Contains(stderr, "sign-request") {
		t.Fatalf("build without signatures should fail and point to sign-request; exit %d: %s", code, stderr)
	}
	req := filepath.Join(dir, "request.json")
	code, _, stderr = runCLI(t, fs, env, "sign-request", "-f", mf, "-o", req, "--cache-dir", filepath.Join(dir, "c2"))
	if code != 0 {
		t.Fatalf("sign-request: %s", stderr)
	}
	var doc struct {
		Requests []struct {
			Image  string `json:"image"`
			Key    string `json:"key"`
			Digest string `json:"digest"`
			File   string `json:"signature_file"`
		} `json:"requests"`
	}
	raw, _ := os.ReadFile(req)
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Requests) != 2 {
		t.Fatalf("want 2 digests (bootloader and app), got %+v", doc.Requests)
	}
	sigs := filepath.Join(dir, "signatures")
	_ = os.MkdirAll(sigs, 0o755)
	for _, r := range doc.Requests {
		dig := filepath.Join(dir, r.Digest+".bin")
		b := make([]byte, len(r.Digest)/2)
		for i := range b {
			var v byte
			for _, c := range r.Digest[2*i : 2*i+2] {
				v = v*16 + byte(strings.IndexRune("0123456789abcdef", c))
			}
			b[i] = v
		}
		_ = os.WriteFile(dig, b, 0o644)
		code, _, stderr = runCLI(t, fs, env, "sign-digest", "--key", filepath.Join(dir, "hsm", "release_signing_key.pem"), dig, filepath.Join(sigs, r.File))
		if code != 0 {
			t.Fatalf("sign-digest: %s", stderr)
		}
	}
	code, _, stderr = runCLI(t, fs, env, "build", "-f", mf, "-o", filepath.Join(dir, "offline"), "--signatures", sigs, "--cache-dir", filepath.Join(dir, "c3"))
	if code != 0 {
		t.Fatalf("build --signatures: %s", stderr)
	}
	for _, f := range []string{"gateway-factory.bin", "bootloader.bin", "partitions/ota_1.bin"} {
		a, _ := os.ReadFile(filepath.Join(dir, "direct", f))
		b, _ := os.ReadFile(filepath.Join(dir, "offline", f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs between direct and two-phase signing", f)
		}
	}
	// A bad signature is refused before use.
	for _, r := range doc.Requests {
		p := filepath.Join(sigs, r.File)
		b, _ := os.ReadFile(p)
		b[len(b)/2] ^= 1
		_ = os.WriteFile(p, b, 0o644)
	}
	code, _, stderr = runCLI(t, fs, env, "build", "-f", mf, "-o", filepath.Join(dir, "bad"), "--signatures", sigs, "--cache-dir", filepath.Join(dir, "fresh-cache"))
	if code == 0 || !strings.Contains(stderr, "does not verify") {
		t.Errorf("a corrupted signature must fail the build; exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "bad")); !os.IsNotExist(err) {
		t.Errorf("a failed build left an output directory")
	}
}
