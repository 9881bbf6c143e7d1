package secureboot

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"
)

var allKeyFiles = []string{"rsa3072.pem", "p192_sec1.pem", "p256_sec1.pem", "p384_pkcs8.pem"}

// The remote-signing path (prepare, digest, external signature, block, assemble) gives
// the same bytes as SignV2.
func TestRemoteSigningMatchesSignV2(t *testing.T) {
	img := testImage(10000)
	for _, f := range allKeyFiles {
		k := loadKey(t, f)
		want, err := SignV2(img, []*PrivateKey{k}, SignOptions{})
		if err != nil {
			t.Fatal(err)
		}
		u, err := PrepareV2(img, PrepareOptions{})
		if err != nil {
			t.Fatal(err)
		}
		digest := u.Digest(k.Scheme)
		sig, err := SignDigest(k, digest, nil) // stands for the HSM
		if err != nil {
			t.Fatal(err)
		}
		blk, err := NewSignatureBlock(k.Public(), digest, sig)
		if err != nil {
			t.Fatal(err)
		}
		got, err := u.Assemble(blk)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: remote path differs from SignV2", f)
		}
		if len(got) != 12288+SectorSize || !bytes.Equal(got[10000:12288], bytes.Repeat([]byte{0xFF}, 2288)) {
			t.Errorf("%s: padding layout", f)
		}
		st, err := VerifyV2(got, k.Public())
		if err != nil || !st[0].Verified || st[1].Present || st[0].Scheme != k.Scheme {
			t.Errorf("%s: verify %+v %v", f, st, err)
		}
		kd, _ := DigestPublicKeyV2(k.Public())
		if !bytes.Equal(st[0].KeyDigest, kd) {
			t.Errorf("%s: key digest differs", f)
		}
		// A signature over another digest is refused before use.
		other := bytes.Clone(digest)
		other[0] ^= 1
		if _, err := NewSignatureBlock(k.Public(), other, sig); !errors.Is(err, ErrInvalidSignature) {
			t.Errorf("%s: wrong digest accepted: %v", f, err)
		}
		// Blocks and sectors parse back to the same bytes.
		blocks, err := ParseSignatureSector(got)
		if err != nil || len(blocks) != 1 {
			t.Fatalf("%s: parse: %v", f, err)
		}
		if err := blocks[0].Verify(); err != nil {
			t.Errorf("%s: parsed block does not verify: %v", f, err)
		}
		enc, _ := blocks[0].MarshalBinary()
		if !bytes.Equal(enc, got[len(got)-SectorSize:len(got)-SectorSize+BlockSize]) {
			t.Errorf("%s: block round trip differs", f)
		}
	}
}

