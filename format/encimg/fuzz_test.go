package encimg

import (
	"bytes"
	"testing"
)

// FuzzParseHeader: arbitrary bytes never panic, and an accepted header
// re-encodes to the bytes it came from (reserved bytes aside).
func FuzzParseHeader(f *testing.F) {
	f.Add(readTestdata(f, "tool_rsa_1.enc"))
	f.Add(readTestdata(f, "tool_ecc_0.enc"))
	f.Add([]byte{0xcf, 0xb6, 0x88, 0x07})
	f.Add(make([]byte, HeaderSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseHeader(b)
		if err != nil {
			return
		}
		_ = h.CheckLength(len(b))
		_ = h.LooksECIES()
		clear(h.Reserved[:])
		enc, err := h.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(enc[:OffsetReserved], b[:OffsetReserved]) {
			t.Fatal("header does not round-trip")
		}
	})
}

// FuzzDecrypt: arbitrary packages are rejected with an error, never a panic.
func FuzzDecrypt(f *testing.F) {
	f.Add(readTestdata(f, "tool_rsa_1.enc"))
	f.Add(readTestdata(f, "tool_ecc_1.enc"))
	priv := testRSAKey(f)
	dev := testDeviceKey(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = Decrypt(b, priv)
		_, _ = DecryptECIES(b, dev)
	})
}

// FuzzRoundTrip: deterministic encryption of any plaintext decrypts back.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte{}, []byte("0123456789abcdef"), false)
	f.Add([]byte("firmware image"), []byte("another secret, long enough"), true)
	f.Add(bytes.Repeat([]byte{0xff}, 1000), bytes.Repeat([]byte{0}, 16), false)
	priv := testRSAKey(f)
	dev := testDeviceKey(f)
	f.Fuzz(func(t *testing.T, plain, secret []byte, ecies bool) {
		opts := Options{Secret: secret}
		var pkg, got []byte
		var err error
		if ecies {
			pkg, err = EncryptECIES(plain, dev.PublicKey(), opts)
		} else {
			pkg, err = Encrypt(plain, &priv.PublicKey, opts)
		}
		if len(secret) < MinSecretSize {
			if err == nil {
				t.Fatal("short secret accepted")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if ecies {
			got, err = DecryptECIES(pkg, dev)
		} else {
			got, err = Decrypt(pkg, priv)
		}
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("round trip failed: %v", err)
		}
	})
}
