package stages

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/asn1"
	"math/big"
	"math/rand"
	"testing"
)

// FuzzRawECDSA reads signatures as a signer command or PKCS#11 token returns them:
// raw r||s or DER. Invariants: no panic; the result is always 64 bytes; DER is
// accepted only in its one encoding (re-encoding the integers gives the input
// back) with 1 <= r, s < 2^256.
func FuzzRawECDSA(f *testing.F) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.New(rand.NewSource(1)))
	if err != nil {
		f.Fatal(err)
	}
	digest := sha256.Sum256([]byte("espcompose"))
	der, err := key.Sign(rand.New(rand.NewSource(2)), digest[:], crypto.SHA256)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(der)
	f.Add(bytes.Repeat([]byte{0x11}, 64))
	f.Add([]byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01})
	f.Add([]byte{0x30, 0x06, 0x02, 0x01, 0xFF, 0x02, 0x01, 0x01})                   // negative r
	f.Add([]byte{0x30, 0x09, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x05, 0x00, 0x00}) // junk in the SEQUENCE
	f.Fuzz(func(t *testing.T, sig []byte) {
		raw, err := rawECDSA(sig)
		if err != nil {
			return
		}
		if len(raw) != 64 {
			t.Fatalf("raw signature of %d bytes", len(raw))
		}
		if len(sig) == 64 {
			if !bytes.Equal(raw, sig) {
				t.Fatal("a raw signature was changed")
			}
			return
		}
		r, s := new(big.Int).SetBytes(raw[:32]), new(big.Int).SetBytes(raw[32:])
		if r.Sign() == 0 || s.Sign() == 0 {
			t.Fatal("accepted a zero r or s")
		}
		enc, err := asn1.Marshal(struct{ R, S *big.Int }{r, s})
		if err != nil || !bytes.Equal(enc, sig) {
			t.Fatalf("accepted non-canonical DER %x (canonical %x)", sig, enc)
		}
	})
}
