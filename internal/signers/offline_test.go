package signers

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

func TestOffline(t *testing.T) {
	for _, name := range testKeys {
		t.Run(name, func(t *testing.T) {
			fs := afero.NewCopyOnWriteFs(testFS(), afero.NewMemMapFs())
			if err := fs.MkdirAll("sigs", 0o755); err != nil {
				t.Fatal(err)
			}
			o, err := NewOffline(fs, name, "sigs", name+".pub.pem")
			if err != nil {
				t.Fatal(err)
			}
			pub, _ := o.PublicKey()
			_, digest := digestFor(t, pub.Scheme)

			// Phase one: the digest is not signed yet.
			_, err = o.SignDigest(context.Background(), digest)
			var missing *MissingSignatureError
			if !errors.Is(err, ErrSignatureMissing) || !errors.As(err, &missing) {
				t.Fatalf("unsigned digest: %v", err)
			}
			file := filepath.Join("sigs", SignatureFile(digest))
			if missing.File != file || !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), SignatureFile(digest)[:64]) {
				t.Errorf("error does not name the digest and file %s: %v", file, err)
			}

			// The service returns a signature that does not match.
			other := privateKey(t, map[bool]string{true: "p256", false: "rsa3072"}[name == "rsa3072"])
			bad, err := NewLocalKey("x", other, nil).SignDigest(context.Background(), make([]byte, digestLen(other.Scheme)))
			if err != nil {
				t.Fatal(err)
			}
			if err := afero.WriteFile(fs, file, bad, 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := o.SignDigest(context.Background(), digest); err == nil || !strings.Contains(err.Error(), `key "`+name+`"`) || !strings.Contains(err.Error(), "does not verify") {
				t.Errorf("wrong signature: %v", err)
			}

			// Phase two: the service's signature is in place.
			sig, err := NewLocalKey(name, privateKey(t, name), nil).SignDigest(context.Background(), digest)
			if err != nil {
				t.Fatal(err)
			}
			if err := afero.WriteFile(fs, file, sig, 0o644); err != nil {
				t.Fatal(err)
			}
			signAndCheck(t, o)
		})
	}
}

func TestOfflineBadPublicKey(t *testing.T) {
	if _, err := NewOffline(testFS(), "fw", "sigs", "p256.pem"); err == nil || !strings.Contains(err.Error(), `key "fw"`) {
		t.Errorf("private key as public key: %v", err)
	}
	if _, err := NewOffline(testFS(), "fw", "sigs", "nope.pem"); err == nil {
		t.Error("missing public key accepted")
	}
}
