package secureboot

import (
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
)

var (
	oidPublicKeyRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidPublicKeyECDSA = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
)

// ASN.1 layouts of RFC 5915 (SEC1), RFC 5208 (PKCS#8) and RFC 5280 (SPKI). The
// standard library parses the same structures but refuses P-192, hence these.
type sec1PrivateKey struct {
	Version    int
	PrivateKey []byte
	Curve      asn1.ObjectIdentifier `asn1:"optional,explicit,tag:0"`
	PublicKey  asn1.BitString        `asn1:"optional,explicit,tag:1"`
}

type pkcs8PrivateKey struct {
	Version    int
	Algo       pkix.AlgorithmIdentifier
	PrivateKey []byte
}

type subjectPublicKeyInfo struct {
	Algo      pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

var privateKeyPEMTypes = map[string]bool{
	"RSA PRIVATE KEY": true, "EC PRIVATE KEY": true, "PRIVATE KEY": true,
	"ENCRYPTED PRIVATE KEY": true,
}

// findPEM returns the first PEM block whose type is accepted, skipping others (such as
// the EC PARAMETERS block `openssl ecparam -genkey` writes before the key).
func findPEM(data []byte, accept func(string) bool) *pem.Block {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return nil
		}
		if accept(b.Type) {
			return b
		}
	}
}

// ParsePrivateKeyPEM parses an RSA-3072 (PKCS#1 or PKCS#8) or ECDSA P-192/P-256/P-384
// (SEC1 or PKCS#8) private key in PEM form. Encrypted keys are refused.
func ParsePrivateKeyPEM(data []byte) (*PrivateKey, error) {
	b := findPEM(data, func(t string) bool { return privateKeyPEMTypes[t] })
	if b == nil {
		return nil, fmt.Errorf("%w: no PEM private key found", ErrKeyFormat)
	}
	switch b.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrKeyFormat, err)
		}
		return newRSAPrivateKey(k)
	case "EC PRIVATE KEY":
		return parseSEC1(b.Bytes, nil)
	case "PRIVATE KEY":
		return parsePKCS8(b.Bytes)
	}
	return nil, fmt.Errorf("%w: encrypted private keys are not supported", ErrKeyFormat)
}

func newRSAPrivateKey(k *rsa.PrivateKey) (*PrivateKey, error) {
	if err := checkRSASize(k.N); err != nil {
		return nil, err
	}
	return &PrivateKey{Scheme: SchemeRSA3072, RSA: k}, nil
}

func parsePKCS8(der []byte) (*PrivateKey, error) {
	var p pkcs8PrivateKey
	if rest, err := asn1.Unmarshal(der, &p); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: malformed PKCS#8 private key", ErrKeyFormat)
	}
	switch {
	case p.Algo.Algorithm.Equal(oidPublicKeyRSA):
		k, err := x509.ParsePKCS1PrivateKey(p.PrivateKey)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrKeyFormat, err)
		}
		return newRSAPrivateKey(k)
	case p.Algo.Algorithm.Equal(oidPublicKeyECDSA):
		var oid asn1.ObjectIdentifier
		if rest, err := asn1.Unmarshal(p.Algo.Parameters.FullBytes, &oid); err != nil || len(rest) != 0 {
			return nil, fmt.Errorf("%w: EC key without a named curve", ErrKeyType)
		}
		return parseSEC1(p.PrivateKey, oid)
	}
	return nil, fmt.Errorf("%w: private key algorithm %v", ErrKeyType, p.Algo.Algorithm)
}

// parseSEC1 parses an RFC 5915 key; outer is the curve named by a PKCS#8 wrapper.
func parseSEC1(der []byte, outer asn1.ObjectIdentifier) (*PrivateKey, error) {
	var s sec1PrivateKey
	if rest, err := asn1.Unmarshal(der, &s); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: malformed EC private key", ErrKeyFormat)
	}
	if s.Version != 1 {
		return nil, fmt.Errorf("%w: EC private key version %d", ErrKeyFormat, s.Version)
	}
	oid := s.Curve
	if len(oid) == 0 {
		oid = outer
	}
	c := curveByOID(oid)
	if c == nil {
		return nil, fmt.Errorf("%w: Key file uses incorrect curve (%v). Secure Boot V2 + ECDSA only supports NIST192p, NIST256p, NIST384p", ErrKeyType, oid)
	}
	if len(s.PrivateKey) > c.size {
		return nil, fmt.Errorf("%w: %s private key is %d bytes", ErrKeyFormat, c.name, len(s.PrivateKey))
	}
	k, err := newECPrivateKey(c, new(big.Int).SetBytes(s.PrivateKey))
	if err != nil {
		return nil, err
	}
	if len(s.PublicKey.Bytes) != 0 {
		pub, err := newECPublicKey(c, s.PublicKey.Bytes)
		if err != nil {
			return nil, err
		}
		if !pub.Equal(k.Public()) {
			return nil, fmt.Errorf("%w: embedded public key does not match the private key", ErrKeyFormat)
		}
	}
	return k, nil
}

