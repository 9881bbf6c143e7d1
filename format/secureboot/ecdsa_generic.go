package secureboot

import (
	"hash"
	"math/big"
)

// signGeneric is ECDSA over the generic curve arithmetic with RFC 6979 nonces. It runs
// in variable time (see the package documentation).
func (c *curve) signGeneric(d *big.Int, digest []byte, newHash func() hash.Hash, extra []byte) (r, s *big.Int) {
	e := bits2int(digest, c.n)
	nonces := newNonceRFC6979(newHash, c.n, d, digest, extra)
	for {
		k := nonces.next()
		p := c.mul(c.base(), k)
		if p.inf {
			continue
		}
		r = new(big.Int).Mod(p.x, c.n)
		if r.Sign() == 0 {
			continue
		}
		kinv := new(big.Int).ModInverse(k, c.n)
		s = new(big.Int).Mul(r, d)
		s.Add(s, e)
		s.Mul(s, kinv)
		s.Mod(s, c.n)
		if s.Sign() != 0 {
			return r, s
		}
	}
}

// verifyGeneric is ECDSA verification over the generic curve arithmetic.
func (c *curve) verifyGeneric(x, y *big.Int, digest []byte, r, s *big.Int) bool {
	if r.Sign() <= 0 || s.Sign() <= 0 || r.Cmp(c.n) >= 0 || s.Cmp(c.n) >= 0 {
		return false
	}
	if !c.onCurve(x, y) {
		return false
	}
	e := bits2int(digest, c.n)
	w := new(big.Int).ModInverse(s, c.n)
	u1 := new(big.Int).Mul(e, w)
	u1.Mod(u1, c.n)
	u2 := new(big.Int).Mul(r, w)
	u2.Mod(u2, c.n)
	p := c.add(c.mul(c.base(), u1), c.mul(point{x: x, y: y}, u2))
	if p.inf {
		return false
	}
	v := new(big.Int).Mod(p.x, c.n)
	return v.Cmp(r) == 0
}
