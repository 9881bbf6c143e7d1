package encimg

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"fmt"
	"io"
)

// MinSecretSize is the shortest Options.Secret accepted.
const MinSecretSize = 16

// Options chooses where the package's fresh values (AES key, IV, RSA padding
// or ECIES ephemeral key and salt) come from. Exactly one of Secret and Rand
// must be set.
//
// With Secret (the default, deterministic mode) every value is derived with
// HKDF-SHA256 (RFC 5869, i.e. HMAC-SHA256):
//
//	salt  = "espcompose/encimg/v1" || SHA-256(plaintext) || SHA-256(PKIX DER of the recipient public key)
//	PRK   = HKDF-Extract(salt, Secret)
//	value = HKDF-Expand(PRK, "espcompose/encimg/v1 " + label, n)   labels "aes-key", "iv", "ecies-salt"
//
// and variable-length material (the non-zero RSA padding string, ECIES scalar
// candidates) is the stream HMAC-SHA256(PRK, "espcompose/encimg/v1 " + label ||
// uint64be(i)) for i = 0, 1, ... with labels "rsa-padding", "ecies-ephemeral".
// The same plaintext, key and Secret always give the same package; a
// different plaintext or recipient gives an unrelated AES key, so no GCM
// (key, nonce) pair is ever reused. Secret must be secret: anyone who knows it
// and the plaintext can recompute the AES key. A good choice is a per-project
// key from the build's secret store, or an HMAC of the build's content digest
// under such a key. Never derive it from public data alone.
//
// With Rand, values are read from it (for example crypto/rand.Reader); the
// output then differs on every run, like the Python tool's.
type Options struct {
	Secret []byte
	Rand   io.Reader
}

const domain = "espcompose/encimg/v1"

// source hands out the package's fresh values.
type source interface {
	fill(label string, p []byte) error
}

func (o Options) source(plain []byte, recipient any) (source, error) {
	switch {
	case o.Rand != nil && o.Secret != nil:
		return nil, fmt.Errorf("%w: set Secret (deterministic) or Rand (random), not both", ErrOptions)
	case o.Rand != nil:
		return randSource{o.Rand}, nil
	case len(o.Secret) < MinSecretSize:
		return nil, fmt.Errorf("%w: Secret has %d bytes, need at least %d (or set Rand)", ErrOptions, len(o.Secret), MinSecretSize)
	}
	der, err := x509.MarshalPKIXPublicKey(recipient)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	digest := sha256.Sum256(plain)
	fp := sha256.Sum256(der)
	salt := append(append([]byte(domain), digest[:]...), fp[:]...)
	prk, err := hkdf.Extract(sha256.New, o.Secret, salt)
	if err != nil {
		return nil, err
	}
	return &derivedSource{prk: prk}, nil
}

type randSource struct{ r io.Reader }

func (s randSource) fill(_ string, p []byte) error {
	if _, err := io.ReadFull(s.r, p); err != nil {
		return fmt.Errorf("encimg: reading Options.Rand: %w", err)
	}
	return nil
}

// derivedSource keeps a counter per label so that repeated draws (rejection
// sampling) continue the stream instead of repeating it.
type derivedSource struct {
	prk     []byte
	streams []*stream
}

type stream struct {
	label string
	next  uint64
	buf   []byte
}

func (s *derivedSource) fill(label string, p []byte) error {
	switch label {
	case "aes-key", "iv", "ecies-salt":
		out, err := hkdf.Expand(sha256.New, s.prk, domain+" "+label, len(p))
		if err != nil {
			return err
		}
		copy(p, out)
		return nil
	}
	st := s.stream(label)
	for len(p) > 0 {
		if len(st.buf) == 0 {
			m := hmac.New(sha256.New, s.prk)
			m.Write([]byte(domain + " " + label))
			m.Write(binary.BigEndian.AppendUint64(nil, st.next))
			st.next++
			st.buf = m.Sum(nil)
		}
		n := copy(p, st.buf)
		p, st.buf = p[n:], st.buf[n:]
	}
	return nil
}

func (s *derivedSource) stream(label string) *stream {
	for _, st := range s.streams {
		if st.label == label {
			return st
		}
	}
	st := &stream{label: label}
	s.streams = append(s.streams, st)
	return st
}
