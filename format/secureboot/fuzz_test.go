package secureboot

import (
	"bytes"
	"testing"
)

// fuzzKeys are cheap to sign with; RSA is covered by the seed corpus runs.
func fuzzKeys(t testing.TB) []*PrivateKey {
	return []*PrivateKey{
		loadKey(t, "p192_sec1.pem"), loadKey(t, "p256_sec1.pem"), loadKey(t, "p384_sec1.pem"), loadKey(t, "rsa3072.pem"),
	}
}

func FuzzSignVerifyV2(f *testing.F) {
	keys := fuzzKeys(f)
	f.Add([]byte{}, uint8(0), uint16(0))
	f.Add(testImage(100), uint8(1), uint16(7))
	f.Add(testImage(4096), uint8(2), uint16(4095))
	f.Add(testImage(5000), uint8(3), uint16(123))
	f.Fuzz(func(t *testing.T, data []byte, which uint8, flip uint16) {
		k := keys[int(which)%len(keys)]
		signed, err := SignV2(data, []*PrivateKey{k}, SignOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(signed)%SectorSize != 0 || !bytes.Equal(signed[:len(data)], data) {
			t.Fatal("bad layout")
		}
		st, err := VerifyV2(signed, k.Public())
		if err != nil || !st[0].Verified {
			t.Fatalf("does not verify: %v", err)
		}
		blocks, err := ParseSignatureSector(signed)
		if err != nil || len(blocks) != 1 || !blocks[0].Key.Equal(k.Public()) {
			t.Fatalf("parse: %v", err)
		}
		if len(signed) > SectorSize {
			bad := bytes.Clone(signed)
			bad[int(flip)%(len(signed)-SectorSize)] ^= 0x80
			if _, err := VerifyV2(bad, k.Public()); err == nil {
				t.Fatal("corrupted content verifies")
			}
		}
		if len(data) > 0 {
			v1, err := SignV1(keys[1], data)
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyV1(keys[1].Public(), v1); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// signedSeeds returns one signed image per key type, for seed corpora.
func signedSeeds(t testing.TB) [][]byte {
	var out [][]byte
	for _, k := range fuzzKeys(t) {
		s, err := SignV2(testImage(100), []*PrivateKey{k}, SignOptions{})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// FuzzParseSignatureSector: no input panics, and every block that parses re-encodes to
// the same bytes.
func FuzzParseSignatureSector(f *testing.F) {
	keys := fuzzKeys(f)
	for _, s := range signedSeeds(f) {
		f.Add(s)
	}
	f.Add(bytes.Repeat([]byte{0xFF}, SectorSize))
	f.Add([]byte{BlockMagic, BlockVersionECDSA})
	f.Fuzz(func(t *testing.T, data []byte) {
		blocks, _ := ParseSignatureSector(data)
		for i, b := range blocks {
			enc, err := b.MarshalBinary()
			if err != nil {
				t.Fatalf("block %d parsed but does not encode: %v", i, err)
			}
			start := len(data) - SectorSize + i*BlockSize
			if !bytes.Equal(enc, data[start:start+BlockSize]) {
				t.Fatalf("block %d round trip differs", i)
			}
		}
		_, _ = SignatureInfoV2(data)
		for _, k := range keys {
			_, _ = VerifyV2(data, k.Public())
		}
		_, _ = PrepareV2(data, PrepareOptions{Append: true})
	})
}

// FuzzSignatureBlock forces a valid magic and CRC so that the field checks are reached.
func FuzzSignatureBlock(f *testing.F) {
	keys := fuzzKeys(f)
	for _, s := range signedSeeds(f) {
		f.Add(s[len(s)-SectorSize : len(s)-SectorSize+BlockSize])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		blk := make([]byte, BlockSize)
		copy(blk, data)
		blk[0] = BlockMagic
		content := bytes.Repeat([]byte{0xFF}, SectorSize)
		// A matching image digest lets the signature checks run.
		if blk[1] == BlockVersionECDSA && blk[2] == ecdsaSHA384 {
			copy(blk[offDigest:], imageDigest(SchemeECDSAP384, content))
		} else {
			copy(blk[offDigest:], imageDigest(SchemeRSA3072, content))
		}
		putCRC(blk)
		var b SignatureBlock
		if err := b.UnmarshalBinary(blk); err == nil {
			enc, err := b.MarshalBinary()
			if err != nil || !bytes.Equal(enc, blk) {
				t.Fatalf("round trip: %v", err)
			}
		}
		img := append(content, blk...)
		img = append(img, bytes.Repeat([]byte{0xFF}, SectorSize-BlockSize)...)
		_, _ = SignatureInfoV2(img)
		for _, k := range keys {
			_, _ = VerifyV2(img, k.Public())
		}
	})
}
