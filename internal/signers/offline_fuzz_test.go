package signers

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/secureboot"
)

// FuzzOfflineSignature reads the signature folder an offline signing service hands
// back: a public key and "<digest>.sig" files, whatever they hold. Invariants: no
// panic; a missing file is ErrSignatureMissing naming it; a signature is returned
// only in canonical form and only when it verifies with the key over the digest;
// the signer never writes to the folder.
func FuzzOfflineSignature(f *testing.F) {
	keys := []string{"p256", "rsa3072", "p384", "p192"}
	for i, name := range keys {
		k := privateKey(f, name)
		_, digest := digestFor(f, k.Scheme)
		sig, err := NewLocalKey(name, k, nil).SignDigest(context.Background(), digest)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), sig, false, []byte(nil))
	}
	pub, _ := afero.ReadFile(testFS(), "p256.pub.pem")
	f.Add(uint8(0), []byte{}, true, []byte(nil))
	f.Add(uint8(0), bytes.Repeat([]byte{1}, 64), false, pub)
	f.Add(uint8(1), bytes.Repeat([]byte{0xFF}, 384), false, []byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"))
	f.Fuzz(func(t *testing.T, which uint8, sig []byte, missing bool, pubPEM []byte) {
		name := keys[int(which)%len(keys)]
		mem := afero.NewMemMapFs()
		pubPath := "/keys/release.pub.pem"
		if pubPEM == nil {
			pubPEM, _ = afero.ReadFile(testFS(), name+".pub.pem")
		}
		_ = afero.WriteFile(mem, pubPath, pubPEM, 0o644)
		_ = mem.MkdirAll("/sigs", 0o755)
		o, err := NewOffline(mem, name, "/sigs", pubPath)
		if err != nil {
			return // not a usable public key: refused before any signature is read
		}
		key, _ := o.PublicKey()
		_, digest := digestFor(t, key.Scheme)
		file := filepath.Join("/sigs", SignatureFile(digest))
		if !missing {
			_ = afero.WriteFile(mem, file, sig, 0o644)
		}
		before := snapshot(t, mem)
		got, err := o.SignDigest(context.Background(), digest)
		if after := snapshot(t, mem); after != before {
			t.Fatal("the offline signer changed its folder")
		}
		if missing {
			var me *MissingSignatureError
			if !errors.Is(err, ErrSignatureMissing) || !errors.As(err, &me) || me.File != file {
				t.Fatalf("missing signature: %v", err)
			}
			return
		}
		if err != nil {
			return
		}
		blk, err := secureboot.NewSignatureBlock(key, digest, got)
		if err != nil {
			t.Fatalf("returned a signature that does not verify: %v", err)
		}
		if !bytes.Equal(blk.Signature, got) {
			t.Fatal("returned a signature not in canonical form")
		}
	})
}

// snapshot lists every file of fs with its content.
func snapshot(t *testing.T, fs afero.Fs) string {
	t.Helper()
	var b bytes.Buffer
	err := afero.Walk(fs, "/", func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		data, err := afero.ReadFile(fs, p)
		b.WriteString(p + "\x00")
		b.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
