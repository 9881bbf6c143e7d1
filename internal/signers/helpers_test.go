package signers

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/stages"
)

// testKeys are the fixtures in testdata: <name>.pem (private) and <name>.pub.pem.
var testKeys = []string{"rsa3072", "p256", "p384", "p192"}

func testFS() afero.Fs {
	return afero.NewReadOnlyFs(afero.NewBasePathFs(afero.NewOsFs(), "testdata"))
}

func privateKey(t testing.TB, name string) *secureboot.PrivateKey {
	t.Helper()
	data, err := afero.ReadFile(testFS(), name+".pem")
	if err != nil {
		t.Fatal(err)
	}
	k, err := secureboot.ParsePrivateKeyPEM(data)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testImage is an unaligned fake app image; PrepareV2 pads it.
func testImage() []byte {
	return bytes.Repeat([]byte("espcompose signer test image "), 300)
}

// digestFor returns the digest the codec asks a signer for, for scheme.
func digestFor(t testing.TB, s secureboot.Scheme) (*secureboot.Unsigned, []byte) {
	t.Helper()
	u, err := secureboot.PrepareV2(testImage(), secureboot.PrepareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return u, u.Digest(s)
}

// signAndCheck drives a signer the way the signing stage does and checks the signed
// image end to end with the codec's verifier.
func signAndCheck(t *testing.T, s stages.Signer) []byte {
	t.Helper()
	pub, err := s.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	u, digest := digestFor(t, pub.Scheme)
	sig, err := s.SignDigest(context.Background(), digest)
	if err != nil {
		t.Fatal(err)
	}
	blk, err := secureboot.NewSignatureBlock(pub, digest, sig)
	if err != nil {
		t.Fatalf("signature does not verify: %v", err)
	}
	if !bytes.Equal(blk.Signature, sig) {
		t.Errorf("signature is not in canonical form: %d bytes", len(sig))
	}
	img, err := u.Assemble(blk)
	if err != nil {
		t.Fatal(err)
	}
	st, err := secureboot.VerifyV2(img, pub)
	if err != nil || !st[0].Verified {
		t.Fatalf("VerifyV2: %v %+v", err, st)
	}
	return sig
}

func testdataPath(t testing.TB, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}
