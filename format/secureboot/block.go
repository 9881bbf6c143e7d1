package secureboot

import (
	"bytes"
	"crypto/rsa"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math/big"
)

// Secure Boot V2 signature sector geometry.
const (
	SectorSize = 4096 // the signature sector, and the alignment of the signed content
	BlockSize  = 1216 // one signature block
	MaxBlocks  = 3    // blocks per signature sector
)

// Signature block header values.
const (
	BlockMagic        = 0xE7
	BlockVersionRSA   = 0x02
	BlockVersionECDSA = 0x03
)

// Private layout of a 1216-byte block. Common: magic(1) version(1) then, for RSA,
// 2 pad bytes and the SHA-256 image digest; for ECDSA a SHA type byte, 1 pad byte and the
// digest (32 bytes, or 48 for SHA-384). CRC32 of bytes [0, 1196) at 1196, 16 zero bytes.
const (
	offDigest     = 4
	offRSAN       = 36
	offRSAE       = 420
	offRSARinv    = 424
	offRSAMdash   = 808
	offRSASig     = 812
	offCRC        = 1196
	rsaLen        = 384
	ecdsaSHA256   = 0
	ecdsaSHA384   = 1
	ecdsaFieldLen = 64 // P-192 and P-256 blocks: point and signature halves in 64-byte fields
)

// SignatureBlock is one decoded Secure Boot V2 signature block.
//
// Signature is the RSA-PSS signature as a 384-byte big-endian integer, or the ECDSA r || s,
// each big-endian and as long as a curve coordinate. The block itself stores every
// number little-endian, and for RSA also the Montgomery constants rinv = 2^6144 mod n and
// mdash = -n⁻¹ mod 2^32 that the hardware RSA peripheral needs; they are derived from Key.
type SignatureBlock struct {
	Key         *PublicKey
	ImageDigest []byte // SHA-256, or SHA-384 for ECDSA P-384
	Signature   []byte
}

// Scheme returns the block's scheme.
func (b *SignatureBlock) Scheme() Scheme { return b.Key.Scheme }

func reversed(b []byte) []byte {
	out := make([]byte, len(b))
	for i := range b {
		out[len(b)-1-i] = b[i]
	}
	return out
}

// littleEndian writes v into dst as a little-endian integer of len(dst) bytes.
func littleEndian(dst []byte, v *big.Int) {
	v.FillBytes(dst)
	copy(dst, reversed(dst))
}

func fromLittleEndian(b []byte) *big.Int { return new(big.Int).SetBytes(reversed(b)) }

// rsaMontgomery returns the constants the ESP RSA peripheral needs for modulus n.
func rsaMontgomery(n *big.Int) (rinv *big.Int, mdash uint32) {
	rinv = new(big.Int).Lsh(big.NewInt(1), uint(2*n.BitLen()))
	rinv.Mod(rinv, n)
	m := new(big.Int).Lsh(big.NewInt(1), 32)
	inv := new(big.Int).ModInverse(new(big.Int).Mod(n, m), m)
	if inv == nil {
		return rinv, 0 // even modulus: not an RSA key; never produced by parsing
	}
	inv.Sub(m, inv)
	return rinv, uint32(inv.Uint64())
}

// keyMaterial is the public-key part of a block, exactly the bytes whose SHA-256 is the
// key digest burnt into eFuse: RSA n, e, rinv, mdash; ECDSA curve id and point.
func keyMaterial(k *PublicKey) ([]byte, error) {
	if err := k.check(); err != nil {
		return nil, err
	}
	if k.Scheme == SchemeRSA3072 {
		out := make([]byte, offRSASig-offRSAN)
		rinv, mdash := rsaMontgomery(k.RSA.N)
		littleEndian(out[0:rsaLen], k.RSA.N)
		binary.LittleEndian.PutUint32(out[offRSAE-offRSAN:], uint32(k.RSA.E))
		littleEndian(out[offRSARinv-offRSAN:offRSARinv-offRSAN+rsaLen], rinv)
		binary.LittleEndian.PutUint32(out[offRSAMdash-offRSAN:], mdash)
		return out, nil
	}
	c := curveByScheme(k.Scheme)
	field := max(ecdsaFieldLen, 2*c.size)
	out := make([]byte, 1+field)
	out[0] = c.id
	littleEndian(out[1:1+c.size], k.X)
	littleEndian(out[1+c.size:1+2*c.size], k.Y)
	return out, nil
}

