package encimg

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/rsa"
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

type scheme struct {
	name    string
	encrypt func([]byte, Options) ([]byte, error)
	decrypt func([]byte) ([]byte, error)
}

func schemes(t testing.TB) []scheme {
	priv := testRSAKey(t)
	dev := testDeviceKey(t)
	return []scheme{
		{"rsa",
			func(p []byte, o Options) ([]byte, error) { return Encrypt(p, &priv.PublicKey, o) },
			func(b []byte) ([]byte, error) { return Decrypt(b, priv) }},
		{"ecies",
			func(p []byte, o Options) ([]byte, error) { return EncryptECIES(p, dev.PublicKey(), o) },
			func(b []byte) ([]byte, error) { return DecryptECIES(b, dev) }},
	}
}

func TestRoundTrip(t *testing.T) {
	for _, s := range schemes(t) {
		for _, n := range []int{0, 1, 15, 16, 17, 4096, 65537} {
			plain := make([]byte, n)
			rand.Read(plain)
			for _, o := range []Options{{Secret: testSecret}, {Rand: rand.Reader}} {
				pkg, err := s.encrypt(plain, o)
				if err != nil {
					t.Fatal(err)
				}
				if len(pkg) != HeaderSize+n {
					t.Fatalf("%s %d: package has %d bytes", s.name, n, len(pkg))
				}
				h, err := ParseHeader(pkg)
				if err != nil {
					t.Fatal(err)
				}
				if h.Size != uint32(n) || !allZero(h.Reserved[:]) {
					t.Fatalf("%s %d: header %+v", s.name, n, h)
				}
				if h.LooksECIES() != (s.name == "ecies") {
					t.Errorf("%s: LooksECIES = %v", s.name, h.LooksECIES())
				}
				got, err := s.decrypt(pkg)
				if err != nil {
					t.Fatalf("%s %d: %v", s.name, n, err)
				}
				if !bytes.Equal(got, plain) {
					t.Fatalf("%s %d: round trip differs", s.name, n)
				}
			}
		}
	}
}

func TestDeterminism(t *testing.T) {
	plain := readTestdata(t, "plain_4099.bin")
	other := bytes.Clone(plain)
	other[0] ^= 1
	for _, s := range schemes(t) {
		a, _ := s.encrypt(plain, Options{Secret: testSecret})
		b, _ := s.encrypt(plain, Options{Secret: testSecret})
		if !bytes.Equal(a, b) {
			t.Errorf("%s: same inputs, different packages", s.name)
		}
		c, _ := s.encrypt(plain, Options{Secret: append(bytes.Clone(testSecret), 0)})
		d, _ := s.encrypt(other, Options{Secret: testSecret})
		r, _ := s.encrypt(plain, Options{Rand: rand.Reader})
		for name, x := range map[string][]byte{"secret": c, "plaintext": d, "rand": r} {
			ha, _ := ParseHeader(a)
			hx, _ := ParseHeader(x)
			if ha.IV == hx.IV || bytes.Equal(ha.KeyBlock[:], hx.KeyBlock[:]) {
				t.Errorf("%s: changing the %s keeps IV or key block", s.name, name)
			}
		}
	}
}

func TestDifferentRecipientDifferentKey(t *testing.T) {
	plain := []byte("firmware")
	dev := testDeviceKey(t)
	other, _ := ecdh.P256().GenerateKey(rand.Reader)
	a, _ := EncryptECIES(plain, dev.PublicKey(), Options{Secret: testSecret})
	b, _ := EncryptECIES(plain, other.PublicKey(), Options{Secret: testSecret})
	ha, _ := ParseHeader(a)
	hb, _ := ParseHeader(b)
	if ha.IV == hb.IV {
		t.Error("recipient not part of the derivation")
	}
	if _, err := DecryptECIES(b, dev); !errors.Is(err, ErrAuth) {
		t.Errorf("wrong device key: %v, want ErrAuth", err)
	}
}

func TestCorruption(t *testing.T) {
	plain := readTestdata(t, "plain_4099.bin")
	for _, s := range schemes(t) {
		pkg, err := s.encrypt(plain, Options{Secret: testSecret})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name string
			off  int
			want error
		}{
			{"magic", OffsetMagic + 3, ErrMagic},
			{"iv", OffsetIV + 7, ErrAuth},
			{"tag", OffsetTag, ErrAuth},
			{"tag end", OffsetReserved - 1, ErrAuth},
			{"payload", HeaderSize + 100, ErrAuth},
			{"payload end", len(pkg) - 1, ErrAuth},
			{"size", OffsetSize, ErrTrailingData},
			{"salt or key block", OffsetSalt + 5, nil},
		} {
			bad := bytes.Clone(pkg)
			bad[c.off] ^= 0x01
			_, err := s.decrypt(bad)
			want := c.want
			if want == nil { // RSA: padding check; ECIES: other salt, other key
				want = ErrAuth
				if s.name == "rsa" {
					want = ErrKeyUnwrap
				}
			}
			if !errors.Is(err, want) {
				t.Errorf("%s, %s flipped: %v, want %v", s.name, c.name, err, want)
			}
		}
		// Reserved bytes are ignored, as by the tool and the device.
		bad := bytes.Clone(pkg)
		bad[OffsetReserved+3] = 0xAA
		if _, err := s.decrypt(bad); err != nil {
			t.Errorf("%s: reserved byte changed: %v", s.name, err)
		}
		if _, err := s.decrypt(pkg[:len(pkg)-1]); !errors.Is(err, ErrTruncated) {
			t.Errorf("%s: truncated: %v", s.name, err)
		}
		if _, err := s.decrypt(append(bytes.Clone(pkg), 0)); !errors.Is(err, ErrTrailingData) {
			t.Errorf("%s: trailing byte: %v", s.name, err)
		}
		if _, err := s.decrypt(pkg[:HeaderSize-1]); !errors.Is(err, ErrTruncated) {
			t.Errorf("%s: short header: %v", s.name, err)
		}
	}
}

