package stages

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/format/secureboot"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../format/secureboot/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestValidateKey covers every kind of key file build would refuse, and that each is
// refused with what was found and what is needed.
func TestValidateKey(t *testing.T) {
	edDER, _ := x509.MarshalPKCS8PrivateKey(ed25519.NewKeyFromSeed(make([]byte, 32)))
	ed := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: edDER})
	good, _ := nvs.KeysFromBytes(make([]byte, 64))
	img := good.MarshalPartition()
	bad := append([]byte(nil), img...)
	bad[0x41] ^= 0xff
	for _, tc := range []struct {
		alg  string
		data []byte
		kind error
		want string
	}{
		{"xts-aes-128", nil, ErrKeyLength, "exactly 32 bytes (256 bits); this file has 0 bytes"},
		{"xts-aes-128", make([]byte, 31), ErrKeyLength, "this file has 31 bytes"},
		{"xts-aes-128", make([]byte, 32), nil, ""},
		{"xts-aes-256", make([]byte, 32), ErrKeyLength, "exactly 64 bytes"},
		{"xts-aes-128-derived", make([]byte, 16), nil, ""},
		{"aes-256", make([]byte, 24), ErrKeyLength, "exactly 32 bytes"},
		{"nvs-hmac", make([]byte, 16), ErrKeyLength, "exactly 32 bytes"},
		{"nvs-xts", img, nil, ""},
		{"nvs-xts", bad, ErrKeyDamaged, "CRC32 at byte offset 0x40"},
		{"nvs-xts", img[:64], ErrKeyLength, "64 bytes, want 4096"},
		{"rsa-3072", fixture(t, "rsa3072.pem"), nil, ""},
		{"rsa-3072", fixture(t, "rsa3072_pkcs8.pem"), nil, ""},
		{"rsa-3072", fixture(t, "rsa2048.pem"), ErrKeyKind, "holds an RSA-2048 private key; algorithm \"rsa-3072\" needs an RSA private key of exactly 3072 bits"},
		{"rsa-3072", fixture(t, "p256_sec1.pem"), ErrKeyKind, "holds an EC P-256 private key"},
		{"ecdsa-p256", fixture(t, "p256_sec1.pem"), nil, ""},
		{"ecdsa-p256", fixture(t, "p256_pkcs8.pem"), nil, ""},
		{"ecdsa-p192", fixture(t, "p192_sec1.pem"), nil, ""},
		{"ecdsa-p192", fixture(t, "p192_pkcs8.pem"), nil, ""},
		{"ecdsa-p384", fixture(t, "p384_sec1.pem"), nil, ""},
		{"ecdsa-p256", fixture(t, "p521_sec1.pem"), ErrKeyKind, "holds an EC P-521 private key"},
		{"ecdsa-p256", ed, ErrKeyKind, "holds an Ed25519 private key"},
		{"ecdsa-p256", fixture(t, "p256_pub.pem"), ErrKeyKind, "use public_key with a signer/pkcs11, or give the private key"},
		{"ecdsa-p384", fixture(t, "p256_sec1.pem"), ErrKeyKind, "needs an EC private key on curve P-384"},
		{"rsa-3072", []byte("not a key"), ErrKeyFormat, "no PEM key found"},
	} {
		err := ValidateKey(tc.alg, tc.data)
		switch {
		case tc.kind == nil && err != nil:
			t.Errorf("%s: unexpected error %v", tc.alg, err)
		case tc.kind != nil && (err == nil || !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: got %v, want %v containing %q", tc.alg, err, tc.kind, tc.want)
		}
	}
}

func TestValidatePublicKey(t *testing.T) {
	for _, tc := range []struct {
		alg, file string
		want      string
	}{
		{"ecdsa-p256", "p256_pub.pem", ""},
		{"rsa-3072", "rsa3072_pub.pem", ""},
		{"ecdsa-p192", "p192_pub.pem", ""},
		{"ecdsa-p256", "p384_pub.pem", "holds an EC P-384 public key"},
		{"ecdsa-p256", "p256_sec1.pem", "public_key takes only the public half"},
		{"ecdsa-p384", "rsa3072_pub.pem", "holds an RSA-3072 public key"},
	} {
		err := ValidatePublicKey(tc.alg, fixture(t, tc.file))
		if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s %s: got %v, want %q", tc.alg, tc.file, err, tc.want)
		}
	}
}

func TestPackagePublicKey(t *testing.T) {
	for file, want := range map[string]string{
		"rsa3072_pub.pem": "", "p256_pub.pem": "",
		"p384_pub.pem":  "EC P-384 public key; an encrypted OTA package is made for an RSA-3072 or an EC P-256",
		"rsa3072.pem":   "holds an RSA-3072 private key",
		"p192_pub.pem":  "EC P-192 public key",
		"rsa2048.pem":   "RSA-2048 private key",
		"p256_sec1.pem": "EC P-256 private key",
	} {
		_, err := PackagePublicKey(fixture(t, file))
		if (err == nil) != (want == "") || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("%s: got %v, want %q", file, err, want)
		}
	}
}

