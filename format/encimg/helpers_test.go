package encimg

import (
	"crypto/ecdh"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
)

// testSecret is the deterministic-mode secret of every golden package.
var testSecret = []byte("espcompose encimg test secret v1")

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func pemBlock(t testing.TB, name string) []byte {
	t.Helper()
	blk, _ := pem.Decode(readTestdata(t, name))
	if blk == nil {
		t.Fatalf("%s: no PEM block", name)
	}
	return blk.Bytes
}

func testRSAKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := x509.ParsePKCS8PrivateKey(pemBlock(t, "rsa3072_private.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PrivateKey)
}

func testDeviceKey(t testing.TB) *ecdh.PrivateKey {
	t.Helper()
	k, err := DeviceKey(readTestdata(t, "device_hmac_key.bin"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}
