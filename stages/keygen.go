package stages

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"

	"github.com/espcompose/espcompose/format/secureboot"

	"github.com/espcompose/espcompose/format/nvs"
)

// symmetricKeyLen is the key file length of each symmetric algorithm, as the eFuse or
// the reference tools expect it.
var symmetricKeyLen = map[string]int{
	"aes-128": 16, "aes-192": 24, "aes-256": 32,
	"xts-aes-128": 32, // two 128-bit halves: data key and tweak key
	"xts-aes-256": 64,
	// ESP32-C2: a 128-bit eFuse key from which the chip derives its XTS key
	"xts-aes-128-derived": 16,
	"hmac":                32,
	"nvs-hmac":            32,
}

// CanGenerate reports whether GenerateKey makes keys of algorithm, so the planner can
// refuse create = true before a build starts. P-192 is missing: the standard library
// has no P-192 key generation.
func CanGenerate(algorithm string) bool {
	switch algorithm {
	case "rsa-3072", "ecdsa-p256", "ecdsa-p384", "nvs-xts":
		return true
	}
	_, ok := symmetricKeyLen[algorithm]
	return ok
}

// GenerateKey makes new key material: raw bytes for symmetric keys, the nvs_keys
// partition image for "nvs-xts", and a PEM private key for signing keys (PKCS#1 for RSA
// and SEC1 for ECDSA, as espsecure generate_signing_key writes them).
func GenerateKey(algorithm string, rand io.Reader) ([]byte, error) {
	switch algorithm {
	case "rsa-3072":
		k, err := rsa.GenerateKey(rand, 3072)
		if err != nil {
			return nil, err
		}
		return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}), nil
	case "ecdsa-p256", "ecdsa-p384":
		curve := elliptic.P256()
		if algorithm == "ecdsa-p384" {
			curve = elliptic.P384()
		}
		k, err := ecdsa.GenerateKey(curve, rand)
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			return nil, err
		}
		return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
	}
	if algorithm == "nvs-xts" {
		k, err := nvs.GenerateKeys(rand)
		if err != nil {
			return nil, err
		}
		return k.MarshalPartition(), nil
	}
	n, ok := symmetricKeyLen[algorithm]
	if !ok {
		return nil, fmt.Errorf("espcompose cannot create %s keys; create the key file yourself", algorithm)
	}
	// CanGenerate must agree with this function; its test walks every algorithm.
	b := make([]byte, n)
	if _, err := io.ReadFull(rand, b); err != nil {
		return nil, fmt.Errorf("read randomness: %w", err)
	}
	return b, nil
}

func signingAlgorithm(s secureboot.Scheme) string {
	switch s {
	case secureboot.SchemeRSA3072:
		return "rsa-3072"
	case secureboot.SchemeECDSAP192:
		return "ecdsa-p192"
	case secureboot.SchemeECDSAP256:
		return "ecdsa-p256"
	case secureboot.SchemeECDSAP384:
		return "ecdsa-p384"
	}
	return s.String()
}