// DigestPublicKeyV2 returns the SHA-256 digest of k as stored in a signature block: the
// value burnt into the SECURE_BOOT_DIGEST eFuse, as `espsecure.py digest_sbv2_public_key`.
func DigestPublicKeyV2(k *PublicKey) ([]byte, error) {
	m, err := keyMaterial(k)
	if err != nil {
		return nil, err
	}
	return sha256Sum(m), nil
}

// MarshalBinary encodes b as a 1216-byte signature block.
func (b *SignatureBlock) MarshalBinary() ([]byte, error) {
	if err := b.Key.check(); err != nil {
		return nil, err
	}
	hashLen := digestLen(b.Key.Scheme)
	if len(b.ImageDigest) != hashLen {
		return nil, fmt.Errorf("%w: image digest is %d bytes, %v needs %d", ErrBlock, len(b.ImageDigest), b.Key.Scheme, hashLen)
	}
	km, err := keyMaterial(b.Key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, BlockSize)
	out[0] = BlockMagic
	copy(out[offDigest:], b.ImageDigest)
	if b.Key.Scheme == SchemeRSA3072 {
		out[1] = BlockVersionRSA
		if len(b.Signature) != rsaLen {
			return nil, fmt.Errorf("%w: RSA signature is %d bytes, want %d", ErrBlock, len(b.Signature), rsaLen)
		}
		copy(out[offRSAN:], km)
		copy(out[offRSASig:], reversed(b.Signature))
	} else {
		c := curveByScheme(b.Key.Scheme)
		out[1] = BlockVersionECDSA
		if len(b.Signature) != 2*c.size {
			return nil, fmt.Errorf("%w: ECDSA signature is %d bytes, want %d", ErrBlock, len(b.Signature), 2*c.size)
		}
		if c.scheme == SchemeECDSAP384 {
			out[2] = ecdsaSHA384
		}
		off := offDigest + hashLen
		copy(out[off:], km)
		sig := out[off+len(km):]
		copy(sig[0:c.size], reversed(b.Signature[:c.size]))
		copy(sig[c.size:2*c.size], reversed(b.Signature[c.size:]))
	}
	binary.LittleEndian.PutUint32(out[offCRC:], crc32.ChecksumIEEE(out[:offCRC]))
	return out, nil
}

// blockHeaderValid is espsecure's test for a present block: magic, a known version and
// the CRC. It says nothing about the fields in between.
func blockHeaderValid(blk []byte) bool {
	if len(blk) != BlockSize || blk[0] != BlockMagic {
		return false
	}
	if blk[1] != BlockVersionRSA && blk[1] != BlockVersionECDSA {
		return false
	}
	return binary.LittleEndian.Uint32(blk[offCRC:]) == crc32.ChecksumIEEE(blk[:offCRC])
}

// blockIsSHA384 reports whether a present block carries a 48-byte SHA-384 digest.
func blockIsSHA384(blk []byte) bool {
	return blk[1] == BlockVersionECDSA && blk[2] == ecdsaSHA384
}

