package secureboot

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"math/big"
	"testing"
)

// The generic arithmetic must agree with the standard library on P-256 and P-384.
func TestGenericCurveMatchesStdlib(t *testing.T) {
	for _, s := range []Scheme{SchemeECDSAP256, SchemeECDSAP384} {
		c := curveByScheme(s)
		for i := 1; i <= 8; i++ {
			d := new(big.Int).SetBytes(sha512.New().Sum([]byte{byte(i), byte(s)}))
			d.Mod(d, c.n)
			sk, err := ecdsa.ParseRawPrivateKey(c.std, d.FillBytes(make([]byte, c.size)))
			if err != nil {
				t.Fatal(err)
			}
			p := c.mul(c.base(), d)
			if p.x.Cmp(sk.X) != 0 || p.y.Cmp(sk.Y) != 0 {
				t.Fatalf("%v: generic d·G differs from crypto/ecdsa for d=%x", s, d)
			}
		}
	}
}

func TestCurveEdgeCases(t *testing.T) {
	for _, c := range curves() {
		if !c.onCurve(c.gx, c.gy) {
			t.Fatalf("%s: base point not on curve", c.name)
		}
		if p := c.mul(c.base(), c.n); !p.inf {
			t.Fatalf("%s: n·G is not infinity", c.name)
		}
		nm1 := new(big.Int).Sub(c.n, big.NewInt(1))
		p := c.mul(c.base(), nm1)
		if p.inf || p.x.Cmp(c.gx) != 0 || new(big.Int).Add(p.y, c.gy).Cmp(c.p) != 0 {
			t.Fatalf("%s: (n-1)·G is not -G", c.name)
		}
		if q := c.add(p, c.base()); !q.inf {
			t.Fatalf("%s: -G + G is not infinity", c.name)
		}
	}
}

// RFC 6979 appendix A.2.3, P-192 with SHA-256, message "sample".
func TestRFC6979P192Vector(t *testing.T) {
	c := curveByScheme(SchemeECDSAP192)
	d := hexInt("6FAB034934E4C0FC9AE67F5B5659A9D7D1FEFD187EE09FD4")
	digest := sha256.Sum256([]byte("sample"))
	if k := newNonceRFC6979(sha256.New, c.n, d, digest[:], nil).next(); k.Cmp(hexInt("32B1B6D7D42A05CB449065727A84804FB1A3E34D8F261496")) != 0 {
		t.Fatalf("k = %x", k)
	}
	r, s := c.signGeneric(d, digest[:], sha256.New, nil)
	if r.Cmp(hexInt("4B0B8CE98A92866A2820E20AA6B75B56382E0F9BFD5ECB55")) != 0 ||
		s.Cmp(hexInt("CCDB006926EA9565CBADC840829D8C384E06DE1F1E381B85")) != 0 {
		t.Fatalf("r, s = %x, %x", r, s)
	}
	p := c.mul(c.base(), d)
	if !c.verifyGeneric(p.x, p.y, digest[:], r, s) {
		t.Fatal("RFC 6979 signature does not verify")
	}
}

// testdata/rfc6979_openssl.json holds deterministic signatures made by OpenSSL (through
// Python cryptography) for the testdata keys; SignDigest must reproduce them.
func TestDeterministicECDSAMatchesOpenSSL(t *testing.T) {
	var vecs []struct{ Key, Message, R, S string }
	if err := json.Unmarshal(readTestdata(t, "rfc6979_openssl.json"), &vecs); err != nil {
		t.Fatal(err)
	}
	for _, v := range vecs {
		k := loadKey(t, v.Key)
		digest := imageDigest(k.Scheme, []byte(v.Message))
		sig, err := SignDigest(k, digest, nil)
		if err != nil {
			t.Fatal(err)
		}
		size := curveByScheme(k.Scheme).size
		r, s := new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])
		if r.Cmp(hexInt(v.R)) != 0 || s.Cmp(hexInt(v.S)) != 0 {
			t.Errorf("%s %q: got r=%x s=%x, want r=%s s=%s", v.Key, v.Message, r, s, v.R, v.S)
		}
		pub := k.Public()
		if !verifyECDSA(pub, digest, r, s) {
			t.Errorf("%s: own signature does not verify", v.Key)
		}
		if verifyECDSA(pub, digest, s, r) {
			t.Errorf("%s: swapped signature verifies", v.Key)
		}
	}
}