// An ECIES server key that is not on the curve must be refused before ECDH.
func TestECIESBadServerKey(t *testing.T) {
	dev := testDeviceKey(t)
	pkg, _ := EncryptECIES([]byte("x"), dev.PublicKey(), Options{Secret: testSecret})
	pkg[OffsetServerKey+63] ^= 1 // Y no longer matches X
	if _, err := DecryptECIES(pkg, dev); !errors.Is(err, ErrKeyUnwrap) {
		t.Fatalf("got %v, want ErrKeyUnwrap", err)
	}
}

func TestWrongSchemeKey(t *testing.T) {
	priv := testRSAKey(t)
	dev := testDeviceKey(t)
	ecc, _ := EncryptECIES([]byte("x"), dev.PublicKey(), Options{Secret: testSecret})
	if _, err := Decrypt(ecc, priv); !errors.Is(err, ErrKeyUnwrap) {
		t.Errorf("ECIES package with RSA key: %v", err)
	}
	rsaPkg, _ := Encrypt([]byte("x"), &priv.PublicKey, Options{Secret: testSecret})
	if _, err := DecryptECIES(rsaPkg, dev); err == nil {
		t.Error("RSA package decrypted with ECIES key")
	}
}

func TestOptionsErrors(t *testing.T) {
	pub := &testRSAKey(t).PublicKey
	for _, o := range []Options{{}, {Secret: make([]byte, MinSecretSize-1)}, {Secret: testSecret, Rand: rand.Reader}} {
		if _, err := Encrypt(nil, pub, o); !errors.Is(err, ErrOptions) {
			t.Errorf("%+v: %v", o, err)
		}
	}
	if _, err := Encrypt(nil, pub, Options{Rand: bytes.NewReader(make([]byte, 10))}); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("short Rand: %v", err)
	}
}

func TestKeyErrors(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Encrypt(nil, &small.PublicKey, Options{Secret: testSecret}); !errors.Is(err, ErrKey) {
		t.Errorf("2048-bit key: %v", err)
	}
	if _, err := Encrypt(nil, nil, Options{Secret: testSecret}); !errors.Is(err, ErrKey) {
		t.Errorf("nil key: %v", err)
	}
	pkg := readTestdata(t, "tool_rsa_1.enc")
	if _, err := Decrypt(pkg, small); !errors.Is(err, ErrKey) {
		t.Errorf("decrypt with 2048-bit key: %v", err)
	}
	if _, err := Decrypt(pkg, nil); !errors.Is(err, ErrKey) {
		t.Errorf("decrypt with nil key: %v", err)
	}
	x, _ := ecdh.X25519().GenerateKey(rand.Reader)
	if _, err := EncryptECIES(nil, x.PublicKey(), Options{Secret: testSecret}); !errors.Is(err, ErrKey) {
		t.Errorf("X25519 key: %v", err)
	}
	if _, err := DeviceKey(make([]byte, 31)); !errors.Is(err, ErrKey) {
		t.Errorf("short HMAC key: %v", err)
	}
}

// The key block must hold exactly a 32-byte AES key, as the device's
// 32-byte output buffer requires.
func TestRSAKeyLength(t *testing.T) {
	priv := testRSAKey(t)
	pkg, _ := Encrypt([]byte("x"), &priv.PublicKey, Options{Secret: testSecret})
	h, _ := ParseHeader(pkg)
	short, err := wrapKeyRSA(&priv.PublicKey, make([]byte, 31), &derivedSource{prk: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	copy(h.KeyBlock[:], short)
	hdr, _ := h.MarshalBinary()
	if _, err := Decrypt(append(hdr, pkg[HeaderSize:]...), priv); !errors.Is(err, ErrKeyUnwrap) {
		t.Fatalf("31-byte key: %v", err)
	}
}

func TestHeaderLayout(t *testing.T) {
	pkg := readTestdata(t, "tool_rsa_4099.enc")
	if !bytes.Equal(pkg[:4], []byte{0xcf, 0xb6, 0x88, 0x07}) {
		t.Fatalf("magic bytes % x", pkg[:4])
	}
	if got := binary.LittleEndian.Uint32(pkg[OffsetSize:]); got != 4099 {
		t.Fatalf("size field %d", got)
	}
	h, _ := ParseHeader(pkg)
	if h.PackageSize() != int64(len(pkg)) || h.CheckLength(len(pkg)) != nil {
		t.Fatal("package size")
	}
	h.Reserved[0] = 1
	if _, err := h.MarshalBinary(); !errors.Is(err, ErrReserved) {
		t.Fatalf("non-zero reserved: %v", err)
	}
	if OffsetIV != OffsetKeyBlock+KeyBlockSize || OffsetSize != OffsetIV+IVSize ||
		OffsetTag != OffsetSize+4 || OffsetReserved != OffsetTag+TagSize ||
		HeaderSize != OffsetReserved+ReservedSize ||
		OffsetECIESReserved+ECIESReservedSize != OffsetIV {
		t.Fatal("layout constants inconsistent")
	}
}