func TestSignV2MultiAndAppend(t *testing.T) {
	img := testImage(8192)
	rsaKey, p256, p384 := loadKey(t, "rsa3072.pem"), loadKey(t, "p256_sec1.pem"), loadKey(t, "p384_sec1.pem")
	signed, err := SignV2(img, []*PrivateKey{rsaKey}, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	signed2, err := SignV2(signed, []*PrivateKey{p256, p384}, SignOptions{Append: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(signed2) != len(signed) || !bytes.Equal(signed2[:len(signed)-SectorSize+BlockSize], signed[:len(signed)-SectorSize+BlockSize]) {
		t.Fatal("append did not keep the content and block 0")
	}
	for i, k := range []*PrivateKey{rsaKey, p256, p384} {
		st, err := VerifyV2(signed2, k.Public())
		if err != nil || !st[i].Verified {
			t.Errorf("key %d: %+v %v", i, st, err)
		}
	}
	if _, err := SignV2(signed2, []*PrivateKey{p256}, SignOptions{Append: true}); !errors.Is(err, ErrTooManyBlocks) {
		t.Errorf("fourth block: %v", err)
	}
	if _, err := SignV2(img, []*PrivateKey{p256, p256, p256, p256}, SignOptions{}); !errors.Is(err, ErrTooManyBlocks) {
		t.Errorf("four keys: %v", err)
	}
	if _, err := SignV2(img, nil, SignOptions{}); !errors.Is(err, ErrBlock) {
		t.Errorf("no keys: %v", err)
	}
	// Without Append the old sector is signed over as content.
	resigned, err := SignV2(signed, []*PrivateKey{p256}, SignOptions{})
	if err != nil || len(resigned) != len(signed)+SectorSize {
		t.Errorf("re-sign without append: %d bytes, %v", len(resigned), err)
	}
}

func TestSignV2Precalculated(t *testing.T) {
	img := testImage(8192)
	k := loadKey(t, "p256_sec1.pem")
	u, _ := PrepareV2(img, PrepareOptions{RequireAligned: true})
	sig, err := SignDigest(k, u.Digest(k.Scheme), nil)
	if err != nil {
		t.Fatal(err)
	}
	der, err := marshalDERSignature(bytesInt(sig[:32]), bytesInt(sig[32:]))
	if err != nil {
		t.Fatal(err)
	}
	a, err := SignV2Precalculated(img, []*PublicKey{k.Public()}, [][]byte{der}, false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := SignV2Precalculated(img, []*PublicKey{k.Public()}, [][]byte{sig}, false)
	if err != nil || !bytes.Equal(a, b) {
		t.Fatalf("raw and DER signatures give different sectors: %v", err)
	}
	if _, err := SignV2Precalculated(img[:5000], []*PublicKey{k.Public()}, [][]byte{der}, false); !errors.Is(err, ErrNotAligned) {
		t.Errorf("unaligned: %v", err)
	}
	if _, err := SignV2Precalculated(img, []*PublicKey{k.Public()}, nil, false); !errors.Is(err, ErrInvalidSignature) {
		t.Errorf("count mismatch: %v", err)
	}
	other := loadKey(t, "p256_with_params.pem")
	if _, err := SignV2Precalculated(img, []*PublicKey{other.Public()}, [][]byte{der}, false); !errors.Is(err, ErrInvalidSignature) {
		t.Errorf("wrong key: %v", err)
	}
	if _, err := SignV2Precalculated(img, []*PublicKey{k.Public()}, [][]byte{der[:10]}, false); !errors.Is(err, ErrInvalidSignature) {
		t.Errorf("garbage signature: %v", err)
	}
}

func TestSignV2Randomized(t *testing.T) {
	img := testImage(4096)
	for _, f := range allKeyFiles {
		k := loadKey(t, f)
		a, err := SignV2(img, []*PrivateKey{k}, SignOptions{Rand: rand.Reader})
		if err != nil {
			t.Fatal(err)
		}
		b, err := SignV2(img, []*PrivateKey{k}, SignOptions{Rand: rand.Reader})
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(a, b) {
			t.Errorf("%s: randomized signatures are equal", f)
		}
		for _, s := range [][]byte{a, b} {
			if _, err := VerifyV2(s, k.Public()); err != nil {
				t.Errorf("%s: %v", f, err)
			}
		}
	}
}

func TestVerifyV2Errors(t *testing.T) {
	k := loadKey(t, "rsa3072.pem")
	signed, err := SignV2(testImage(4096), []*PrivateKey{k}, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyV2(signed[:5000], k.Public()); !errors.Is(err, ErrNotAligned) {
		t.Errorf("unaligned: %v", err)
	}
	bad := bytes.Clone(signed)
	bad[100] ^= 1
	if _, err := VerifyV2(bad, k.Public()); !errors.Is(err, ErrDigestMismatch) {
		t.Errorf("content: %v", err)
	}
	if _, err := SignatureInfoV2(bad); !errors.Is(err, ErrDigestMismatch) || SignatureInfoError(err) != "Digest in signature block 0 doesn't match the image digest." {
		t.Errorf("info: %v", err)
	}
	bad = bytes.Clone(signed)
	bad[4096+offRSASig+5] ^= 1 // breaks the CRC: the block is skipped
	st, err := VerifyV2(bad, k.Public())
	if !errors.Is(err, ErrInvalidSignature) || st[0].Present {
		t.Errorf("signature byte: %+v %v", st, err)
	}
	if _, err := VerifyV2(signed, loadKey(t, "p256_sec1.pem").Public()); !errors.Is(err, ErrInvalidSignature) {
		t.Errorf("ECDSA key on RSA block: %v", err)
	}
}

func TestBlockUnmarshalRejects(t *testing.T) {
	k := loadKey(t, "p192_sec1.pem")
	signed, err := SignV2(testImage(4096), []*PrivateKey{k}, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	blk := signed[4096 : 4096+BlockSize]
	fixCRC := func(b []byte) []byte {
		b = bytes.Clone(b)
		putCRC(b)
		return b
	}
	for name, mutate := range map[string]func([]byte) []byte{
		"short":    func(b []byte) []byte { return b[:100] },
		"magic":    func(b []byte) []byte { b = bytes.Clone(b); b[0] = 0; return fixCRC(b) },
		"crc":      func(b []byte) []byte { b = bytes.Clone(b); b[50] ^= 1; return b },
		"version":  func(b []byte) []byte { b = bytes.Clone(b); b[1] = 9; return fixCRC(b) },
		"curve":    func(b []byte) []byte { b = bytes.Clone(b); b[36] = 3; return fixCRC(b) },
		"sha":      func(b []byte) []byte { b = bytes.Clone(b); b[2] = 1; return fixCRC(b) },
		"point":    func(b []byte) []byte { b = bytes.Clone(b); b[40] ^= 1; return fixCRC(b) },
		"padding":  func(b []byte) []byte { b = bytes.Clone(b); b[90] = 1; return fixCRC(b) },
		"trailing": func(b []byte) []byte { b = bytes.Clone(b); b[BlockSize-1] = 1; return b },
	} {
		var sb SignatureBlock
		if err := sb.UnmarshalBinary(mutate(blk)); !errors.Is(err, ErrBlock) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestChipCaps(t *testing.T) {
	for _, tc := range []struct {
		chip string
		rev  int
		s    Scheme
		ok   bool
	}{
		{"esp32", 100, SchemeRSA3072, false},
		{"esp32", 300, SchemeRSA3072, true},
		{"esp32", 300, SchemeECDSAP256, false},
		{"esp32c2", 0, SchemeECDSAP192, true},
		{"esp32c2", 0, SchemeECDSAP256, true},
		{"esp32c2", 0, SchemeECDSAP384, false},
		{"esp32c2", 0, SchemeRSA3072, false},
		{"esp32c3", 0, SchemeRSA3072, true},
		{"esp32c3", 0, SchemeECDSAP256, false},
		{"esp32c6", 0, SchemeECDSAP256, true},
		{"esp32c6", 0, SchemeECDSAP384, false},
		{"esp32c5", 100, SchemeECDSAP384, true},
		{"esp32c61", 0, SchemeRSA3072, false},
		{"esp32p4", 100, SchemeECDSAP384, false},
		{"esp32p4", 300, SchemeECDSAP384, true},
		{"esp8266", 0, SchemeRSA3072, false},
	} {
		err := CheckChipScheme(tc.chip, tc.rev, tc.s)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrChip)) {
			t.Errorf("%s rev %d %v: %v", tc.chip, tc.rev, tc.s, err)
		}
	}
	if c, _ := CapsFor("esp32", 300); !c.V1 || c.KeyDigests != 1 {
		t.Errorf("esp32 caps %+v", c)
	}
}
