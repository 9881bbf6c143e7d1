package flashenc

import (
	"crypto/aes"
	"math/big"
	"slices"

	"golang.org/x/crypto/xts"
)

// Independent, slow restatements of espsecure's algorithms, used to check the
// optimised code on inputs no fixture covers.

// oracleESP32 follows _flash_encryption_operation_esp32 literally: big-integer
// tweak per 32-byte block, reversed blocks, AES decryption to encrypt.
func oracleESP32(key32 []byte, data []byte, addr uint32, conf uint8, decrypt bool) []byte {
	h := func(s string) *big.Int { v, _ := new(big.Int).SetString(s, 16); return v }
	mul1 := h("0000200004000080000004000080001000000200004000080000040000800010")
	mul2 := h("0000000000000000200000000000000010000000000000002000000000000001")
	mul2Mask := h("000000000000007FE00000000000000FF000000000000007E00000000000000F")
	ranges := []*big.Int{
		h("FFFFFFFFFFFFFFFFE00000000000000000000000000000000000000000000000"),
		h("00000000000000001FFFFFFFFFFFFFFFF0000000000000000000000000000000"),
		h("000000000000000000000000000000000FFFFFFFFFFFFFFFE000000000000000"),
		h("0000000000000000000000000000000000000000000000001FFFFFFFFFFFFFFF"),
	}
	rng := new(big.Int)
	for i, r := range ranges {
		if conf&(1<<i) != 0 {
			rng.Or(rng, r)
		}
	}
	k := new(big.Int).SetBytes(key32)
	out := make([]byte, len(data))
	for i := 0; i < len(data); i += 16 {
		a := big.NewInt(int64((uint64(addr) + uint64(i)) >> 5))
		p1 := new(big.Int).Mul(mul1, a)
		p2 := new(big.Int).Mul(mul2, a)
		p2.And(p2, mul2Mask)
		t := p1.Or(p1, p2)
		t.And(t, rng)
		kb := new(big.Int).Xor(k, t).FillBytes(make([]byte, 32))
		blk, _ := aes.NewCipher(kb)
		b := slices.Clone(data[i : i+16])
		slices.Reverse(b)
		if decrypt {
			blk.Encrypt(b, b)
		} else {
			blk.Decrypt(b, b)
		}
		slices.Reverse(b)
		copy(out[i:], b)
	}
	return out
}

// oracleXTS follows _flash_encryption_operation_aes_xts: zero-pad to whole
// 128-byte units, reverse each, x/crypto/xts with the unit address, reverse.
func oracleXTS(key []byte, data []byte, addr uint32, decrypt bool) []byte {
	c, err := xts.NewCipher(aes.NewCipher, key)
	if err != nil {
		panic(err)
	}
	left := int(addr % unitSize)
	buf := append(make([]byte, left), data...)
	if r := len(buf) % unitSize; r != 0 {
		buf = append(buf, make([]byte, unitSize-r)...)
	}
	unitAddr := uint64(addr &^ (unitSize - 1))
	for u := 0; u < len(buf); u += unitSize {
		b := buf[u : u+unitSize]
		slices.Reverse(b)
		if decrypt {
			c.Decrypt(b, b, unitAddr)
		} else {
			c.Encrypt(b, b, unitAddr)
		}
		slices.Reverse(b)
		unitAddr += unitSize
	}
	return buf[left : left+len(data)]
}