// ParsePublicKeyPEM parses a SubjectPublicKeyInfo ("PUBLIC KEY") PEM holding an
// RSA-3072 or ECDSA P-192/P-256/P-384 key.
func ParsePublicKeyPEM(data []byte) (*PublicKey, error) {
	b := findPEM(data, func(t string) bool { return t == "PUBLIC KEY" })
	if b == nil {
		return nil, fmt.Errorf("%w: no PEM public key found", ErrKeyFormat)
	}
	return parseSPKI(b.Bytes)
}

func parseSPKI(der []byte) (*PublicKey, error) {
	var s subjectPublicKeyInfo
	if rest, err := asn1.Unmarshal(der, &s); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: malformed public key", ErrKeyFormat)
	}
	switch {
	case s.Algo.Algorithm.Equal(oidPublicKeyRSA):
		k, err := x509.ParsePKIXPublicKey(der)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrKeyFormat, err)
		}
		rk, ok := k.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("%w: not an RSA public key", ErrKeyFormat)
		}
		if err := checkRSASize(rk.N); err != nil {
			return nil, err
		}
		return &PublicKey{Scheme: SchemeRSA3072, RSA: rk}, nil
	case s.Algo.Algorithm.Equal(oidPublicKeyECDSA):
		var oid asn1.ObjectIdentifier
		if rest, err := asn1.Unmarshal(s.Algo.Parameters.FullBytes, &oid); err != nil || len(rest) != 0 {
			return nil, fmt.Errorf("%w: EC key without a named curve", ErrKeyType)
		}
		c := curveByOID(oid)
		if c == nil {
			return nil, fmt.Errorf("%w: Key file uses incorrect curve (%v). Secure Boot V2 + ECDSA only supports NIST192p, NIST256p, NIST384p", ErrKeyType, oid)
		}
		return newECPublicKey(c, s.PublicKey.RightAlign())
	}
	return nil, fmt.Errorf("%w: public key algorithm %v", ErrKeyType, s.Algo.Algorithm)
}

// ParseKeyPEM returns the public key of a private or public PEM key, as espsecure does
// for verification keys and digest_sbv2_public_key: it decides by the PEM markers.
func ParseKeyPEM(data []byte) (*PublicKey, error) {
	switch {
	case containsAny(data, "-BEGIN RSA PRIVATE KEY", "-BEGIN EC PRIVATE KEY", "-BEGIN PRIVATE KEY"):
		k, err := ParsePrivateKeyPEM(data)
		if err != nil {
			return nil, err
		}
		return k.Public(), nil
	case containsAny(data, "-BEGIN PUBLIC KEY"):
		return ParsePublicKeyPEM(data)
	}
	return nil, fmt.Errorf("%w: Verification key does not appear to be an RSA Private or Public key in PEM format. Unsupported", ErrKeyFormat)
}

// MarshalPEM encodes k as a SubjectPublicKeyInfo PEM, byte-exact with
// `espsecure.py extract_public_key --version 2`.
func (k *PublicKey) MarshalPEM() ([]byte, error) {
	der, err := k.MarshalPKIX()
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// MarshalPKIX encodes k as DER SubjectPublicKeyInfo.
func (k *PublicKey) MarshalPKIX() ([]byte, error) {
	if err := k.check(); err != nil {
		return nil, err
	}
	if k.Scheme == SchemeRSA3072 {
		return x509.MarshalPKIXPublicKey(k.RSA)
	}
	params, err := asn1.Marshal(curveByScheme(k.Scheme).oid)
	if err != nil {
		return nil, err
	}
	pt := k.uncompressed()
	return asn1.Marshal(subjectPublicKeyInfo{
		Algo:      pkix.AlgorithmIdentifier{Algorithm: oidPublicKeyECDSA, Parameters: asn1.RawValue{FullBytes: params}},
		PublicKey: asn1.BitString{Bytes: pt, BitLength: 8 * len(pt)},
	})
}
