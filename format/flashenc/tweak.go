package flashenc

import (
	"encoding/binary"
	"math/bits"
)

// u256 is a 256-bit number as four 64-bit limbs, most significant first, so
// that its big-endian byte form is the limbs' big-endian bytes in order. The
// reference treats the 32-byte key as one big-endian integer.
type u256 [4]uint64

// The ESP32 key tweak, as espsecure computes it: the key XORed with
// ((mul1*a) | ((mul2*a) & mul2Mask)) & confMask, where a is the flash offset
// divided by 32. Below 16 MiB the products are shifted copies of a that do not
// overlap; above, carries occur and are reproduced exactly (arithmetic mod 2^256).
var (
	tweakMul1     = u256{0x0000200004000080, 0x0000040000800010, 0x0000020000400008, 0x0000040000800010}
	tweakMul2     = u256{0x0000000000000000, 0x2000000000000000, 0x1000000000000000, 0x2000000000000001}
	tweakMul2Mask = u256{0x000000000000007f, 0xe00000000000000f, 0xf000000000000007, 0xe00000000000000f}
	// One key-bit range per FLASH_CRYPT_CONFIG bit, bit 0 first.
	tweakConfRange = [4]u256{
		{0xffffffffffffffff, 0xe000000000000000, 0, 0},
		{0, 0x1fffffffffffffff, 0xf000000000000000, 0},
		{0, 0, 0x0fffffffffffffff, 0xe000000000000000},
		{0, 0, 0, 0x1fffffffffffffff},
	}
)

// confMask is the set of key bits FLASH_CRYPT_CONFIG lets the tweak touch.
func confMask(conf uint8) u256 {
	var m u256
	for i, r := range tweakConfRange {
		if conf&(1<<i) != 0 {
			for j := range m {
				m[j] |= r[j]
			}
		}
	}
	return m
}

// mulSmall returns x*y mod 2^256.
func mulSmall(x u256, y uint64) u256 {
	var out u256
	var carry uint64
	for i := 3; i >= 0; i-- {
		hi, lo := bits.Mul64(x[i], y)
		var c uint64
		out[i], c = bits.Add64(lo, carry, 0)
		carry = hi + c
	}
	return out
}

// tweakPattern is the value XORed into the key for the 32-byte block at offset.
func tweakPattern(offset uint64, mask u256) u256 {
	a := offset >> 5
	p1 := mulSmall(tweakMul1, a)
	p2 := mulSmall(tweakMul2, a)
	var t u256
	for i := range t {
		t[i] = (p1[i] | (p2[i] & tweakMul2Mask[i])) & mask[i]
	}
	return t
}

// tweakKey writes key XOR tweakPattern(offset) into dst as 32 big-endian bytes.
func tweakKey(dst *[32]byte, key *u256, offset uint64, mask u256) {
	t := tweakPattern(offset, mask)
	for i := range t {
		binary.BigEndian.PutUint64(dst[8*i:], key[i]^t[i])
	}
}

func loadU256(b []byte) u256 {
	var x u256
	for i := range x {
		x[i] = binary.BigEndian.Uint64(b[8*i:])
	}
	return x
}
