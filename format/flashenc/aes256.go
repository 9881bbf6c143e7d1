package flashenc

import (
	"crypto/aes"
	"encoding/binary"
	"math/bits"
	"sync"
)

// aes256 is an AES-256 whose key schedule lives in the value itself, so it
// can be re-keyed for every 32-byte ESP32 block without allocating.
// crypto/aes cannot do that: each key costs a NewCipher (an allocation and an
// interface call), which made ESP32-mode encryption allocation-bound. On amd64
// with AES-NI (aesni_amd64.s) the expansion and the rounds are AES
// instructions; elsewhere, and with the purego build tag, they are the
// classic 32-bit tables below, except where crypto/aes has AES instructions
// of its own (see stdlibCrypt).
//
// The table path is not constant-time: lookups indexed by key-dependent bytes
// could let a process sharing the CPU learn key bits from cache timing. That
// is accepted here because this code pre-encrypts a firmware image on the
// host, with a key the host holds anyway, in a short batch run; it is not a
// service answering an attacker's chosen inputs. The AES-NI path has no
// secret-dependent lookups, and conf 0 (one key throughout) and XTS still go
// through crypto/aes.
type aes256 struct {
	enc [60]uint32 // the FIPS-197 expanded key
	dec [60]uint32 // the equivalent inverse cipher's key, valid after invert
	rk  [240]byte  // the round keys as AES-NI expands them
}

// crypt runs the len(b)/16 blocks of b in place under key: encryption, or the
// inverse cipher when dec. With AES-NI the key expansion is done there too.
func (a *aes256) crypt(key *[32]byte, b []byte, dec bool) {
	switch {
	case haveAESNI:
		aesniCrypt(key, &a.rk, &b[0], len(b)/16, dec)
		return
	case stdlibPerKey:
		stdlibCrypt(key, b, dec)
		return
	}
	a.expand(key)
	if dec {
		a.invert()
		for j := 0; j < len(b); j += 16 {
			a.decrypt(b[j : j+16])
		}
		return
	}
	for j := 0; j < len(b); j += 16 {
		a.encrypt(b[j : j+16])
	}
}

// stdlibCrypt is crypt through one aes.NewCipher per key, as this package
// did everywhere before. It allocates 512 bytes per key, but where crypto/aes
// has AES instructions and this package has none of its own (arm64, ppc64x,
// s390x) it should still beat the tables, as it does on amd64 (~140 MB/s
// against ~85 MB/s for the tables). That is inferred, not measured on those
// CPUs; see the README.
func stdlibCrypt(key *[32]byte, b []byte, dec bool) {
	blk, err := aes.NewCipher(key[:])
	if err != nil {
		panic(err) // a 32-byte key cannot be refused
	}
	for j := 0; j < len(b); j += 16 {
		if dec {
			blk.Decrypt(b[j:j+16], b[j:j+16])
		} else {
			blk.Encrypt(b[j:j+16], b[j:j+16])
		}
	}
}

// expand sets the encryption schedule from the 32-byte key. It is the way into the
// table code, so it is where the tables are built, once.
func (a *aes256) expand(key *[32]byte) {
	tablesOnce.Do(initTables)
	w := &a.enc
	for i := range 8 {
		w[i] = binary.BigEndian.Uint32(key[4*i:])
	}
	rcon := uint32(1)
	for i := 8; i < 60; i++ {
		t := w[i-1]
		switch i % 8 {
		case 0:
			t = subWord(bits.RotateLeft32(t, 8)) ^ rcon<<24
			rcon = uint32(gfMul(byte(rcon), 2))
		case 4:
			t = subWord(t)
		}
		w[i] = w[i-8] ^ t
	}
}

