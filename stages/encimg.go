package stages

import (
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"

	"github.com/espcompose/espcompose/format/encimg"
)

// EncryptedPackage wraps an app in Espressif's esp_encrypted_img format (RSA-3072 or ECIES),
// for sending firmware over the network without plaintext. Its input is the signed
// plaintext app, never a flash-encrypted one: the device decrypts the package and then
// flash-encrypts what it writes, like any OTA download.
type EncryptedPackage struct {
	Name      string // ota block name
	Dep       string // signed plaintext image
	PublicKey string // source stage of the recipient's public key PEM
	Secret    string // key whose material keys the deterministic derivation; "" = random
}

func (s *EncryptedPackage) ID() string   { return "package:ota." + s.Name }
func (s *EncryptedPackage) Kind() string { return "encrypted-package" }
func (s *EncryptedPackage) Version() int { return 1 }
func (s *EncryptedPackage) Deps() []string {
	deps := []string{s.Dep, s.PublicKey}
	if s.Secret != "" {
		deps = append(deps, "key:"+s.Secret)
	}
	return deps
}
func (s *EncryptedPackage) Params() any { return map[string]string{"ota": s.Name, "secret": s.Secret} }

// Uncached when random: a cached package would silently repeat the "fresh" key.
func (s *EncryptedPackage) Cacheable() bool { return s.Secret != "" }

// Package schemes, as ota/manifest.json names them.
const (
	SchemeRSA3072   = "RSA-3072"
	SchemeECIESP256 = "ECIES-P256"
)

// PackageScheme names the scheme a recipient public key (PEM) selects. The package
// header does not record it, so the key is the only honest source: Run encrypts
// with the scheme this returns, and the OTA manifest labels the package with it.
func PackageScheme(pubPEM []byte) (string, error) {
	scheme, _, err := packageKey(pubPEM)
	return scheme, err
}

// packageKey parses the recipient key and picks the scheme, as esp_enc_img_gen.py
// does: RSA-3072, or ECIES over P-256 for devices that derive their key from an
// eFuse HMAC key.
func packageKey(pubPEM []byte) (string, any, error) {
	parsed, err := PackagePublicKey(pubPEM)
	if err != nil {
		return "", nil, fmt.Errorf("package public key: %w", err)
	}
	switch pub := parsed.(type) {
	case *rsa.PublicKey:
		return SchemeRSA3072, pub, nil
	case *ecdsa.PublicKey:
		dev, err := pub.ECDH()
		if err != nil || pub.Curve != elliptic.P256() {
			return "", nil, fmt.Errorf("an ECIES package key must be P-256")
		}
		return SchemeECIESP256, dev, nil
	}
	return "", nil, fmt.Errorf("the package public key must be RSA-3072 or ECDSA P-256, not %T", parsed)
}

func (s *EncryptedPackage) Run(_ context.Context, env *Env, in []Artifact) (Artifact, error) {
	_, pub, err := packageKey(in[1].Data)
	if err != nil {
		return Artifact{}, fmt.Errorf("ota %s: %w", s.Name, err)
	}
	var opts encimg.Options
	if s.Secret == "" {
		opts.Rand = env.Rand
	} else {
		material, err := env.Keys.Secret(s.Secret)
		if err != nil {
			return Artifact{}, err
		}
		// A derived secret, so the key's own bytes never reach the codec's derivation.
		opts.Secret = hmacSHA256(material, []byte("espcompose ota package secret v1"))
	}
	var out []byte
	switch pub := pub.(type) {
	case *rsa.PublicKey:
		out, err = encimg.Encrypt(in[0].Data, pub, opts)
	case *ecdh.PublicKey:
		out, err = encimg.EncryptECIES(in[0].Data, pub, opts)
	}
	if err != nil {
		return Artifact{}, fmt.Errorf("ota %s: %w", s.Name, err)
	}
	return NewArtifact(out), nil
}
