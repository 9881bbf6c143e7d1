package signers

import (
	"crypto/rsa"
	"encoding/asn1"
	"errors"
	"strings"
	"testing"

	"github.com/espcompose/espcompose/format/secureboot"
)

func TestPKCS11Config(t *testing.T) {
	for _, cfg := range []PKCS11Config{
		{Name: "k", Token: "t", Label: "l"},
		{Name: "k", Module: "m", Label: "l"},
		{Name: "k", Module: "m", Token: "t"},
		{Name: "k", Module: "m", Token: "t", Label: "l", PinEnv: "P"},
	} {
		if _, err := NewPKCS11(cfg); err == nil || !strings.Contains(err.Error(), `key "k"`) {
			t.Errorf("%+v: err = %v", cfg, err)
		}
	}
}

func TestPublicKeyFromAttributes(t *testing.T) {
	oidP256, _ := asn1.Marshal(asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7})
	oidP384, _ := asn1.Marshal(asn1.ObjectIdentifier{1, 3, 132, 0, 34})
	oidP224, _ := asn1.Marshal(asn1.ObjectIdentifier{1, 3, 132, 0, 33})
	k := privateKey(t, "p256")
	want := k.Public()
	point := append([]byte{4}, want.X.FillBytes(make([]byte, 32))...)
	point = append(point, want.Y.FillBytes(make([]byte, 32))...)
	wrapped, _ := asn1.Marshal(point)

	for name, p := range map[string][]byte{"wrapped": wrapped, "bare": point} {
		got, err := publicKeyFromEC(oidP256, p)
		if err != nil || !got.Equal(want) {
			t.Errorf("%s point: %v", name, err)
		}
	}
	if _, err := publicKeyFromEC(oidP384, wrapped); err == nil {
		t.Error("P-256 point accepted as P-384")
	}
	if _, err := publicKeyFromEC(oidP224, wrapped); !errors.Is(err, secureboot.ErrKeyType) {
		t.Errorf("P-224: %v", err)
	}
	if _, err := publicKeyFromEC([]byte{0x30, 0}, wrapped); !errors.Is(err, secureboot.ErrKeyType) {
		t.Errorf("explicit curve parameters: %v", err)
	}
	bad := append([]byte(nil), point...)
	bad[40] ^= 1
	if _, err := publicKeyFromEC(oidP256, bad); err == nil {
		t.Error("point off the curve accepted")
	}
	if _, err := publicKeyFromEC(oidP256, []byte{2, 1, 2}); err == nil {
		t.Error("compressed point accepted")
	}

	r := privateKey(t, "rsa3072").RSA
	got, err := publicKeyFromRSA(r.N.Bytes(), []byte{1, 0, 1})
	if err != nil || !got.Equal(&secureboot.PublicKey{Scheme: secureboot.SchemeRSA3072, RSA: &rsa.PublicKey{N: r.N, E: 65537}}) {
		t.Errorf("RSA: %v", err)
	}
	if _, err := publicKeyFromRSA(r.N.Bytes()[1:], []byte{1, 0, 1}); err == nil {
		t.Error("RSA-3064 accepted")
	}
	if _, err := publicKeyFromRSA(r.N.Bytes(), make([]byte, 9)); err == nil {
		t.Error("zero exponent accepted")
	}
	if _, err := publicKeyFromRSA(nil, nil); err == nil {
		t.Error("empty attributes accepted")
	}
}
