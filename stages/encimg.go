package stages

import (
	"context"
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

func (s *EncryptedPackage) Run(_ context.Context, env *Env, in []Artifact) (Artifact, error) {
	parsed, err := PackagePublicKey(in[1].Data)
	if err != nil {
		return Artifact{}, fmt.Errorf("ota %s: package public key: %w", s.Name, err)
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
	// The key decides the scheme, as esp_enc_img_gen.py does: RSA-3072, or ECIES over
	// P-256 for devices that derive their key from an eFuse HMAC key.
	var out []byte
	switch pub := parsed.(type) {
	case *rsa.PublicKey:
		out, err = encimg.Encrypt(in[0].Data, pub, opts)
	case *ecdsa.PublicKey:
		dev, cerr := pub.ECDH()
		if cerr != nil || pub.Curve != elliptic.P256() {
			return Artifact{}, fmt.Errorf("ota %s: an ECIES package key must be P-256", s.Name)
		}
		out, err = encimg.EncryptECIES(in[0].Data, dev, opts)
	default:
		return Artifact{}, fmt.Errorf("ota %s: the package public key must be RSA-3072 or ECDSA P-256, not %T", s.Name, parsed)
	}
	if err != nil {
		return Artifact{}, fmt.Errorf("ota %s: %w", s.Name, err)
	}
	return NewArtifact(out), nil
}
