package secureboot

import (
	"bytes"
	"crypto"
	"encoding/pem"
	"math/big"
	"testing"
)

var keyFixtures = []string{
	"p192_pkcs8.pem", "p192_pub.pem", "p192_sec1.pem", "p256_pkcs8.pem", "p256_pub.pem", "p256_sec1.pem",
	"p256_with_params.pem", "p384_pkcs8.pem", "p384_pub.pem", "p384_sec1.pem", "p521_sec1.pem",
	"rsa2048.pem", "rsa3072.pem", "rsa3072_pkcs8.pem", "rsa3072_pub.pem",
}

// FuzzParseKeyPEM feeds PEM text (private and public, every curve and form) to the
// key readers. Invariants: no panic; an accepted key is of a Secure Boot scheme;
// its public half re-encodes to a PEM that reads back as the same key; an accepted
// private key's public half matches what ParseKeyPEM returns; a P-256 key signs a
// V1 image that verifies (the private scalar is usable, not just parsed).
func FuzzParseKeyPEM(f *testing.F) {
	for _, name := range keyFixtures {
		f.Add(readTestdata(f, name))
	}
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n"))
	f.Add([]byte("-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var pubs []*PublicKey
		if k, err := ParsePrivateKeyPEM(data); err == nil {
			if err := k.check(); err != nil {
				t.Fatalf("accepted a private key that fails its own check: %v", err)
			}
			pubs = append(pubs, k.Public())
			pk, err := ParseKeyPEM(data)
			if err == nil && !pk.Equal(k.Public()) {
				t.Fatal("ParseKeyPEM and ParsePrivateKeyPEM disagree")
			}
			if k.Scheme == SchemeECDSAP256 {
				signed, err := SignV1(k, []byte("fuzz"))
				if err != nil {
					t.Fatal(err)
				}
				if err := VerifyV1(k.Public(), signed); err != nil {
					t.Fatalf("parsed key does not verify its own signature: %v", err)
				}
			}
		}
		if k, err := ParsePublicKeyPEM(data); err == nil {
			pubs = append(pubs, k)
		}
		if k, err := ParseKeyPEM(data); err == nil {
			pubs = append(pubs, k)
		}
		if k, err := ParseVerificationKeyV1(data); err == nil {
			if k.Scheme != SchemeECDSAP256 {
				t.Fatalf("V1 verification key of scheme %v", k.Scheme)
			}
			pubs = append(pubs, k)
		}
		for _, pub := range pubs {
			switch pub.Scheme {
			case SchemeRSA3072, SchemeECDSAP192, SchemeECDSAP256, SchemeECDSAP384:
			default:
				t.Fatalf("accepted a key of scheme %v", pub.Scheme)
			}
			enc, err := pub.MarshalPEM()
			if err != nil {
				t.Fatalf("accepted key does not encode: %v", err)
			}
			back, err := ParsePublicKeyPEM(enc)
			if err != nil || !back.Equal(pub) {
				t.Fatalf("public key round trip: %v", err)
			}
			if d, err := DigestPublicKeyV2(pub); err != nil || len(d) != 32 {
				t.Fatalf("digest of an accepted key: %v", err)
			}
		}
	})
}

// FuzzParseKeyDER wraps arbitrary DER in each PEM type the readers accept, so the
// ASN.1 layers (PKCS#1, PKCS#8, SEC1, SPKI) are reached directly.
func FuzzParseKeyDER(f *testing.F) {
	for _, name := range keyFixtures {
		if b, _ := pem.Decode(readTestdata(f, name)); b != nil {
			f.Add(b.Bytes, uint8(0))
		}
	}
	f.Fuzz(func(t *testing.T, der []byte, which uint8) {
		types := []string{"RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY", "PUBLIC KEY"}
		text := pem.EncodeToMemory(&pem.Block{Type: types[int(which)%len(types)], Bytes: der})
		k, err := ParseKeyPEM(text)
		if err != nil {
			return
		}
		pkix, err := k.MarshalPKIX()
		if err != nil {
			t.Fatalf("accepted key does not encode: %v", err)
		}
		if types[int(which)%len(types)] == "PUBLIC KEY" && k.Scheme != SchemeRSA3072 && !bytes.Equal(pkix, der) {
			// EC SPKI has one encoding; what was accepted must be it.
			t.Fatalf("EC public key accepted in a non-canonical encoding")
		}
	})
}

// FuzzDERSignature: an accepted ECDSA-Sig-Value re-encodes to exactly the input
// (DER has one encoding), and NewSignatureBlock never accepts a signature that
// does not verify.
func FuzzDERSignature(f *testing.F) {
	k := loadKey(f, "p256_sec1.pem")
	u, err := PrepareV2(testImage(100), PrepareOptions{})
	if err != nil {
		f.Fatal(err)
	}
	digest := u.Digest(SchemeECDSAP256)
	sk, err := k.stdECDSA()
	if err != nil {
		f.Fatal(err)
	}
	good, err := sk.Sign(nil, digest, crypto.SHA256)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01})
	f.Add([]byte{0x30, 0x80})
	f.Add(bytes.Repeat([]byte{0x42}, 64))
	f.Fuzz(func(t *testing.T, sig []byte) {
		if r, s, err := parseDERSignature(sig); err == nil {
			if r.Sign() >= 0 && s.Sign() >= 0 {
				enc, err := marshalDERSignature(r, s)
				if err != nil || !bytes.Equal(enc, sig) {
					t.Fatalf("DER round trip: %x -> %x (%v)", sig, enc, err)
				}
			}
		}
		blk, err := NewSignatureBlock(k.Public(), digest, sig)
		if err != nil {
			return
		}
		r := new(big.Int).SetBytes(blk.Signature[:32])
		s := new(big.Int).SetBytes(blk.Signature[32:64])
		if !verifyECDSA(k.Public(), digest, r, s) {
			t.Fatal("NewSignatureBlock accepted a signature that does not verify")
		}
		if err := blk.Verify(); err != nil {
			t.Fatalf("accepted block does not verify: %v", err)
		}
	})
}

// FuzzVerifyV1 checks V1 signature trailers (version word, r, s after the data).
// Invariants: no panic; only the signer's own trailer over unchanged data verifies.
func FuzzVerifyV1(f *testing.F) {
	k := loadKey(f, "p256_sec1.pem")
	signed, err := SignV1(k, testImage(300))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(signed, uint16(0), uint8(0))
	f.Add(signed[:V1SignatureLen], uint16(3), uint8(1))
	f.Add([]byte{}, uint16(0), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, at uint16, flip uint8) {
		err := VerifyV1(k.Public(), data)
		if err == nil && len(data) >= V1SignatureLen {
			again, err := SignV1(k, data[:len(data)-V1SignatureLen])
			if err != nil {
				t.Fatal(err)
			}
			// RFC 6979 signatures are deterministic; a different valid (r, s) would be
			// a forgery with this key, or the (r, n-s) twin ECDSA allows.
			if !bytes.Equal(again[len(again)-64:len(again)-32], data[len(data)-64:len(data)-32]) {
				t.Fatal("a V1 trailer verified with an r the key did not make")
			}
		}
		if err == nil && flip != 0 && len(data) > 0 {
			bad := bytes.Clone(data)
			bad[int(at)%len(bad)] ^= flip
			if VerifyV1(k.Public(), bad) == nil {
				t.Fatal("a changed V1 image still verifies")
			}
		}
	})
}
