package stages

import (
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
)

// keyInfo says what a key file holds, in the terms a manifest uses, so a wrong key is
// refused with what was found and what is needed rather than a parser's complaint.
type keyInfo struct {
	private   bool
	encrypted bool   // a password-protected PKCS#8 key
	kind      string // "RSA", "EC", "Ed25519", ... or an OID for anything else
	bits      int    // RSA modulus size
	curve     string // EC: "P-256", or the curve OID when it is not a NIST curve
}

// String reads as "an RSA-2048 private key" or "an EC P-521 public key".
func (i keyInfo) String() string {
	half := "public key"
	if i.private {
		half = "private key"
	}
	switch {
	case i.encrypted:
		return "an encrypted (password-protected) private key"
	case i.kind == "RSA":
		return fmt.Sprintf("an RSA-%d %s", i.bits, half)
	case i.kind == "EC":
		return fmt.Sprintf("an EC %s %s", i.curve, half)
	case i.kind == "Ed25519" || i.kind == "Ed448" || i.kind == "X25519" || i.kind == "X448":
		return fmt.Sprintf("an %s %s", i.kind, half)
	}
	return fmt.Sprintf("a %s of algorithm %s", half, i.kind)
}

// algorithm is the manifest key algorithm the key is, or "" when no algorithm fits.
func (i keyInfo) algorithm() string {
	switch {
	case i.kind == "RSA" && i.bits == 3072:
		return "rsa-3072"
	case i.kind == "EC" && i.curve == "P-192":
		return "ecdsa-p192"
	case i.kind == "EC" && i.curve == "P-256":
		return "ecdsa-p256"
	case i.kind == "EC" && i.curve == "P-384":
		return "ecdsa-p384"
	}
	return ""
}

// needs words what a signing algorithm takes.
func needs(algorithm string) string {
	switch algorithm {
	case "rsa-3072":
		return "an RSA private key of exactly 3072 bits"
	case "ecdsa-p192":
		return "an EC private key on curve P-192 (NIST192p)"
	case "ecdsa-p256":
		return "an EC private key on curve P-256 (NIST256p)"
	case "ecdsa-p384":
		return "an EC private key on curve P-384 (NIST384p)"
	}
	return "a " + algorithm + " key"
}

var (
	oidRSA     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidEC      = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	curveNames = map[string]string{
		"1.2.840.10045.3.1.1": "P-192", "1.3.132.0.33": "P-224", "1.2.840.10045.3.1.7": "P-256",
		"1.3.132.0.34": "P-384", "1.3.132.0.35": "P-521", "1.3.132.0.10": "secp256k1",
	}
	algNames = map[string]string{
		"1.3.101.110": "X25519", "1.3.101.111": "X448", "1.3.101.112": "Ed25519", "1.3.101.113": "Ed448",
		"1.2.840.10040.4.1": "DSA",
	}
)

func curveName(oid asn1.ObjectIdentifier) string {
	if n, ok := curveNames[oid.String()]; ok {
		return n
	}
	return "curve " + oid.String()
}

// inspectKey finds the first key in PEM data and says what it is. It reads only as much
// as it needs to name the key; the Secure Boot parser checks the rest.
func inspectKey(data []byte) (keyInfo, error) {
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return keyInfo{}, fmt.Errorf("no PEM key found; key files are PEM, as espsecure generate_signing_key and openssl write them")
		}
		switch b.Type {
		case "RSA PRIVATE KEY":
			k, err := x509.ParsePKCS1PrivateKey(b.Bytes)
			if err != nil {
				return keyInfo{}, fmt.Errorf("malformed RSA private key: %v", err)
			}
			return keyInfo{private: true, kind: "RSA", bits: k.N.BitLen()}, nil
		case "RSA PUBLIC KEY":
			k, err := x509.ParsePKCS1PublicKey(b.Bytes)
			if err != nil {
				return keyInfo{}, fmt.Errorf("malformed RSA public key: %v", err)
			}
			return keyInfo{kind: "RSA", bits: k.N.BitLen()}, nil
		case "EC PRIVATE KEY":
			var s struct {
				Version    int
				PrivateKey []byte
				Curve      asn1.ObjectIdentifier `asn1:"optional,explicit,tag:0"`
			}
			if _, err := asn1.Unmarshal(b.Bytes, &s); err != nil {
				return keyInfo{}, fmt.Errorf("malformed EC private key")
			}
			return keyInfo{private: true, kind: "EC", curve: curveName(s.Curve)}, nil
		case "PRIVATE KEY":
			var s struct {
				Version    int
				Algo       pkix.AlgorithmIdentifier
				PrivateKey []byte
			}
			if _, err := asn1.Unmarshal(b.Bytes, &s); err != nil {
				return keyInfo{}, fmt.Errorf("malformed PKCS#8 private key")
			}
			return describeAlgo(s.Algo, true, s.PrivateKey)
		case "ENCRYPTED PRIVATE KEY":
			return keyInfo{private: true, encrypted: true}, nil
		case "PUBLIC KEY":
			var s struct {
				Algo      pkix.AlgorithmIdentifier
				PublicKey asn1.BitString
			}
			if _, err := asn1.Unmarshal(b.Bytes, &s); err != nil {
				return keyInfo{}, fmt.Errorf("malformed public key")
			}
			if s.Algo.Algorithm.Equal(oidRSA) {
				k, err := x509.ParsePKIXPublicKey(b.Bytes)
				if err != nil {
					return keyInfo{}, fmt.Errorf("malformed RSA public key: %v", err)
				}
				if rk, ok := k.(*rsa.PublicKey); ok {
					return keyInfo{kind: "RSA", bits: rk.N.BitLen()}, nil
				}
			}
			return describeAlgo(s.Algo, false, nil)
		}
	}
}

func describeAlgo(a pkix.AlgorithmIdentifier, private bool, inner []byte) (keyInfo, error) {
	switch {
	case a.Algorithm.Equal(oidRSA):
		if !private {
			return keyInfo{kind: "RSA"}, nil
		}
		k, err := x509.ParsePKCS1PrivateKey(inner)
		if err != nil {
			return keyInfo{}, fmt.Errorf("malformed RSA private key: %v", err)
		}
		return keyInfo{private: true, kind: "RSA", bits: k.N.BitLen()}, nil
	case a.Algorithm.Equal(oidEC):
		var oid asn1.ObjectIdentifier
		if _, err := asn1.Unmarshal(a.Parameters.FullBytes, &oid); err != nil {
			return keyInfo{}, fmt.Errorf("EC key without a named curve")
		}
		return keyInfo{private: private, kind: "EC", curve: curveName(oid)}, nil
	}
	if n, ok := algNames[a.Algorithm.String()]; ok {
		return keyInfo{private: private, kind: n}, nil
	}
	return keyInfo{private: private, kind: a.Algorithm.String()}, nil
}