// invert derives the decryption schedule from enc: round keys in reverse
// order, with InvMixColumns applied to all but the first and last.
func (a *aes256) invert() {
	for r := 0; r <= 14; r++ {
		for c := range 4 {
			w := a.enc[4*(14-r)+c]
			if r != 0 && r != 14 {
				w = imc0[w>>24] ^ imc1[w>>16&0xff] ^ imc2[w>>8&0xff] ^ imc3[w&0xff]
			}
			a.dec[4*r+c] = w
		}
	}
}

func (a *aes256) clear() {
	clear(a.enc[:])
	clear(a.dec[:])
	clear(a.rk[:])
}

func subWord(w uint32) uint32 {
	return uint32(sbox[w>>24])<<24 | uint32(sbox[w>>16&0xff])<<16 | uint32(sbox[w>>8&0xff])<<8 | uint32(sbox[w&0xff])
}

// encrypt runs AES-256 on the 16-byte block b in place.
func (a *aes256) encrypt(b []byte) {
	k := &a.enc
	_ = b[15]
	s0 := binary.BigEndian.Uint32(b[0:]) ^ k[0]
	s1 := binary.BigEndian.Uint32(b[4:]) ^ k[1]
	s2 := binary.BigEndian.Uint32(b[8:]) ^ k[2]
	s3 := binary.BigEndian.Uint32(b[12:]) ^ k[3]
	for r := 1; r < 14; r++ {
		rk := k[4*r : 4*r+4 : 4*r+4]
		t0 := te0[s0>>24] ^ te1[s1>>16&0xff] ^ te2[s2>>8&0xff] ^ te3[s3&0xff] ^ rk[0]
		t1 := te0[s1>>24] ^ te1[s2>>16&0xff] ^ te2[s3>>8&0xff] ^ te3[s0&0xff] ^ rk[1]
		t2 := te0[s2>>24] ^ te1[s3>>16&0xff] ^ te2[s0>>8&0xff] ^ te3[s1&0xff] ^ rk[2]
		t3 := te0[s3>>24] ^ te1[s0>>16&0xff] ^ te2[s1>>8&0xff] ^ te3[s2&0xff] ^ rk[3]
		s0, s1, s2, s3 = t0, t1, t2, t3
	}
	rk := k[56:60]
	binary.BigEndian.PutUint32(b[0:], lastRound(&sbox, s0, s1, s2, s3)^rk[0])
	binary.BigEndian.PutUint32(b[4:], lastRound(&sbox, s1, s2, s3, s0)^rk[1])
	binary.BigEndian.PutUint32(b[8:], lastRound(&sbox, s2, s3, s0, s1)^rk[2])
	binary.BigEndian.PutUint32(b[12:], lastRound(&sbox, s3, s0, s1, s2)^rk[3])
}

// decrypt runs the AES-256 inverse cipher on b in place; invert must have
// been called since the last expand.
func (a *aes256) decrypt(b []byte) {
	k := &a.dec
	_ = b[15]
	s0 := binary.BigEndian.Uint32(b[0:]) ^ k[0]
	s1 := binary.BigEndian.Uint32(b[4:]) ^ k[1]
	s2 := binary.BigEndian.Uint32(b[8:]) ^ k[2]
	s3 := binary.BigEndian.Uint32(b[12:]) ^ k[3]
	for r := 1; r < 14; r++ {
		rk := k[4*r : 4*r+4 : 4*r+4]
		t0 := td0[s0>>24] ^ td1[s3>>16&0xff] ^ td2[s2>>8&0xff] ^ td3[s1&0xff] ^ rk[0]
		t1 := td0[s1>>24] ^ td1[s0>>16&0xff] ^ td2[s3>>8&0xff] ^ td3[s2&0xff] ^ rk[1]
		t2 := td0[s2>>24] ^ td1[s1>>16&0xff] ^ td2[s0>>8&0xff] ^ td3[s3&0xff] ^ rk[2]
		t3 := td0[s3>>24] ^ td1[s2>>16&0xff] ^ td2[s1>>8&0xff] ^ td3[s0&0xff] ^ rk[3]
		s0, s1, s2, s3 = t0, t1, t2, t3
	}
	rk := k[56:60]
	binary.BigEndian.PutUint32(b[0:], lastRound(&invSbox, s0, s3, s2, s1)^rk[0])
	binary.BigEndian.PutUint32(b[4:], lastRound(&invSbox, s1, s0, s3, s2)^rk[1])
	binary.BigEndian.PutUint32(b[8:], lastRound(&invSbox, s2, s1, s0, s3)^rk[2])
	binary.BigEndian.PutUint32(b[12:], lastRound(&invSbox, s3, s2, s1, s0)^rk[3])
}

