package signers

import (
	"bytes"
	"context"
	"crypto/rand"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

func TestLocalSignsEveryScheme(t *testing.T) {
	for _, name := range testKeys {
		t.Run(name, func(t *testing.T) {
			l, err := NewLocal(testFS(), name, name+".pem", nil)
			if err != nil {
				t.Fatal(err)
			}
			a := signAndCheck(t, l)
			b := signAndCheck(t, l)
			if !bytes.Equal(a, b) {
				t.Error("signatures without a random source differ; want deterministic")
			}
			want := privateKey(t, name).Public()
			if got, _ := l.PublicKey(); !got.Equal(want) {
				t.Error("public key differs from the key file's")
			}
		})
	}
}

func TestLocalRandomized(t *testing.T) {
	l, err := NewLocal(testFS(), "rsa", "rsa3072.pem", rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(signAndCheck(t, l), signAndCheck(t, l)) {
		t.Error("RSA-PSS signatures with a random source are equal; want fresh salts")
	}
}

func TestLocalErrors(t *testing.T) {
	mem := afero.NewMemMapFs()
	secret := "-----BEGIN EC PRIVATE KEY-----\nU0VDUkVULU1BUktFUg==\n-----END EC PRIVATE KEY-----\n"
	if err := afero.WriteFile(mem, "bad.pem", []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := NewLocal(mem, "fw", "bad.pem", nil)
	if err == nil || !strings.Contains(err.Error(), `key "fw"`) || strings.Contains(err.Error(), "U0VDUkVU") {
		t.Errorf("bad key: %v", err)
	}
	if _, err := NewLocal(mem, "fw", "missing.pem", nil); err == nil || !strings.Contains(err.Error(), "missing.pem") {
		t.Errorf("missing key: %v", err)
	}
	if _, err := NewLocal(nil, "fw", "x.pem", nil); err == nil {
		t.Error("nil fs accepted")
	}

	l := NewLocalKey("fw", privateKey(t, "p384"), nil)
	if _, err := l.SignDigest(context.Background(), make([]byte, 32)); err == nil || !strings.Contains(err.Error(), "48-byte") {
		t.Errorf("SHA-256 digest for P-384: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.SignDigest(ctx, make([]byte, 48)); err == nil {
		t.Error("cancelled context accepted")
	}
}
