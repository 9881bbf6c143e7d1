package secureboot

import (
	"crypto/hmac"
	"hash"
	"math/big"
)

// bits2int keeps the leftmost bit length of n bits of b (RFC 6979 §2.3.2); ECDSA uses
// the same truncation to turn a digest into a scalar.
func bits2int(b []byte, n *big.Int) *big.Int {
	v := new(big.Int).SetBytes(b)
	if excess := len(b)*8 - n.BitLen(); excess > 0 {
		v.Rsh(v, uint(excess))
	}
	return v
}

// nonceRFC6979 returns the deterministic ECDSA nonces of RFC 6979 §3.2 in order: the
// caller takes the next one when a nonce yields r = 0 or s = 0. extra, when not empty,
// is mixed in as the additional data of §3.6 to hedge the nonce with fresh randomness.
type nonceRFC6979 struct {
	newHash func() hash.Hash
	n       *big.Int
	k, v    []byte
	started bool
}

func newNonceRFC6979(newHash func() hash.Hash, n, d *big.Int, digest, extra []byte) *nonceRFC6979 {
	rlen := (n.BitLen() + 7) / 8
	x := d.FillBytes(make([]byte, rlen))
	h := bits2int(digest, n)
	h.Mod(h, n)
	hb := h.FillBytes(make([]byte, rlen))

	hlen := newHash().Size()
	g := &nonceRFC6979{newHash: newHash, n: n, k: make([]byte, hlen), v: make([]byte, hlen)}
	for i := range g.v {
		g.v[i] = 0x01
	}
	for _, sep := range []byte{0x00, 0x01} {
		g.k = g.mac(g.k, g.v, []byte{sep}, x, hb, extra)
		g.v = g.mac(g.k, g.v)
	}
	return g
}

func (g *nonceRFC6979) mac(key []byte, parts ...[]byte) []byte {
	m := hmac.New(g.newHash, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

func (g *nonceRFC6979) next() *big.Int {
	qlen := g.n.BitLen()
	for {
		if g.started {
			g.k = g.mac(g.k, g.v, []byte{0x00})
			g.v = g.mac(g.k, g.v)
		}
		g.started = true
		var t []byte
		for len(t)*8 < qlen {
			g.v = g.mac(g.k, g.v)
			t = append(t, g.v...)
		}
		k := bits2int(t, g.n)
		if k.Sign() > 0 && k.Cmp(g.n) < 0 {
			return k
		}
	}
}
