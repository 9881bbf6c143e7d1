package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/internal/signers"
)

// TestPKCS11SigningFromManifest signs the remote-signing example with a key held in
// SoftHSM2, configured only through the manifest's pkcs11 block.
func TestPKCS11SigningFromManifest(t *testing.T) {
	module := "/usr/lib/softhsm/libsofthsm2.so"
	util, err := exec.LookPath("softhsm2-util")
	if err != nil || !signers.PKCS11Supported {
		if os.Getenv("CI") == "true" {
			t.Fatal("softhsm2 is required in CI (scripts/install-test-deps.sh installs it)")
		}
		t.Skip("softhsm2 not installed: install softhsm2 or run scripts/install-test-deps.sh")
	}
	if _, err := os.Stat(module); err != nil {
		t.Skipf("no SoftHSM2 module at %s", module)
	}
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	_ = os.MkdirAll(tokens, 0o700)
	conf := filepath.Join(dir, "softhsm2.conf")
	_ = os.WriteFile(conf, []byte("directories.tokendir = "+tokens+"\nobjectstore.backend = file\nlog.level = ERROR\n"), 0o600)
	t.Setenv("SOFTHSM2_CONF", conf)
	run := func(args ...string) {
		if out, err := exec.Command(util, args...).CombinedOutput(); err != nil {
			t.Fatalf("softhsm2-util %v: %v\n%s", args, err, out)
		}
	}
	run("--init-token", "--free", "--label", "release", "--pin", "123456", "--so-pin", "654321")
	k, _ := rsa.GenerateKey(rand.Reader, 3072)
	p8, _ := x509.MarshalPKCS8PrivateKey(k)
	keyFile := filepath.Join(dir, "key.p8")
	_ = os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}), 0o600)
	run("--import", keyFile, "--token", "release", "--label", "fw-signing", "--id", "01", "--pin", "123456")

	ex := filepath.Join(dir, "ex")
	copyTree(t, filepath.Join(examplesDir, "remote-signing"), ex)
	mf := filepath.Join(ex, "espcompose.hcl")
	src, _ := os.ReadFile(mf)
	src = []byte(strings.Replace(string(src),
		`  public_key = "keys/release_pub.pem"
  signer     = ["sh", "tools/hsm-sign.sh", "{digest_file}", "{signature_file}"]`,
		`  pkcs11 {
    module  = "`+module+`"
    token   = "release"
    label   = "fw-signing"
    pin_env = "HSM_PIN"
  }`, 1))
	_ = os.WriteFile(mf, src, 0o644)
	code, _, stderr := runCLI(t, afero.NewOsFs(), map[string]string{"HSM_PIN": "123456"}, "build", "-f", mf, "-o", filepath.Join(ex, "dist"))
	if code != 0 {
		t.Fatalf("build with PKCS#11: %s", stderr)
	}
	if strings.Contains(stderr, "123456") {
		t.Error("the PIN appeared in the output")
	}
	pubPEM, _ := os.ReadFile(filepath.Join(ex, "dist", "keys", "release.pub.pem"))
	pub, err := secureboot.ParsePublicKeyPEM(pubPEM)
	if err != nil || pub.RSA.N.Cmp(k.N) != 0 {
		t.Fatalf("dist/keys/release.pub.pem is not the token's key: %v", err)
	}
	// Wrong PIN fails clearly, without echoing it.
	code, _, stderr = runCLI(t, afero.NewOsFs(), map[string]string{"HSM_PIN": "000000"}, "build", "-f", mf, "-o", filepath.Join(ex, "dist2"), "--cache-dir", filepath.Join(ex, "c2"))
	if code == 0 || strings.Contains(stderr, "000000") {
		t.Errorf("wrong PIN: exit %d, %s", code, stderr)
	}
}
