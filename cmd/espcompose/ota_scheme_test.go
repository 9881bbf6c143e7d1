package main

import (
	"bytes"
	"crypto/ecdh"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/encimg"
)

// otaPackages decodes the packages list of dist/ota/manifest.json.
func otaPackages(t *testing.T, dist string) []struct{ OTA, File, SHA256, Format string } {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dist, "ota", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Packages []struct{ OTA, File, SHA256, Format string } `json:"packages"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m.Packages
}

// TestOTAManifestNamesPackageScheme: the label in ota/manifest.json is the scheme the
// package was made with, proven by decrypting it with that scheme's device key.
func TestOTAManifestNamesPackageScheme(t *testing.T) {
	for _, scheme := range []string{"RSA-3072", "ECIES-P256"} {
		t.Run(scheme, func(t *testing.T) {
			dir := t.TempDir()
			copyTree(t, filepath.Join(examplesDir, "secure-production"), dir)
			var decrypt func([]byte) ([]byte, error)
			if scheme == "ECIES-P256" {
				dev, err := encimg.DeviceKey(bytes.Repeat([]byte{9}, 32))
				if err != nil {
					t.Fatal(err)
				}
				pub, _ := ecdh.P256().NewPublicKey(dev.PublicKey().Bytes())
				der, err := x509.MarshalPKIXPublicKey(mustECDSA(t, pub))
				if err != nil {
					t.Fatal(err)
				}
				_ = os.WriteFile(filepath.Join(dir, "keys", "ota_rsa_pub.pem"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644)
				decrypt = func(pkg []byte) ([]byte, error) { return encimg.DecryptECIES(pkg, dev) }
			} else {
				devPEM, _ := os.ReadFile(filepath.Join(dir, "device", "ota_rsa_private.pem"))
				blk, _ := pem.Decode(devPEM)
				dev, err := x509.ParsePKCS1PrivateKey(blk.Bytes)
				if err != nil {
					t.Fatal(err)
				}
				decrypt = func(pkg []byte) ([]byte, error) { return encimg.Decrypt(pkg, dev) }
			}
			dist := filepath.Join(dir, "dist")
			if code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "build", "-f", filepath.Join(dir, "espcompose.hcl"), "-o", dist); code != 0 {
				t.Fatal(stderr)
			}
			pkgs := otaPackages(t, dist)
			if len(pkgs) != 1 {
				t.Fatalf("want one package, got %+v", pkgs)
			}
			if want := "esp_encrypted_img (" + scheme + ")"; pkgs[0].Format != want {
				t.Errorf("package format = %q, want %q", pkgs[0].Format, want)
			}
			data, err := os.ReadFile(filepath.Join(dist, filepath.FromSlash(pkgs[0].File)))
			if err != nil {
				t.Fatal(err)
			}
			if sha256hex(data) != pkgs[0].SHA256 {
				t.Error("the package's sha256 in ota/manifest.json is wrong")
			}
			if app, err := decrypt(data); err != nil || len(app) == 0 || app[0] != 0xE9 {
				t.Errorf("the package does not decrypt as %s: %v", scheme, err)
			}
		})
	}
}
