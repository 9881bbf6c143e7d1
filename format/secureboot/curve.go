package secureboot

import (
	"crypto/elliptic"
	"encoding/asn1"
	"math/big"
	"sync"
)

// curve holds the domain parameters of a short-Weierstrass curve y² = x³ + ax + b over
// GF(p). The arithmetic below is generic and uses math/big: it exists because Go's
// standard library has no P-192, and it doubles as an independent cross-check of the
// standard-library curves in tests.
type curve struct {
	name    string
	scheme  Scheme
	id      byte // curve id in a V2 ECDSA signature block
	p, a, b *big.Int
	n       *big.Int // order of the base point
	gx, gy  *big.Int
	size    int // byte length of a coordinate / scalar
	oid     asn1.ObjectIdentifier
	std     elliptic.Curve // nil for P-192
}

var (
	oidP192 = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 1}
	oidP256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	oidP384 = asn1.ObjectIdentifier{1, 3, 132, 0, 34}
)

func hexInt(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("secureboot: bad curve constant " + s)
	}
	return v
}

// curves is built once and never modified afterwards.
var curves = sync.OnceValue(func() []*curve {
	p192 := &curve{
		name: "P-192", scheme: SchemeECDSAP192, id: 1, size: 24, oid: oidP192,
		p:  hexInt("fffffffffffffffffffffffffffffffeffffffffffffffff"),
		b:  hexInt("64210519e59c80e70fa7e9ab72243049feb8deecc146b9b1"),
		n:  hexInt("ffffffffffffffffffffffff99def836146bc9b1b4d22831"),
		gx: hexInt("188da80eb03090f67cbf20eb43a18800f4ff0afd82ff1012"),
		gy: hexInt("07192b95ffc8da78631011ed6b24cdd573f977a11e794811"),
	}
	fromStd := func(c elliptic.Curve, s Scheme, id byte, oid asn1.ObjectIdentifier) *curve {
		prm := c.Params()
		return &curve{
			name: prm.Name, scheme: s, id: id, size: (prm.BitSize + 7) / 8, oid: oid,
			p: prm.P, b: prm.B, n: prm.N, gx: prm.Gx, gy: prm.Gy, std: c,
		}
	}
	out := []*curve{
		p192,
		fromStd(elliptic.P256(), SchemeECDSAP256, 2, oidP256),
		fromStd(elliptic.P384(), SchemeECDSAP384, 3, oidP384),
	}
	for _, c := range out {
		// All NIST prime curves have a = -3.
		c.a = new(big.Int).Sub(c.p, big.NewInt(3))
	}
	return out
})

func curveByScheme(s Scheme) *curve {
	for _, c := range curves() {
		if c.scheme == s {
			return c
		}
	}
	return nil
}

func curveByOID(oid asn1.ObjectIdentifier) *curve {
	for _, c := range curves() {
		if c.oid.Equal(oid) {
			return c
		}
	}
	return nil
}

func curveByID(id byte) *curve {
	for _, c := range curves() {
		if c.id == id {
			return c
		}
	}
	return nil
}

// point is an affine point; inf marks the point at infinity.
type point struct {
	x, y *big.Int
	inf  bool
}

func (c *curve) onCurve(x, y *big.Int) bool {
	if x.Sign() < 0 || x.Cmp(c.p) >= 0 || y.Sign() < 0 || y.Cmp(c.p) >= 0 {
		return false
	}
	lhs := new(big.Int).Mul(y, y)
	lhs.Mod(lhs, c.p)
	rhs := new(big.Int).Mul(x, x)
	rhs.Mul(rhs, x)
	ax := new(big.Int).Mul(c.a, x)
	rhs.Add(rhs, ax)
	rhs.Add(rhs, c.b)
	rhs.Mod(rhs, c.p)
	return lhs.Cmp(rhs) == 0
}

func (c *curve) add(p1, p2 point) point {
	if p1.inf {
		return p2
	}
	if p2.inf {
		return p1
	}
	var lambda *big.Int
	if p1.x.Cmp(p2.x) == 0 {
		sum := new(big.Int).Add(p1.y, p2.y)
		if sum.Mod(sum, c.p).Sign() == 0 {
			return point{inf: true}
		}
		// Doubling: λ = (3x² + a) / 2y.
		num := new(big.Int).Mul(p1.x, p1.x)
		num.Mul(num, big.NewInt(3))
		num.Add(num, c.a)
		den := new(big.Int).Lsh(p1.y, 1)
		den.ModInverse(den.Mod(den, c.p), c.p)
		lambda = num.Mul(num, den)
	} else {
		num := new(big.Int).Sub(p2.y, p1.y)
		den := new(big.Int).Sub(p2.x, p1.x)
		den.ModInverse(den.Mod(den, c.p), c.p)
		lambda = num.Mul(num, den)
	}
	lambda.Mod(lambda, c.p)
	x3 := new(big.Int).Mul(lambda, lambda)
	x3.Sub(x3, p1.x)
	x3.Sub(x3, p2.x)
	x3.Mod(x3, c.p)
	y3 := new(big.Int).Sub(p1.x, x3)
	y3.Mul(y3, lambda)
	y3.Sub(y3, p1.y)
	y3.Mod(y3, c.p)
	return point{x: x3, y: y3}
}

// mul computes k·P by double-and-add. It is not constant time.
func (c *curve) mul(p point, k *big.Int) point {
	r := point{inf: true}
	for i := k.BitLen() - 1; i >= 0; i-- {
		r = c.add(r, r)
		if k.Bit(i) == 1 {
			r = c.add(r, p)
		}
	}
	return r
}

func (c *curve) base() point { return point{x: c.gx, y: c.gy} }
