package main

import (
	"context"
	"io"
	"sync"

	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/internal/signers"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/stages"
)

var signingAlgorithms = map[string]bool{"rsa-3072": true, "ecdsa-p192": true, "ecdsa-p256": true, "ecdsa-p384": true}

// buildSigners maps each signing key to its back-end: a local key file (read through
// the key store, so create = true works), an external command, a PKCS#11 token, or
// signatures returned by an offline service (sigDir, two-phase signing).
func (a *app) buildSigners(cfg *manifest.Config, keys *stages.FileKeys, sigDir string, mods *signers.Modules) (signers.Set, error) {
	set := signers.Set{}
	// Signatures are deterministic unless the manifest opts out; then signing draws
	// fresh randomness (RSA-PSS salts; ECDSA uses the system's own).
	var rnd io.Reader
	if sec := cfg.Security; sec != nil && sec.SecureBoot != nil && !sec.SecureBoot.Deterministic {
		rnd = a.random()
	}
	for _, k := range cfg.Keys {
		if !signingAlgorithms[k.Algorithm] {
			continue
		}
		switch {
		case k.File != "":
			set[k.Name] = &storeSigner{keys: keys, name: k.Name, rand: rnd}
		case len(k.Signer) > 0:
			s, err := signers.NewCommand(signers.CommandConfig{Name: k.Name, Argv: k.Signer, FS: a.fs, PublicKeyPath: k.PublicKey, Dir: cfg.Dir})
			if err != nil {
				return nil, err
			}
			set[k.Name] = s
		case k.PKCS11 != nil:
			s, err := newPKCS11Signer(k, a.getenv, mods)
			if err != nil {
				return nil, err
			}
			set[k.Name] = s
		case sigDir != "":
			s, err := signers.NewOffline(a.fs, k.Name, sigDir, k.PublicKey)
			if err != nil {
				return nil, err
			}
			set[k.Name] = s
		default:
			set[k.Name] = &pendingSigner{fs: a, key: k}
		}
	}
	return set, nil
}

// storeSigner signs with a local key file obtained from the key store on first use.
type storeSigner struct {
	keys *stages.FileKeys
	name string
	rand io.Reader // nil: deterministic

	once  sync.Once
	local *signers.Local
	err   error
}

func (s *storeSigner) load() (*signers.Local, error) {
	s.once.Do(func() {
		material, err := s.keys.Secret(s.name)
		if err != nil {
			s.err = err
			return
		}
		s.local, s.err = signers.NewLocalPEM(s.name, material, s.rand)
	})
	return s.local, s.err
}

func (s *storeSigner) PublicKey() (*secureboot.PublicKey, error) {
	l, err := s.load()
	if err != nil {
		return nil, err
	}
	return l.PublicKey()
}

func (s *storeSigner) SignDigest(ctx context.Context, digest []byte) ([]byte, error) {
	l, err := s.load()
	if err != nil {
		return nil, err
	}
	return l.SignDigest(ctx, digest)
}

// pendingSigner stands for a public-key-only key before its signatures exist: it knows
// the public key (so sign-request can compute digests) and explains how to sign.
type pendingSigner struct {
	fs  *app
	key *manifest.Key
}

func (s *pendingSigner) PublicKey() (*secureboot.PublicKey, error) {
	off, err := signers.NewOffline(s.fs.fs, s.key.Name, "", s.key.PublicKey)
	if err != nil {
		return nil, err
	}
	return off.PublicKey()
}

func (s *pendingSigner) SignDigest(context.Context, []byte) ([]byte, error) {
	return nil, usagef("key %q has only a public key: run 'espcompose sign-request' and then 'espcompose build --signatures DIR' with the returned signatures", s.key.Name)
}
