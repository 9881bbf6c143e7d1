package secureboot

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"fmt"
	"math/big"
)

// Scheme is a Secure Boot V2 signature scheme; its String is espsecure's --scheme name.
type Scheme int

// Signature schemes.
const (
	SchemeRSA3072 Scheme = iota + 1
	SchemeECDSAP192
	SchemeECDSAP256
	SchemeECDSAP384
)

func (s Scheme) String() string {
	switch s {
	case SchemeRSA3072:
		return "rsa3072"
	case SchemeECDSAP192:
		return "ecdsa192"
	case SchemeECDSAP256:
		return "ecdsa256"
	case SchemeECDSAP384:
		return "ecdsa384"
	}
	return fmt.Sprintf("Scheme(%d)", int(s))
}

// IsECDSA reports whether s is one of the ECDSA schemes.
func (s Scheme) IsECDSA() bool {
	return s == SchemeECDSAP192 || s == SchemeECDSAP256 || s == SchemeECDSAP384
}

// rsaKeyBits is the only RSA size Secure Boot V2 accepts.
const rsaKeyBits = 3072

// PublicKey is a Secure Boot public key: RSA-3072 (RSA set) or an ECDSA point (X, Y).
type PublicKey struct {
	Scheme Scheme
	RSA    *rsa.PublicKey
	X, Y   *big.Int
}

// PrivateKey is a Secure Boot signing key: RSA-3072 (RSA set) or an ECDSA scalar D with
// its public point (X, Y).
type PrivateKey struct {
	Scheme Scheme
	RSA    *rsa.PrivateKey
	D      *big.Int
	X, Y   *big.Int
}

// Public returns the public half of k.
func (k *PrivateKey) Public() *PublicKey {
	if k.Scheme == SchemeRSA3072 && k.RSA != nil {
		return &PublicKey{Scheme: k.Scheme, RSA: &k.RSA.PublicKey}
	}
	return &PublicKey{Scheme: k.Scheme, X: k.X, Y: k.Y}
}

// check rejects a hand-built PrivateKey with missing or out-of-range fields.
func (k *PrivateKey) check() error {
	if k == nil {
		return fmt.Errorf("%w: nil key", ErrKeyType)
	}
	if k.Scheme == SchemeRSA3072 {
		if k.RSA == nil || k.RSA.D == nil {
			return fmt.Errorf("%w: incomplete RSA private key", ErrKeyType)
		}
	} else if c := curveByScheme(k.Scheme); c == nil || k.D == nil || k.D.Sign() <= 0 || k.D.Cmp(c.n) >= 0 {
		return fmt.Errorf("%w: incomplete or invalid ECDSA private key", ErrKeyType)
	}
	return k.Public().check()
}

// Equal reports whether k and o are the same key.
func (k *PublicKey) Equal(o *PublicKey) bool {
	if k == nil || o == nil || k.Scheme != o.Scheme {
		return false
	}
	if k.Scheme == SchemeRSA3072 {
		return k.RSA.N.Cmp(o.RSA.N) == 0 && k.RSA.E == o.RSA.E
	}
	return k.X.Cmp(o.X) == 0 && k.Y.Cmp(o.Y) == 0
}

// stdECDSA returns k as a crypto/ecdsa key, or nil for curves the standard library lacks.
func (k *PrivateKey) stdECDSA() (*ecdsa.PrivateKey, error) {
	c := curveByScheme(k.Scheme)
	if c == nil || c.std == nil {
		return nil, nil
	}
	return ecdsa.ParseRawPrivateKey(c.std, k.D.FillBytes(make([]byte, c.size)))
}

// newECPrivateKey validates d on c and derives its public point.
func newECPrivateKey(c *curve, d *big.Int) (*PrivateKey, error) {
	if d.Sign() <= 0 || d.Cmp(c.n) >= 0 {
		return nil, fmt.Errorf("%w: %s private scalar out of range", ErrKeyFormat, c.name)
	}
	k := &PrivateKey{Scheme: c.scheme, D: d}
	if c.std != nil {
		sk, err := ecdsa.ParseRawPrivateKey(c.std, d.FillBytes(make([]byte, c.size)))
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrKeyFormat, err)
		}
		pt, err := sk.PublicKey.Bytes()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrKeyFormat, err)
		}
		k.X = new(big.Int).SetBytes(pt[1 : 1+c.size])
		k.Y = new(big.Int).SetBytes(pt[1+c.size:])
		return k, nil
	}
	p := c.mul(c.base(), d)
	k.X, k.Y = p.x, p.y
	return k, nil
}

// newECPublicKey decodes an uncompressed SEC1 point on c.
func newECPublicKey(c *curve, pt []byte) (*PublicKey, error) {
	if len(pt) != 1+2*c.size || pt[0] != 4 {
		return nil, fmt.Errorf("%w: %s public point is not an uncompressed point", ErrKeyFormat, c.name)
	}
	x := new(big.Int).SetBytes(pt[1 : 1+c.size])
	y := new(big.Int).SetBytes(pt[1+c.size:])
	if !c.onCurve(x, y) {
		return nil, fmt.Errorf("%w: %s public point is not on the curve", ErrKeyFormat, c.name)
	}
	return &PublicKey{Scheme: c.scheme, X: x, Y: y}, nil
}

func checkRSASize(n *big.Int) error {
	if n.BitLen() != rsaKeyBits {
		return fmt.Errorf("%w: Key file has length %d bits. Secure boot v2 only supports RSA-3072.", ErrKeyType, n.BitLen())
	}
	return nil
}

// uncompressed returns the SEC1 uncompressed encoding 04 || X || Y.
func (k *PublicKey) uncompressed() []byte {
	c := curveByScheme(k.Scheme)
	out := make([]byte, 1+2*c.size)
	out[0] = 4
	k.X.FillBytes(out[1 : 1+c.size])
	k.Y.FillBytes(out[1+c.size:])
	return out
}

func containsAny(data []byte, markers ...string) bool {
	for _, m := range markers {
		if bytes.Contains(data, []byte(m)) {
			return true
		}
	}
	return false
}

// check rejects a PublicKey that was built by hand with missing or out-of-range fields,
// before any encoder sizes a buffer from it.
func (k *PublicKey) check() error {
	if k == nil {
		return fmt.Errorf("%w: nil key", ErrKeyType)
	}
	if k.Scheme == SchemeRSA3072 {
		if k.RSA == nil || k.RSA.N == nil {
			return fmt.Errorf("%w: RSA key without modulus", ErrKeyType)
		}
		if err := checkRSASize(k.RSA.N); err != nil {
			return err
		}
		if k.RSA.E < 3 || int64(k.RSA.E) > 1<<31-1 {
			return fmt.Errorf("%w: RSA exponent %d", ErrKeyType, k.RSA.E)
		}
		return nil
	}
	c := curveByScheme(k.Scheme)
	if c == nil {
		return fmt.Errorf("%w: %v", ErrKeyType, k.Scheme)
	}
	if k.X == nil || k.Y == nil || !c.onCurve(k.X, k.Y) {
		return fmt.Errorf("%w: %s point is not on the curve", ErrKeyFormat, c.name)
	}
	return nil
}
