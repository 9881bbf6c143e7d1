package flashenc

import (
	"crypto/cipher"
	"encoding/binary"
)

// unitSize is the XTS data unit: 1024 bits of flash share one tweak.
const unitSize = 0x80

const (
	blocksPerUnit = unitSize / 16
	// chunkUnits data units are processed per pass, so the tweak encryptions
	// and the data encryptions each run back to back.
	chunkUnits  = 8
	chunkSize   = chunkUnits * unitSize
	chunkBlocks = chunkUnits * blocksPerUnit
)

// xtsKeys is standard IEEE P1619 XTS without ciphertext stealing: k1 encrypts
// data, k2 encrypts the tweak.
//
// It computes exactly what golang.org/x/crypto/xts does (the tests use that
// package as an oracle), but that package wants each sector in a buffer of
// its own, so the byte-reversed data unit espsecure feeds it would need
// copying in and out, plus zero padding at unaligned ends; folding the
// reversal into word loads and stores here is about five times faster.
type xtsKeys struct {
	k1, k2 cipher.Block
}

// xtsScratch holds, for one chunk, the tweak of every 16-byte flash block as
// little-endian 64-bit halves, and the buffer the unit tweaks are encrypted
// in. It is allocated once per call: a buffer handed to cipher.Block escapes.
type xtsScratch struct {
	t   [chunkBlocks][2]uint64
	buf [chunkUnits * 16]byte
}

// chunkTweaks fills s.t for units units starting at unitAddr. Flash block b
// of a unit is block 7-b of the byte-reversed unit espsecure encrypts, so it
// gets T·α^(7-b), where T is the encrypted little-endian unit address.
func (x *xtsKeys) chunkTweaks(s *xtsScratch, unitAddr uint32, units int) {
	clear(s.buf[:])
	for u := range units {
		binary.LittleEndian.PutUint32(s.buf[16*u:], unitAddr+uint32(u)*unitSize)
	}
	for u := range units {
		b := s.buf[16*u : 16*u+16]
		x.k2.Encrypt(b, b)
	}
	for u := range units {
		lo := binary.LittleEndian.Uint64(s.buf[16*u:])
		hi := binary.LittleEndian.Uint64(s.buf[16*u+8:])
		for j := range blocksPerUnit {
			s.t[u*blocksPerUnit+blocksPerUnit-1-j] = [2]uint64{lo, hi}
			// Multiply by α in GF(2^128) mod x^128 + x^7 + x^2 + x + 1.
			carry := hi >> 63
			hi = hi<<1 | lo>>63
			lo = lo<<1 ^ carry*0x87
		}
	}
}

// cryptXTS runs XTS the way espsecure drives it: each 128-byte data unit is
// byte-reversed, encrypted as one XTS sector numbered by the unit's flash
// address, and reversed back. Reversing a unit reverses the order of its
// 16-byte blocks and the bytes inside each. Partial units at the ends are
// what espsecure zero-pads; XTS without ciphertext stealing treats each
// 16-byte block on its own, so the padding never shows and is skipped.
func (c *Cipher) cryptXTS(dst, src []byte, addr uint32, decrypt bool) {
	s := new(xtsScratch)
	chunkAddr := addr &^ (unitSize - 1)
	first := int(addr-chunkAddr) / 16 // tweak index of src[0] in its chunk
	for i := 0; i < len(src); {
		n := min(chunkBlocks-first, (len(src)-i)/16)
		c.xts.chunkTweaks(s, chunkAddr, (first+n+blocksPerUnit-1)/blocksPerUnit)
		tw := s.t[first : first+n]
		in, out := src[i:i+16*n], dst[i:i+16*n]
		// Three passes rather than one per block: the block cipher reads 16
		// bytes at once, and reading them straight after the two 8-byte
		// stores that wrote them defeats store forwarding.
		for k := range tw {
			// The reversed block as little-endian halves is the big-endian
			// read of the original halves, swapped.
			lo := binary.BigEndian.Uint64(in[16*k+8:]) ^ tw[k][0]
			hi := binary.BigEndian.Uint64(in[16*k:]) ^ tw[k][1]
			binary.LittleEndian.PutUint64(out[16*k:], lo)
			binary.LittleEndian.PutUint64(out[16*k+8:], hi)
		}
		for k := range tw {
			b := out[16*k : 16*k+16]
			if decrypt {
				c.xts.k1.Decrypt(b, b)
			} else {
				c.xts.k1.Encrypt(b, b)
			}
		}
		for k := range tw {
			lo := binary.LittleEndian.Uint64(out[16*k:]) ^ tw[k][0]
			hi := binary.LittleEndian.Uint64(out[16*k+8:]) ^ tw[k][1]
			binary.BigEndian.PutUint64(out[16*k+8:], lo)
			binary.BigEndian.PutUint64(out[16*k:], hi)
		}
		i += 16 * n
		first = 0
		chunkAddr += chunkSize
	}
	clear(s.t[:])
	clear(s.buf[:])
}
