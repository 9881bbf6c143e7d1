package secureboot

import (
	"bytes"
	"errors"
	"math/big"
	"testing"
)

func TestParseKeys(t *testing.T) {
	for _, tc := range []struct {
		base   string
		scheme Scheme
	}{
		{"p192", SchemeECDSAP192}, {"p256", SchemeECDSAP256}, {"p384", SchemeECDSAP384}, {"rsa3072", SchemeRSA3072},
	} {
		var forms []string
		if tc.scheme == SchemeRSA3072 {
			forms = []string{"rsa3072.pem", "rsa3072_pkcs8.pem"}
		} else {
			forms = []string{tc.base + "_sec1.pem", tc.base + "_pkcs8.pem"}
		}
		pubPEM := readTestdata(t, tc.base+"_pub.pem")
		for _, f := range forms {
			k := loadKey(t, f)
			if k.Scheme != tc.scheme {
				t.Fatalf("%s: scheme %v", f, k.Scheme)
			}
			got, err := k.Public().MarshalPEM()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, pubPEM) {
				t.Errorf("%s: public PEM differs from OpenSSL's:\n%s", f, got)
			}
			viaAny, err := ParseKeyPEM(readTestdata(t, f))
			if err != nil || !viaAny.Equal(k.Public()) {
				t.Errorf("%s: ParseKeyPEM: %v", f, err)
			}
		}
		pub, err := ParseKeyPEM(pubPEM)
		if err != nil || !pub.Equal(loadKey(t, forms[0]).Public()) {
			t.Errorf("%s_pub.pem: %v", tc.base, err)
		}
	}
}

func TestParseKeyWithECParameters(t *testing.T) {
	k := loadKey(t, "p256_with_params.pem")
	if k.Scheme != SchemeECDSAP256 {
		t.Fatalf("scheme %v", k.Scheme)
	}
}

func TestParseKeyErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"rsa2048", readTestdata(t, "rsa2048.pem"), ErrKeyType},
		{"p521", readTestdata(t, "p521_sec1.pem"), ErrKeyType},
		{"garbage", []byte("not a key"), ErrKeyFormat},
		{"truncated", readTestdata(t, "p256_sec1.pem")[:100], ErrKeyFormat},
		{"encrypted", []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n"), ErrKeyFormat},
	} {
		if _, err := ParseKeyPEM(tc.data); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := ParsePublicKeyPEM(readTestdata(t, "p256_sec1.pem")); !errors.Is(err, ErrKeyFormat) {
		t.Errorf("private key as public: %v", err)
	}
	pub := readTestdata(t, "p256_pub.pem")
	bad := bytes.Replace(pub, []byte("A"), []byte("B"), 1)
	if _, err := ParsePublicKeyPEM(bad); err == nil {
		t.Errorf("point off the curve accepted")
	}
}

