package compose

import (
	"context"
	"io"
	"sync"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/internal/signers"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/stages"
)

var signingAlgorithms = map[string]bool{"rsa-3072": true, "ecdsa-p192": true, "ecdsa-p256": true, "ecdsa-p384": true}

// signers maps each signing key to its back-end: a local key file (read through the
// key store, so create = true works), an external command, a PKCS#11 token, or
// signatures returned by an offline service (Options.Signatures, two-phase signing).
func (l *loader) signers(cfg *manifest.Config, keys *stages.FileKeys, mods *signers.Modules) (signers.Set, error) {
	set := signers.Set{}
	// Signatures are deterministic unless the manifest opts out; then signing draws
	// fresh randomness (RSA-PSS salts; ECDSA uses the system's own).
	var rnd io.Reader
	if sec := cfg.Security; sec != nil && sec.SecureBoot != nil && !sec.SecureBoot.Deterministic {
		rnd = l.opts.Rand
	}
	if sigDir := l.opts.Signatures; sigDir != "" {
		st, err := l.fs.Stat(sigDir)
		if err != nil {
			return nil, usagef("--signatures %s: %v", sigDir, unwrapPath(err))
		}
		if !st.IsDir() {
			return nil, usagef("--signatures %s: not a folder (give the folder the signing service returned)", sigDir)
		}
	}
	for _, k := range cfg.Keys {
		if !signingAlgorithms[k.Algorithm] {
			continue
		}
		if s, ok := l.shared.get(k, l.opts, l.fs); ok {
			set[k.Name] = s
			continue
		}
		s, err := l.signerFor(cfg, k, keys, mods, rnd)
		if err != nil {
			return nil, signerSetupError{key: k, err: err}
		}
		l.shared.put(k, l.opts, s)
		set[k.Name] = s
	}
	return set, nil
}

// signerSetupError is a signer that cannot be set up (a token that does not open, a
// public key that does not read), reported on the key's block in the manifest.
type signerSetupError struct {
	key *manifest.Key
	err error
}

func (e signerSetupError) Error() string { return e.err.Error() }
func (e signerSetupError) Unwrap() error { return e.err }

// signerFor picks one signing key's back-end.
func (l *loader) signerFor(cfg *manifest.Config, k *manifest.Key, keys *stages.FileKeys, mods *signers.Modules, rnd io.Reader) (stages.Signer, error) {
	switch {
	case k.File != "":
		return &storeSigner{keys: keys, name: k.Name, rand: rnd}, nil
	case len(k.Signer) > 0:
		return signers.NewCommand(signers.CommandConfig{Name: k.Name, Argv: k.Signer, FS: l.fs, PublicKeyPath: k.PublicKey, Dir: cfg.Dir, Env: l.opts.SignerEnv})
	case k.PKCS11 != nil:
		s, err := newPKCS11Signer(k, l.opts.Getenv, mods)
		if err != nil {
			return nil, err
		}
		// Open the token now, so validate and plan report a module, token, label or
		// PIN that does not work on the key's line, before any stage runs.
		if _, err := s.PublicKey(); err != nil {
			return nil, err
		}
		return s, nil
	case l.opts.Signatures != "":
		return signers.NewOffline(l.fs, k.Name, l.opts.Signatures, k.PublicKey)
	default:
		return &pendingSigner{fs: l.fs, key: k}, nil
	}
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
	fs  afero.Fs
	key *manifest.Key
}

func (s *pendingSigner) PublicKey() (*secureboot.PublicKey, error) {
	off, err := signers.NewOffline(s.fs, s.key.Name, "", s.key.PublicKey)
	if err != nil {
		return nil, err
	}
	return off.PublicKey()
}

func (s *pendingSigner) SignDigest(context.Context, []byte) ([]byte, error) {
	return nil, usagef("key %q has only a public key: run 'espcompose sign-request' and then 'espcompose build --signatures DIR' with the returned signatures", s.key.Name)
}
