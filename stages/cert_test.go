package stages_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/internal/signers"
	"github.com/espcompose/espcompose/stages"
)

type keyMap map[string][]byte

func (m keyMap) Secret(name string) ([]byte, error) { return m[name], nil }

var master = bytes.Repeat([]byte{0x5A}, 32)

func TestDeriveECDSAP256(t *testing.T) {
	a, err := stages.DeriveECDSAP256(master, "device", "FCT-000001")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := stages.DeriveECDSAP256(master, "device", "FCT-000001")
	if !a.Equal(b) {
		t.Fatal("the same inputs derived two keys")
	}
	for _, other := range [][2]string{{"device", "FCT-000002"}, {"other", "FCT-000001"}} {
		c, _ := stages.DeriveECDSAP256(master, other[0], other[1])
		if a.Equal(c) {
			t.Errorf("%v derived the same key", other)
		}
	}
	// Pinned: a change here changes every derived device key in the field.
	d, _ := a.Bytes()
	if got := hex.EncodeToString(d); got != pinnedScalar {
		t.Errorf("derived scalar %s, pinned %s", got, pinnedScalar)
	}
	// The definition, recomputed with the standard library's HKDF (not x/crypto's): the
	// first 32-byte block is below the group order here, so it is the scalar.
	okm, err := hkdf.Key(sha256.New, master, []byte("espcompose device key v1"), "ecdsa-p256\x00device\x00FCT-000001", 32)
	if err != nil || !bytes.Equal(okm, d) {
		t.Errorf("the scalar is not HKDF-SHA256(master, salt, info)[:32]")
	}
	if _, err := stages.DeriveECDSAP256(master[:8], "device", "x"); err == nil {
		t.Error("an 8-byte master secret was accepted")
	}
}

const pinnedScalar = "0d896ca940307b55fec78821cb7e59836c9219b7017a9cd78d0d17ab9ea67e9b"

// testCA makes a CA key (as a signer back-end sees it) and its certificate.
func testCA(t *testing.T, key any) (stages.Signer, *x509.Certificate) {
	t.Helper()
	var der []byte
	var typ string
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		der, _ = x509.MarshalECPrivateKey(k)
		typ = "EC PRIVATE KEY"
	case *rsa.PrivateKey:
		der, typ = x509.MarshalPKCS1PrivateKey(k), "RSA PRIVATE KEY"
	}
	s, err := signers.NewLocalPEM("ca", pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), nil)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2060, 1, 1, 0, 0, 0, 0, time.UTC),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	var caDER []byte
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		caDER, err = x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	case *rsa.PrivateKey:
		caDER, err = x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	}
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	return s, ca
}

func issue(t *testing.T, s stages.Signer, ca *x509.Certificate, id string) ([]byte, error) {
	st := &stages.Cert{Name: "device", DeviceID: id, CAKey: "ca", CACert: ca.Raw,
		Key:        stages.DeviceKey{Algorithm: "ecdsa-p256", Derive: "master", DeviceID: id, Label: "device"},
		CommonName: id, DNSNames: []string{strings.ToLower(id) + ".example.com"},
		NotBefore: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), Validity: 20 * 365 * 24 * time.Hour}
	env := &stages.Env{FS: afero.NewMemMapFs(), Keys: keyMap{"master": master}, Signers: signers.Set{"ca": s}}
	a, err := st.Run(context.Background(), env, nil)
	return a.Data, err
}

func TestCertIssueDeterministicAndVerifies(t *testing.T) {
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 3072)
	for name, key := range map[string]any{"ecdsa-p256": ecKey, "rsa-3072": rsaKey} {
		t.Run(name, func(t *testing.T) {
			s, ca := testCA(t, key)
			a, err := issue(t, s, ca, "FCT-000007")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := issue(t, s, ca, "FCT-000007")
			if !bytes.Equal(a, b) {
				t.Fatal("issuing twice gave two certificates")
			}
			dev, err := x509.ParseCertificate(a)
			if err != nil {
				t.Fatal(err)
			}
			pool := x509.NewCertPool()
			pool.AddCert(ca)
			if _, err := dev.Verify(x509.VerifyOptions{Roots: pool, DNSName: "fct-000007.example.com",
				CurrentTime: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
				t.Fatal(err)
			}
			if dev.SerialNumber.Sign() <= 0 || len(dev.SerialNumber.Bytes()) > 20 {
				t.Errorf("serial %x", dev.SerialNumber)
			}
			want, _ := stages.DeriveECDSAP256(master, "device", "FCT-000007")
			if !want.PublicKey.Equal(dev.PublicKey) {
				t.Error("the certificate is not for the derived key")
			}
			other, _ := issue(t, s, ca, "FCT-000008")
			o, _ := x509.ParseCertificate(other)
			if o.SerialNumber.Cmp(dev.SerialNumber) == 0 {
				t.Error("two devices got the same serial")
			}
		})
	}
}

func TestCertRefusesForeignCAKey(t *testing.T) {
	k1, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k2, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	s, _ := testCA(t, k1)
	_, ca := testCA(t, k2)
	if _, err := issue(t, s, ca, "X"); err == nil || !strings.Contains(err.Error(), "does not match the CA certificate") {
		t.Fatalf("err = %v", err)
	}
}

// rawSigner stands for a remote back-end (signer command, HSM) that returns ECDSA
// signatures as raw r||s, which the CA adapter must turn into X.509's DER.
type rawSigner struct{ k *ecdsa.PrivateKey }

func (r rawSigner) PublicKey() (*secureboot.PublicKey, error) {
	return &secureboot.PublicKey{Scheme: secureboot.SchemeECDSAP256, X: r.k.X, Y: r.k.Y}, nil
}

func (r rawSigner) SignDigest(_ context.Context, digest []byte) ([]byte, error) {
	rr, ss, err := ecdsa.Sign(rand.Reader, r.k, digest)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 64)
	rr.FillBytes(out[:32])
	ss.FillBytes(out[32:])
	return out, nil
}

func TestCertRemoteSignerRawSignature(t *testing.T) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, ca := testCA(t, k)
	der, err := issue(t, rawSigner{k}, ca, "FCT-000009")
	if err != nil {
		t.Fatal(err)
	}
	dev, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if err := dev.CheckSignatureFrom(ca); err != nil {
		t.Fatal(err)
	}
}