func TestV1Keys(t *testing.T) {
	k := loadKey(t, "p256_sec1.pem")
	raw, err := PublicKeyV1(k.Public())
	if err != nil || len(raw) != 64 {
		t.Fatalf("PublicKeyV1: %v", err)
	}
	for name, data := range map[string][]byte{
		"sec1": readTestdata(t, "p256_sec1.pem"), "pub": readTestdata(t, "p256_pub.pem"), "raw": raw,
	} {
		pub, err := ParseVerificationKeyV1(data)
		if err != nil || !pub.Equal(k.Public()) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// verify_signature --version 1 does not take PKCS#8 private keys.
	if _, err := ParseVerificationKeyV1(readTestdata(t, "p256_pkcs8.pem")); !errors.Is(err, ErrKeyFormat) {
		t.Errorf("pkcs8: %v", err)
	}
	for _, f := range []string{"p192_sec1.pem", "p384_sec1.pem", "rsa3072.pem"} {
		other := loadKey(t, f)
		if _, err := SignV1(other, []byte("x")); !errors.Is(err, ErrKeyType) {
			t.Errorf("SignV1 with %s: %v", f, err)
		}
		if _, err := DigestPrivateKeyV1(other, 256); !errors.Is(err, ErrKeyType) {
			t.Errorf("DigestPrivateKeyV1 with %s: %v", f, err)
		}
	}
	if _, err := DigestPrivateKeyV1(k, 128); !errors.Is(err, ErrKeyType) {
		t.Errorf("keylen 128: %v", err)
	}
}

func TestSignVerifyV1(t *testing.T) {
	k := loadKey(t, "p256_pkcs8.pem")
	data := testImage(1000)
	signed, err := SignV1(k, data)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(signed[:len(data)], data) || len(signed) != len(data)+V1SignatureLen {
		t.Fatal("signed layout")
	}
	if err := VerifyV1(k.Public(), signed); err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(signed)
	bad[10] ^= 1
	if err := VerifyV1(k.Public(), bad); !errors.Is(err, ErrInvalidSignature) {
		t.Errorf("corrupted data: %v", err)
	}
	bad = bytes.Clone(signed)
	bad[len(data)] = 1
	if err := VerifyV1(k.Public(), bad); !errors.Is(err, ErrBlock) {
		t.Errorf("version 1 trailer: %v", err)
	}
	if err := VerifyV1(k.Public(), signed[:10]); !errors.Is(err, ErrImage) {
		t.Errorf("short: %v", err)
	}
}

func TestBootloaderDigestErrors(t *testing.T) {
	img := make([]byte, 256)
	img[0] = espImageMagic
	if _, err := DigestSecureBootloader(make([]byte, 64), nil, img); !errors.Is(err, ErrHardwareKey) {
		t.Errorf("64-byte key: %v", err)
	}
	if _, err := DigestSecureBootloader(make([]byte, 32), nil, make([]byte, 256)); !errors.Is(err, ErrImage) {
		t.Errorf("bad magic: %v", err)
	}
	img[hashAppendedOffset] = 2
	if _, err := DigestSecureBootloader(make([]byte, 32), nil, img); !errors.Is(err, ErrImage) {
		t.Errorf("bad append flag: %v", err)
	}
	img[hashAppendedOffset] = 0
	for _, n := range []int{16, 24, 32} {
		out, err := DigestSecureBootloader(make([]byte, n), make([]byte, 200), img)
		if err != nil || len(out) != bootloaderDigestSector+256 {
			t.Errorf("%d-byte key: %d bytes, %v", n, len(out), err)
		}
	}
}

// Hand-built keys with missing fields fail with an error, never a panic.
func TestIncompleteKeys(t *testing.T) {
	img := testImage(100)
	for _, k := range []*PrivateKey{
		nil, {}, {Scheme: SchemeRSA3072}, {Scheme: SchemeECDSAP256}, {Scheme: SchemeECDSAP192, D: big.NewInt(0)},
	} {
		if _, err := SignV2(img, []*PrivateKey{k}, SignOptions{}); err == nil {
			t.Errorf("%+v: SignV2 succeeded", k)
		}
		if _, err := SignV1(k, img); err == nil {
			t.Errorf("%+v: SignV1 succeeded", k)
		}
		if _, err := DigestPrivateKeyV1(k, 256); err == nil {
			t.Errorf("%+v: DigestPrivateKeyV1 succeeded", k)
		}
	}
	for _, p := range []*PublicKey{
		nil, {}, {Scheme: SchemeRSA3072}, {Scheme: SchemeECDSAP384, X: big.NewInt(1), Y: big.NewInt(2)},
	} {
		if _, err := DigestPublicKeyV2(p); err == nil {
			t.Errorf("%+v: DigestPublicKeyV2 succeeded", p)
		}
		if _, err := p.MarshalPEM(); err == nil {
			t.Errorf("%+v: MarshalPEM succeeded", p)
		}
		if _, err := VerifyV2(make([]byte, 8192), p); err == nil {
			t.Errorf("%+v: VerifyV2 succeeded", p)
		}
		if _, err := NewSignatureBlock(p, make([]byte, 32), make([]byte, 64)); err == nil {
			t.Errorf("%+v: NewSignatureBlock succeeded", p)
		}
	}
}

func TestSignV1Precalculated(t *testing.T) {
	k := loadKey(t, "p256_sec1.pem")
	data := testImage(777)
	want, err := SignV1(k, data)
	if err != nil {
		t.Fatal(err)
	}
	got, err := SignV1Precalculated(k.Public(), data, want[len(data)+4:])
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("precalculated V1 differs: %v", err)
	}
	if _, err := SignV1Precalculated(k.Public(), data[1:], want[len(data)+4:]); !errors.Is(err, ErrInvalidSignature) {
		t.Errorf("wrong data: %v", err)
	}
	if _, err := SignV1Precalculated(k.Public(), data, want[len(data)+5:]); !errors.Is(err, ErrInvalidSignature) {
		t.Errorf("short signature: %v", err)
	}
}
