package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/appimage"
	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/internal/testimage"
)

// TestSecureBootV1 builds an ESP32 with Secure Boot V1: apps carry an ECDSA P-256
// signature, and the bootloader is written one sector lower behind its reflashable
// digest, keyed by the secret ESP-IDF derives from the signing key.
func TestSecureBootV1(t *testing.T) {
	dir := t.TempDir()
	app, _ := testimage.App(testimage.AppSpec{Chip: "esp32", Project: "v1", Version: "1"})
	bl, _ := testimage.BootloaderWith(testimage.AppSpec{Chip: "esp32", FlashSize: "4MB"})
	_ = os.WriteFile(filepath.Join(dir, "app.bin"), app, 0o644)
	_ = os.WriteFile(filepath.Join(dir, "bootloader.bin"), bl, 0o644)
	manifest := `
espcompose { version = 1 }
target {
  chip       = "esp32"
  flash_size = "4MB"
}
key "sb" {
  algorithm = "ecdsa-p256"
  file      = "keys/sb.pem"
  create    = true
}
security {
  secure_boot {
    version = 1
    keys    = [key.sb]
  }
}
image "bootloader" {
  file = "bootloader.bin"
}
image "app" {
  file = "app.bin"
}
bootloader {
  image = image.bootloader
}
partition "factory" {
  type     = "app"
  subtype  = "factory"
  size     = "1M"
  contents = image.app
}
`
	_ = os.WriteFile(filepath.Join(dir, "espcompose.hcl"), []byte(manifest), 0o644)
	dist := filepath.Join(dir, "dist")
	code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "build", "-f", filepath.Join(dir, "espcompose.hcl"), "-o", dist)
	if code != 0 {
		t.Fatal(stderr)
	}
	keyPEM, _ := os.ReadFile(filepath.Join(dir, "keys", "sb.pem"))
	k, err := secureboot.ParsePrivateKeyPEM(keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	signed, _ := os.ReadFile(filepath.Join(dist, "partitions", "factory.bin"))
	if err := secureboot.VerifyV1(k.Public(), signed); err != nil || !bytes.HasPrefix(signed, app) {
		t.Errorf("app signature: %v", err)
	}
	region, _ := os.ReadFile(filepath.Join(dist, "bootloader.bin"))
	if len(region) < 0x1000+0x100 || region[0x1000] != 0xE9 {
		t.Fatal("bootloader.bin should be the digest sector followed by the bootloader")
	}
	patched, err := appimage.SetFlashParams(bl, "esp32", "keep", "keep", "4MB")
	if err != nil {
		t.Fatal(err)
	}
	sbKey, _ := secureboot.DigestPrivateKeyV1(k, 256)
	want, err := secureboot.DigestSecureBootloader(sbKey, region[:128], patched)
	if err != nil || !bytes.Equal(want, region) {
		t.Errorf("the digest sector does not match the bootloader under the derived key: %v", err)
	}
	fa, _ := os.ReadFile(filepath.Join(dist, "flash_args"))
	if !strings.Contains(string(fa), "0x0 bootloader.bin") {
		t.Errorf("V1 bootloader image must be flashed at 0x0:\n%s", fa)
	}
	plan, _ := os.ReadFile(filepath.Join(dist, "efuse-plan.sh"))
	if !bytes.Contains(plan, []byte("digest_private_key --keyfile 'keys/sb.pem' --keylen 256")) || !bytes.Contains(plan, []byte("ABS_DONE_0")) {
		t.Errorf("eFuse plan:\n%s", plan)
	}
}
