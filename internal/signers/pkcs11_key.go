package signers

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"

	"github.com/espcompose/espcompose/format/secureboot"
)

// PKCS11Config locates a signing key on a PKCS#11 token.
type PKCS11Config struct {
	Name   string // manifest key name, for messages
	Module string // path of the PKCS#11 module (.so)
	Token  string // token label
	Label  string // CKA_LABEL of the private key (and of its public key object)
	// PinEnv names the environment variable holding the user PIN; "" skips login
	// (tokens with a protected authentication path or public signing keys).
	PinEnv string
	// Getenv looks PinEnv up; only the command line reads the real environment.
	Getenv func(string) string
	// Modules shares loaded modules between the signers of one run; nil gives the
	// signer its own, released by Close.
	Modules *Modules
}

func (c PKCS11Config) check() error {
	switch {
	case c.Module == "":
		return fmt.Errorf("key %q: no PKCS#11 module given", c.Name)
	case c.Token == "":
		return fmt.Errorf("key %q: no PKCS#11 token label given", c.Name)
	case c.Label == "":
		return fmt.Errorf("key %q: no PKCS#11 key label given", c.Name)
	case c.PinEnv != "" && c.Getenv == nil:
		return fmt.Errorf("key %q: no environment lookup for PIN variable %s", c.Name, c.PinEnv)
	}
	return nil
}

// pin returns the user PIN, or ok false when no login is configured. The PIN is
// never part of an error.
func (c PKCS11Config) pin() (pin string, ok bool, err error) {
	if c.PinEnv == "" {
		return "", false, nil
	}
	pin = c.Getenv(c.PinEnv)
	if pin == "" {
		return "", false, fmt.Errorf("key %q: PKCS#11 PIN variable %s is not set", c.Name, c.PinEnv)
	}
	return pin, true, nil
}

// publicKeyFromRSA converts CKA_MODULUS / CKA_PUBLIC_EXPONENT (big-endian) to a
// Secure Boot key; the codec's PEM parser does the size checks.
func publicKeyFromRSA(modulus, exponent []byte) (*secureboot.PublicKey, error) {
	e := new(big.Int).SetBytes(exponent)
	if len(modulus) == 0 || !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 {
		return nil, fmt.Errorf("%w: RSA public key attributes out of range", secureboot.ErrKeyFormat)
	}
	der, err := x509.MarshalPKIXPublicKey(&rsa.PublicKey{N: new(big.Int).SetBytes(modulus), E: int(e.Int64())})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", secureboot.ErrKeyFormat, err)
	}
	return parseSPKIDER(der)
}

var oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}

// publicKeyFromEC converts CKA_EC_PARAMS (DER namedCurve OID) and CKA_EC_POINT to a
// Secure Boot key. PKCS#11 wraps the point in a DER OCTET STRING; some tokens give
// it bare, so both are accepted. The codec checks the curve and the point.
func publicKeyFromEC(params, point []byte) (*secureboot.PublicKey, error) {
	var oid asn1.ObjectIdentifier
	if rest, err := asn1.Unmarshal(params, &oid); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: CKA_EC_PARAMS is not a named curve", secureboot.ErrKeyType)
	}
	var inner []byte
	if rest, err := asn1.Unmarshal(point, &inner); err == nil && len(rest) == 0 && len(inner) > 0 && inner[0] == 4 {
		point = inner
	}
	if len(point) == 0 || point[0] != 4 {
		return nil, fmt.Errorf("%w: CKA_EC_POINT is not an uncompressed point", secureboot.ErrKeyFormat)
	}
	spki := struct {
		Algo struct {
			Algorithm  asn1.ObjectIdentifier
			Parameters asn1.RawValue
		}
		Key asn1.BitString
	}{}
	spki.Algo.Algorithm = oidECPublicKey
	spki.Algo.Parameters = asn1.RawValue{FullBytes: params}
	spki.Key = asn1.BitString{Bytes: point, BitLength: 8 * len(point)}
	der, err := asn1.Marshal(spki)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", secureboot.ErrKeyFormat, err)
	}
	return parseSPKIDER(der)
}

func parseSPKIDER(der []byte) (*secureboot.PublicKey, error) {
	return secureboot.ParsePublicKeyPEM(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}