// lastRound is the final (Inv)SubBytes+(Inv)ShiftRows for one column, taking
// row i's byte from the i-th word.
func lastRound(s *[256]byte, w0, w1, w2, w3 uint32) uint32 {
	return uint32(s[w0>>24])<<24 | uint32(s[w1>>16&0xff])<<16 | uint32(s[w2>>8&0xff])<<8 | uint32(s[w3&0xff])
}

// The tables are computed from GF(2^8) arithmetic on first use rather than
// written out (not in init: building them costs ~0.7 ms, which every process
// paid at start-up, `espcompose version` included, though with AES-NI no table is
// ever read): te* fold SubBytes and MixColumns, td* InvSubBytes and
// InvMixColumns, imc* InvMixColumns alone (for the decryption key schedule);
// the 1..3 variants are byte rotations of the 0 one.
var (
	sbox, invSbox          [256]byte
	te0, te1, te2, te3     [256]uint32
	td0, td1, td2, td3     [256]uint32
	imc0, imc1, imc2, imc3 [256]uint32
)

var tablesOnce sync.Once

func initTables() {
	for x := range 256 {
		// The S-box is the affine map of the multiplicative inverse (0 -> 0).
		inv := byte(0)
		if x != 0 {
			inv = gfPow(byte(x), 254)
		}
		s := inv ^ bits.RotateLeft8(inv, 1) ^ bits.RotateLeft8(inv, 2) ^ bits.RotateLeft8(inv, 3) ^ bits.RotateLeft8(inv, 4) ^ 0x63
		sbox[x] = s
		invSbox[s] = byte(x)
	}
	for x := range 256 {
		s := sbox[x]
		te0[x] = uint32(gfMul(s, 2))<<24 | uint32(s)<<16 | uint32(s)<<8 | uint32(gfMul(s, 3))
		i := invSbox[x]
		td0[x] = imcCol(i)
		imc0[x] = imcCol(byte(x))
		te1[x], te2[x], te3[x] = bits.RotateLeft32(te0[x], -8), bits.RotateLeft32(te0[x], -16), bits.RotateLeft32(te0[x], -24)
		td1[x], td2[x], td3[x] = bits.RotateLeft32(td0[x], -8), bits.RotateLeft32(td0[x], -16), bits.RotateLeft32(td0[x], -24)
		imc1[x], imc2[x], imc3[x] = bits.RotateLeft32(imc0[x], -8), bits.RotateLeft32(imc0[x], -16), bits.RotateLeft32(imc0[x], -24)
	}
}

// imcCol is byte b's contribution to an InvMixColumns column when it sits in
// row 0: {0e, 09, 0d, 0b}·b.
func imcCol(b byte) uint32 {
	return uint32(gfMul(b, 14))<<24 | uint32(gfMul(b, 9))<<16 | uint32(gfMul(b, 13))<<8 | uint32(gfMul(b, 11))
}

// gfMul multiplies in GF(2^8) modulo x^8+x^4+x^3+x+1.
func gfMul(a, b byte) byte {
	var p byte
	for b != 0 {
		if b&1 != 0 {
			p ^= a
		}
		a = a<<1 ^ 0x1b*(a>>7)
		b >>= 1
	}
	return p
}

func gfPow(a byte, e int) byte {
	r := byte(1)
	for ; e > 0; e-- {
		r = gfMul(r, a)
	}
	return r
}
