package main

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/encimg"
	"github.com/espcompose/espcompose/format/flashenc"
	"github.com/espcompose/espcompose/format/otadata"
)

// TestPerSlotOTAArtifacts is seed 002: flash encryption is keyed by address, so each OTA
// slot gets its own ciphertext of the same signed app, listed in ota/manifest.json; and
// blank otadata is itself pre-encrypted.
func TestPerSlotOTAArtifacts(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "secure-production"), dir)
	dist := filepath.Join(dir, "dist")
	code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "build", "-f", filepath.Join(dir, "espcompose.hcl"), "-o", dist)
	if code != 0 {
		t.Fatal(stderr)
	}
	key, _ := os.ReadFile(filepath.Join(dir, "keys", "flash_encryption_key.bin"))
	raw, _ := os.ReadFile(filepath.Join(dist, "ota", "manifest.json"))
	var m struct {
		Slots []struct {
			Slot, Offset, File, SHA256 string
			Encrypted                  bool
		} `json:"slots"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Slots) != 2 {
		t.Fatalf("want two slots, got %+v", m.Slots)
	}
	var cipher, plain [][]byte
	for _, s := range m.Slots {
		data, _ := os.ReadFile(filepath.Join(dist, s.File))
		off, _ := strconv.ParseUint(s.Offset, 0, 32)
		p := make([]byte, len(data))
		if err := flashenc.Decrypt(p, data, key, uint32(off), flashenc.Options{Scheme: flashenc.XTSAES128}); err != nil {
			t.Fatal(err)
		}
		if !s.Encrypted || p[0] != 0xE9 {
			t.Errorf("slot %s does not decrypt to an image at %s", s.Slot, s.Offset)
		}
		cipher, plain = append(cipher, data), append(plain, p)
	}
	if bytes.Equal(cipher[0], cipher[1]) {
		t.Error("both slots have the same ciphertext; encryption must depend on the slot address")
	}
	if !bytes.Equal(plain[0], plain[1]) {
		t.Error("the slots decrypt to different images")
	}
	// The network package decrypts, with the device's private key, to the same signed app.
	pkg, err := os.ReadFile(filepath.Join(dist, "ota", "app", "app-encrypted.bin"))
	if err != nil {
		t.Fatal(err)
	}
	devPEM, _ := os.ReadFile(filepath.Join(dir, "device", "ota_rsa_private.pem"))
	blk, _ := pem.Decode(devPEM)
	dev, err := x509.ParsePKCS1PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	app, err := encimg.Decrypt(pkg, dev)
	if err != nil || !bytes.Equal(app, plain[0][:len(app)]) || len(app) < len(plain[0])-128 {
		t.Errorf("encrypted package does not decrypt to the signed app: %v", err)
	}
	if bytes.Contains(pkg, app[:256]) {
		t.Error("plaintext visible in the encrypted package")
	}
	slot0, _ := os.ReadFile(filepath.Join(dist, "partitions", "ota_0.bin"))
	if !bytes.Equal(slot0, cipher[0]) {
		t.Error("ota/app/ota_0.bin differs from the factory image's ota_0")
	}
	enc, _ := os.ReadFile(filepath.Join(dist, "partitions", "otadata.bin"))
	if bytes.Equal(enc, otadata.Blank()) {
		t.Fatal("blank otadata was written in plaintext; the bootloader would read garbage")
	}
	dec := make([]byte, len(enc))
	_ = flashenc.Decrypt(dec, enc, key, 0xf000, flashenc.Options{Scheme: flashenc.XTSAES128})
	if !bytes.Equal(dec, otadata.Blank()) {
		t.Error("otadata does not decrypt to blank")
	}
}

// TestEncryptedPackageECIES: a P-256 device key selects the ECIES scheme.
func TestEncryptedPackageECIES(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "secure-production"), dir)
	hmacKey := bytes.Repeat([]byte{7}, 32)
	dev, err := encimg.DeviceKey(hmacKey)
	if err != nil {
		t.Fatal(err)
	}
	ecPub, err := ecdh.P256().NewPublicKey(dev.PublicKey().Bytes())
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(mustECDSA(t, ecPub))
	if err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(filepath.Join(dir, "keys", "ota_rsa_pub.pem"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644)
	dist := filepath.Join(dir, "dist")
	if code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "build", "-f", filepath.Join(dir, "espcompose.hcl"), "-o", dist); code != 0 {
		t.Fatal(stderr)
	}
	pkg, _ := os.ReadFile(filepath.Join(dist, "ota", "app", "app-encrypted.bin"))
	app, err := encimg.DecryptECIES(pkg, dev)
	if err != nil || app[0] != 0xE9 {
		t.Fatalf("ECIES package does not decrypt with the device key: %v", err)
	}
}

func mustECDSA(t *testing.T, k *ecdh.PublicKey) *ecdsa.PublicKey {
	t.Helper()
	b := k.Bytes() // 0x04 || X || Y
	x, y := new(big.Int).SetBytes(b[1:33]), new(big.Int).SetBytes(b[33:])
	return &ecdsa.PublicKey{Curve: elliptic.P256(), X: x, Y: y}
}
