package stages

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/spf13/afero"
	"golang.org/x/crypto/hkdf"
)

// DeviceKey says where one device's key pair comes from: a per-device PEM file, or
// derived from a master secret (a key block) and the device id with HKDF, so a rebuild
// reproduces it and nothing per device has to be stored. The private key is never an
// artifact: every stage that needs it derives or reads it on demand.
type DeviceKey struct {
	Algorithm string // "ecdsa-p256", "rsa-2048", "rsa-3072"
	File      string // per-device key file (absolute), or
	Rel       string // File as shown to users
	Derive    string // name of the key block holding the master secret
	DeviceID  string
	Label     string // the cert block name, separating keys of two cert blocks
}

// deriveSalt and the info layout are part of the derived keys' definition: changing
// either changes every derived device key.
const deriveSalt = "espcompose device key v1"

// DeriveECDSAP256 derives a P-256 private key from master and the device id. HKDF-SHA256
// (RFC 5869; salt "espcompose device key v1", info "ecdsa-p256" NUL label NUL id)
// yields a stream read 32 bytes at a time; the first block that is a valid scalar
// (1 ≤ d < n) is the key, which is rejection sampling, so d is uniform with no modular
// bias (FIPS 186-5 A.2.2 "rejection sampling"). Only ECDSA keys are derived: turning
// HKDF output into RSA primes has no standard, so RSA device keys come from files.
func DeriveECDSAP256(master []byte, label, deviceID string) (*ecdsa.PrivateKey, error) {
	if len(master) < 16 {
		return nil, fmt.Errorf("master secret has %d bytes; at least 16 are needed", len(master))
	}
	info := []byte("ecdsa-p256\x00" + label + "\x00" + deviceID)
	r := hkdf.New(sha256.New, master, []byte(deriveSalt), info)
	n := elliptic.P256().Params().N
	buf := make([]byte, 32)
	defer clear(buf)
	// The chance that 64 blocks in a row are ≥ n is about 2^-2048.
	for range 64 {
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		d := new(big.Int).SetBytes(buf)
		if d.Sign() == 0 || d.Cmp(n) >= 0 {
			continue
		}
		return ecdsa.ParseRawPrivateKey(elliptic.P256(), buf)
	}
	return nil, errors.New("no valid P-256 scalar in 64 HKDF blocks")
}

// Load returns the device's private key.
func (k DeviceKey) Load(env *Env) (crypto.Signer, error) {
	if k.Derive != "" {
		if k.Algorithm != "ecdsa-p256" {
			return nil, fmt.Errorf("derived device keys are ecdsa-p256 only, not %s", k.Algorithm)
		}
		master, err := env.Keys.Secret(k.Derive)
		if err != nil {
			return nil, err
		}
		key, err := DeriveECDSAP256(master, k.Label, k.DeviceID)
		if err != nil {
			return nil, fmt.Errorf("key.%s: %w", k.Derive, err)
		}
		return key, nil
	}
	b, err := afero.ReadFile(env.FS, k.File)
	if err != nil {
		return nil, fmt.Errorf("device key %s: %w", k.Rel, unwrapPath(err))
	}
	defer clear(b)
	key, err := parseDeviceKey(b)
	if err != nil {
		return nil, fmt.Errorf("device key %s: %w", k.Rel, err)
	}
	if err := checkDeviceKey(key, k.Algorithm); err != nil {
		return nil, fmt.Errorf("device key %s: %w", k.Rel, err)
	}
	return key, nil
}

func unwrapPath(err error) error {
	var pe interface{ Unwrap() error }
	if errors.As(err, &pe) {
		if u := pe.Unwrap(); u != nil {
			return u
		}
	}
	return err
}

// parseDeviceKey reads a PEM private key: PKCS#8, SEC1 or PKCS#1. The errors never
// quote the key.
func parseDeviceKey(b []byte) (crypto.Signer, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New("not a PEM private key")
	}
	var key any
	var err error
	switch blk.Type {
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(blk.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(blk.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(blk.Bytes)
	default:
		return nil, fmt.Errorf("PEM block %q is not a private key", blk.Type)
	}
	if err != nil {
		return nil, errors.New("the private key does not parse")
	}
	s, ok := key.(crypto.Signer)
	if !ok {
		return nil, errors.New("unsupported private key type")
	}
	return s, nil
}

func checkDeviceKey(key crypto.Signer, alg string) error {
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		if alg == "ecdsa-p256" && k.Curve == elliptic.P256() {
			return nil
		}
		return fmt.Errorf("an EC %s key, but the cert block says %s", k.Curve.Params().Name, alg)
	case *rsa.PrivateKey:
		bits := k.N.BitLen()
		if alg == fmt.Sprintf("rsa-%d", bits) {
			return nil
		}
		return fmt.Errorf("an RSA-%d key, but the cert block says %s", bits, alg)
	}
	return fmt.Errorf("not an %s key", alg)
}

// MarshalDeviceKey encodes a device private key as the esp_secure_cert tool stores it
// ("traditional OpenSSL": SEC1 for EC, PKCS#1 for RSA), as PEM or DER.
func MarshalDeviceKey(key crypto.Signer, asPEM bool) ([]byte, error) {
	var der []byte
	var typ string
	var err error
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		der, err = x509.MarshalECPrivateKey(k)
		typ = "EC PRIVATE KEY"
	case *rsa.PrivateKey:
		der, typ = x509.MarshalPKCS1PrivateKey(k), "RSA PRIVATE KEY"
	default:
		err = errors.New("unsupported device key type")
	}
	if err != nil || !asPEM {
		return der, err
	}
	defer clear(der)
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), nil
}