// UnmarshalBinary decodes and strictly validates a 1216-byte signature block: header,
// CRC, key material (RSA constants consistent with n, ECDSA point on its curve) and
// zero padding, so that MarshalBinary gives the same bytes back.
func (b *SignatureBlock) UnmarshalBinary(blk []byte) error {
	if len(blk) != BlockSize {
		return fmt.Errorf("%w: block is %d bytes, want %d", ErrBlock, len(blk), BlockSize)
	}
	if blk[0] != BlockMagic {
		return fmt.Errorf("%w: magic 0x%02x at offset 0, want 0x%02x", ErrBlock, blk[0], BlockMagic)
	}
	if got, want := binary.LittleEndian.Uint32(blk[offCRC:]), crc32.ChecksumIEEE(blk[:offCRC]); got != want {
		return fmt.Errorf("%w: CRC32 0x%08x at offset %d, want 0x%08x", ErrBlock, got, offCRC, want)
	}
	if !allZero(blk[offCRC+4:]) {
		return fmt.Errorf("%w: non-zero padding at offset %d", ErrBlock, offCRC+4)
	}
	var nb SignatureBlock
	switch blk[1] {
	case BlockVersionRSA:
		if blk[2] != 0 || blk[3] != 0 {
			return fmt.Errorf("%w: non-zero padding at offset 2", ErrBlock)
		}
		n := fromLittleEndian(blk[offRSAN : offRSAN+rsaLen])
		e := binary.LittleEndian.Uint32(blk[offRSAE:])
		if n.BitLen() != rsaKeyBits || n.Bit(0) == 0 || e < 3 || e&1 == 0 || e > 1<<31-1 {
			return fmt.Errorf("%w: RSA key at offset %d is not a valid 3072-bit key", ErrBlock, offRSAN)
		}
		nb.Key = &PublicKey{Scheme: SchemeRSA3072, RSA: &rsa.PublicKey{N: n, E: int(e)}}
		nb.ImageDigest = bytes.Clone(blk[offDigest : offDigest+32])
		nb.Signature = reversed(blk[offRSASig : offRSASig+rsaLen])
	case BlockVersionECDSA:
		if blk[3] != 0 {
			return fmt.Errorf("%w: non-zero padding at offset 3", ErrBlock)
		}
		hashLen := 32
		if blk[2] == ecdsaSHA384 {
			hashLen = 48
		} else if blk[2] != ecdsaSHA256 {
			return fmt.Errorf("%w: unknown ECDSA SHA type %d at offset 2", ErrBlock, blk[2])
		}
		off := offDigest + hashLen
		c := curveByID(blk[off])
		if c == nil || digestLen(c.scheme) != hashLen {
			return fmt.Errorf("%w: curve id %d at offset %d does not match SHA type %d", ErrBlock, blk[off], off, blk[2])
		}
		field := max(ecdsaFieldLen, 2*c.size)
		pt := blk[off+1 : off+1+field]
		x := fromLittleEndian(pt[:c.size])
		y := fromLittleEndian(pt[c.size : 2*c.size])
		if !c.onCurve(x, y) {
			return fmt.Errorf("%w: ECDSA point at offset %d is not on %s", ErrBlock, off+1, c.name)
		}
		sig := blk[off+1+field : off+1+2*field]
		if !allZero(pt[2*c.size:]) || !allZero(sig[2*c.size:]) || !allZero(blk[off+1+2*field:offCRC]) {
			return fmt.Errorf("%w: non-zero padding in ECDSA block", ErrBlock)
		}
		nb.Key = &PublicKey{Scheme: c.scheme, X: x, Y: y}
		nb.ImageDigest = bytes.Clone(blk[offDigest:off])
		nb.Signature = append(reversed(sig[:c.size]), reversed(sig[c.size:2*c.size])...)
	default:
		return fmt.Errorf("%w: unknown version 0x%02x at offset 1", ErrBlock, blk[1])
	}
	if nb.Key.Scheme == SchemeRSA3072 {
		rinv, mdash := rsaMontgomery(nb.Key.RSA.N)
		want := make([]byte, rsaLen)
		littleEndian(want, rinv)
		if !bytes.Equal(want, blk[offRSARinv:offRSARinv+rsaLen]) || binary.LittleEndian.Uint32(blk[offRSAMdash:]) != mdash {
			return fmt.Errorf("%w: RSA rinv/mdash at offset %d do not match n", ErrBlock, offRSARinv)
		}
	}
	*b = nb
	return nil
}

func allZero(b []byte) bool {
	for _, v := range b {
		if v != 0 {
			return false
		}
	}
	return true
}