// TestFlashScheme: the algorithm picks the scheme, or the chip refuses it; a key's
// length never turns one algorithm into another.
func TestFlashScheme(t *testing.T) {
	for _, tc := range []struct{ chip, alg, want string }{
		{"esp32", "aes-256", ""},
		{"esp32", "aes-192", ""},
		{"esp32", "xts-aes-128", "esp32 has no xts-aes-128 flash encryption; it supports aes-192 or aes-256"},
		{"esp32c3", "xts-aes-128", ""},
		{"esp32c3", "xts-aes-256", "esp32c3 has no xts-aes-256"},
		{"esp32c3", "aes-256", "esp32c3 has no aes-256"},
		{"esp32c2", "xts-aes-128-derived", ""},
		{"esp32c2", "xts-aes-128", ""},
		{"esp32c6", "xts-aes-128-derived", "esp32c6 has no xts-aes-128-derived"},
		{"esp32s3", "xts-aes-256", ""},
		{"esp32p4", "xts-aes-256", ""},
		{"esp32c2", "aes-128", "\"aes-128\" is not a flash encryption algorithm"},
	} {
		_, err := FlashScheme(tc.chip, tc.alg)
		if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s %s: got %v, want %q", tc.chip, tc.alg, err, tc.want)
		}
	}
}

type memKeys map[string][]byte

func (m memKeys) Secret(name string) ([]byte, error) { return m[name], nil }

// TestEncryptRefusesUndeclaredScheme is the stage's backstop: a 32-byte key declared
// xts-aes-128 is not used as the ESP32's AES-256.
func TestEncryptRefusesUndeclaredScheme(t *testing.T) {
	env := &Env{Keys: memKeys{"k": make([]byte, 32)}}
	in := []Artifact{NewArtifact(make([]byte, 64))}
	_, err := (&Encrypt{Name: "x", KeyName: "k", Algorithm: "xts-aes-128", Chip: "esp32"}).Run(context.Background(), env, in)
	if err == nil || !strings.Contains(err.Error(), "esp32 has no xts-aes-128") {
		t.Fatalf("got %v", err)
	}
	if _, err := (&Encrypt{Name: "x", KeyName: "k", Algorithm: "aes-256", Chip: "esp32", CryptConfig: 0xf}).Run(context.Background(), env, in); err != nil {
		t.Fatal(err)
	}
}

// TestCanGenerate keeps CanGenerate and GenerateKey in step (RSA is left out: slow).
func TestCanGenerate(t *testing.T) {
	for _, alg := range []string{"aes-128", "aes-192", "aes-256", "xts-aes-128", "xts-aes-128-derived", "xts-aes-256",
		"ecdsa-p192", "ecdsa-p256", "ecdsa-p384", "nvs-xts", "nvs-hmac", "hmac"} {
		data, err := GenerateKey(alg, zeroReader{})
		if CanGenerate(alg) != (err == nil) {
			t.Errorf("%s: CanGenerate %v, GenerateKey error %v", alg, CanGenerate(alg), err)
		}
		if err == nil {
			if verr := ValidateKey(alg, data); verr != nil {
				t.Errorf("%s: a generated key fails validation: %v", alg, verr)
			}
		}
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i + 1)
	}
	return len(p), nil
}

type fixedSigners struct{ pub *secureboot.PublicKey }

func (f fixedSigners) Signer(string) (Signer, error)             { return f, nil }
func (f fixedSigners) PublicKey() (*secureboot.PublicKey, error) { return f.pub, nil }
func (f fixedSigners) SignDigest(context.Context, []byte) ([]byte, error) {
	return nil, errors.New("not used")
}

// TestSignerKeyRefusesOtherAlgorithm: a signer (a PKCS#11 token) whose key is not the
// declared algorithm stops the build before anything is signed with it.
func TestSignerKeyRefusesOtherAlgorithm(t *testing.T) {
	pub, err := secureboot.ParsePublicKeyPEM(fixture(t, "p384_pub.pem"))
	if err != nil {
		t.Fatal(err)
	}
	env := &Env{Signers: fixedSigners{pub}}
	_, err = (&SignerKey{Name: "sb", Algorithm: "ecdsa-p256"}).Run(context.Background(), env, nil)
	if err == nil || !strings.Contains(err.Error(), `the signer's key is ecdsa-p384, but the manifest declares algorithm "ecdsa-p256"`) {
		t.Fatalf("got %v", err)
	}
	if _, err := (&SignerKey{Name: "sb", Algorithm: "ecdsa-p384"}).Run(context.Background(), env, nil); err != nil {
		t.Fatal(err)
	}
}
