//go:build cgo

package signers

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/spf13/afero"
)

const (
	hsmToken  = "espcompose-test"
	hsmPIN    = "120934"
	hsmPINEnv = "ESPCOMPOSE_TEST_PIN"
)

// softHSM returns the SoftHSM2 module and softhsm2-util paths. A missing SoftHSM2
// skips the test, except in CI, where the PKCS#11 path must be exercised.
func softHSM(t *testing.T) (module, util string) {
	t.Helper()
	missing := func(what string) {
		msg := "SoftHSM2 " + what + " not found: install softhsm2 or run scripts/install-test-deps.sh"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (required when CI=true)")
		}
		t.Skip(msg)
	}
	util, err := exec.LookPath("softhsm2-util")
	if err != nil {
		missing("softhsm2-util")
	}
	candidates := []string{
		os.Getenv("SOFTHSM2_MODULE"),
		"/usr/lib/softhsm/libsofthsm2.so",
		"/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
		"/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
		"/usr/local/lib/softhsm/libsofthsm2.so",
		"/usr/lib64/pkcs11/libsofthsm2.so",
		"/usr/lib/pkcs11/libsofthsm2.so",
		"/opt/homebrew/lib/softhsm/libsofthsm2.so",
		"/usr/local/opt/softhsm/lib/softhsm/libsofthsm2.so",
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if _, err := os.Stat(c); err == nil {
			return c, util
		}
	}
	missing("module libsofthsm2.so (set SOFTHSM2_MODULE)")
	return "", ""
}

// newToken makes a private SoftHSM2 token holding the test keys under their names.
func newToken(t *testing.T, util string, keys ...string) {
	t.Helper()
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	confText := "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n"
	if err := os.WriteFile(conf, []byte(confText), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOFTHSM2_CONF", conf)
	run := func(args ...string) {
		t.Helper()
		out, err := exec.Command(util, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("softhsm2-util %s: %v\n%s", args[0], err, out)
		}
	}
	run("--init-token", "--free", "--label", hsmToken, "--pin", hsmPIN, "--so-pin", "0000"+hsmPIN)
	for i, name := range keys {
		p8 := filepath.Join(dir, name+".p8")
		if err := os.WriteFile(p8, pkcs8PEM(t, name), 0o600); err != nil {
			t.Fatal(err)
		}
		run("--import", p8, "--token", hsmToken, "--label", name, "--id", "0"+string(rune('1'+i)), "--pin", hsmPIN)
	}
}

// pkcs8PEM re-encodes a testdata key as the PKCS#8 softhsm2-util imports.
func pkcs8PEM(t *testing.T, name string) []byte {
	t.Helper()
	data, err := afero.ReadFile(testFS(), name+".pem")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(data)
	if b.Type == "PRIVATE KEY" {
		return data
	}
	k, err := x509.ParseECPrivateKey(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func TestPKCS11SoftHSM(t *testing.T) {
	module, util := softHSM(t)
	keys := []string{"rsa3072", "p256", "p384"}
	newToken(t, util, keys...)
	env := map[string]string{hsmPINEnv: hsmPIN}
	getenv := func(k string) string { return env[k] }
	mods := &Modules{}
	t.Cleanup(func() {
		if err := mods.Close(); err != nil {
			t.Error(err)
		}
	})
	newSigner := func(t *testing.T, cfg PKCS11Config) *PKCS11 {
		t.Helper()
		if cfg.Module == "" {
			cfg.Module = module
		}
		if cfg.Token == "" {
			cfg.Token = hsmToken
		}
		if cfg.PinEnv == "" {
			cfg.PinEnv = hsmPINEnv
		}
		cfg.Getenv, cfg.Modules = getenv, mods
		p, err := NewPKCS11(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	for _, name := range keys {
		t.Run(name, func(t *testing.T) {
			p := newSigner(t, PKCS11Config{Name: "fw-" + name, Label: name})
			pub, err := p.PublicKey()
			if err != nil {
				t.Fatal(err)
			}
			if !pub.Equal(privateKey(t, name).Public()) {
				t.Fatal("public key read from the token differs from the imported key")
			}
			signAndCheck(t, p)
		})
	}

	t.Run("concurrent", func(t *testing.T) {
		var wg sync.WaitGroup
		for _, name := range []string{"p256", "rsa3072", "p256"} {
			p := newSigner(t, PKCS11Config{Name: name, Label: name})
			wg.Add(1)
			go func() {
				defer wg.Done()
				pub, err := p.PublicKey()
				if err != nil {
					t.Error(err)
					return
				}
				_, digest := digestFor(t, pub.Scheme)
				if _, err := p.SignDigest(context.Background(), digest); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	})

	t.Run("own modules", func(t *testing.T) {
		// A signer without shared Modules finds the module already initialised by
		// mods and must leave it working when it closes.
		p, err := NewPKCS11(PKCS11Config{Name: "k", Module: module, Token: hsmToken, Label: "p256", PinEnv: hsmPINEnv, Getenv: getenv})
		if err != nil {
			t.Fatal(err)
		}
		signAndCheck(t, p)
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		signAndCheck(t, newSigner(t, PKCS11Config{Name: "k2", Label: "p256"}))
	})

	errCases := []struct {
		name string
		cfg  PKCS11Config
		want string
	}{
		{"wrong PIN", PKCS11Config{Label: "p256", PinEnv: "WRONG_PIN"}, "login (PIN from WRONG_PIN)"},
		{"unset PIN", PKCS11Config{Label: "p256", PinEnv: "NO_SUCH_PIN"}, "PKCS#11 PIN variable NO_SUCH_PIN is not set"},
		{"unknown token", PKCS11Config{Label: "p256", Token: "nope"}, `token "nope", key "p256": no such token`},
		{"unknown key", PKCS11Config{Label: "nope"}, `key "nope": no key with this label`},
		{"bad module", PKCS11Config{Label: "p256", Module: filepath.Join(t.TempDir(), "none.so")}, "cannot load PKCS#11 module"},
	}
	env["WRONG_PIN"] = "999999"
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Name = "fw"
			p := newSigner(t, tc.cfg)
			_, err := p.SignDigest(context.Background(), make([]byte, 32))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `key "fw"`) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
			if err != nil && (strings.Contains(err.Error(), hsmPIN) || strings.Contains(err.Error(), "999999")) {
				t.Errorf("error reveals a PIN: %v", err)
			}
		})
	}

	t.Run("digest size", func(t *testing.T) {
		p := newSigner(t, PKCS11Config{Name: "fw", Label: "p384"})
		if _, err := p.SignDigest(context.Background(), make([]byte, 32)); err == nil || !strings.Contains(err.Error(), "48-byte") {
			t.Errorf("err = %v", err)
		}
	})
}
