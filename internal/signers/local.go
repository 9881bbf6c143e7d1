package signers

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/stages"
)

// Local signs with a private key held in memory.
type Local struct {
	name string
	key  *secureboot.PrivateKey
	pub  *secureboot.PublicKey
	rand io.Reader
}

var _ stages.Signer = (*Local)(nil)

// NewLocal reads the PEM private key at path from fsys for key name. rand nil gives
// deterministic signatures (RFC 6979 ECDSA, HMAC-derived RSA-PSS salt), so rebuilds
// are byte-identical; a reader such as crypto/rand.Reader gives fresh randomness.
func NewLocal(fsys afero.Fs, name, path string, rand io.Reader) (*Local, error) {
	if fsys == nil {
		return nil, fmt.Errorf("key %q: no file system to read %s from", name, path)
	}
	data, err := afero.ReadFile(fsys, path)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", name, err)
	}
	l, err := NewLocalPEM(name, data, rand)
	clear(data)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, path)
	}
	return l, nil
}

// NewLocalPEM is NewLocal for key material already in memory (from a key store). It
// keeps only the parsed key, not pemData.
func NewLocalPEM(name string, pemData []byte, rand io.Reader) (*Local, error) {
	k, err := secureboot.ParsePrivateKeyPEM(pemData)
	if err != nil {
		// The codec's errors describe the format, never the key bytes.
		return nil, fmt.Errorf("key %q: %w", name, err)
	}
	return NewLocalKey(name, k, rand), nil
}

// NewLocalKey wraps a parsed private key.
func NewLocalKey(name string, k *secureboot.PrivateKey, rand io.Reader) *Local {
	return &Local{name: name, key: k, pub: k.Public(), rand: rand}
}

// PublicKey returns the public half of the key.
func (l *Local) PublicKey() (*secureboot.PublicKey, error) { return l.pub, nil }

// SignDigest signs digest.
func (l *Local) SignDigest(ctx context.Context, digest []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkDigest(l.name, l.pub, digest); err != nil {
		return nil, err
	}
	sig, err := secureboot.SignDigest(l.key, digest, l.rand)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", l.name, err)
	}
	return verified(l.name, "local", l.pub, digest, sig)
}

// String names the signer without revealing anything of the key.
func (l *Local) String() string { return fmt.Sprintf("local key %q (%v)", l.name, l.pub.Scheme) }
