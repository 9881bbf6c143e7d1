package stages

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/format/secureboot"
)

// Kinds of key problems; a KeyError wraps one so callers (the planner) can name the
// problem in a diagnostic summary.
var (
	ErrKeyLength  = errors.New("wrong key length")
	ErrKeyKind    = errors.New("wrong kind of key")
	ErrKeyFormat  = errors.New("unreadable key")
	ErrKeyDamaged = errors.New("damaged key file")
)

// KeyError is a key that cannot be used as declared. Its text is the explanation
// alone; Kind is one of the ErrKey* sentinels.
type KeyError struct {
	Kind error
	Msg  string
}

func (e *KeyError) Error() string { return e.Msg }
func (e *KeyError) Unwrap() error { return e.Kind }

func keyErr(kind error, format string, args ...any) error {
	return &KeyError{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// IsSigning reports whether algorithm is a Secure Boot signing algorithm.
func IsSigning(algorithm string) bool {
	return strings.HasPrefix(algorithm, "rsa-") || strings.HasPrefix(algorithm, "ecdsa-")
}

// ValidateKey checks that a key file holds what its algorithm needs: the exact length of
// a symmetric key, a CRC-checked nvs_keys image, or a private signing key of the right
// type and size. The planner runs it on every existing key file (validate, plan) and the
// key store again when the build reads the key.
func ValidateKey(algorithm string, data []byte) error {
	// Plan time and the key store both validate the same bytes; a signing key's parse
	// (and RSA's consistency checks) is the costly part of a no-op rebuild, so a key
	// that passed is remembered, in memory only, by a digest of algorithm and bytes.
	h := sha256.New() // no copy of the key bytes is made
	h.Write([]byte(algorithm + "\x00"))
	h.Write(data)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	if _, ok := validKeys.Load(sum); ok {
		return nil
	}
	if err := validateKey(algorithm, data); err != nil {
		return err
	}
	validKeys.Store(sum, struct{}{})
	return nil
}

// validKeys holds digests of (algorithm, key bytes) that ValidateKey accepted.
var validKeys sync.Map

func validateKey(algorithm string, data []byte) error {
	if IsSigning(algorithm) {
		return validateSigningKey(algorithm, data)
	}
	if algorithm == "nvs-xts" {
		if _, err := nvs.ParseKeyPartition(data); err != nil {
			if errors.Is(err, nvs.ErrKeyCRC) {
				return keyErr(ErrKeyDamaged, "not a valid nvs_keys partition image: the CRC32 at byte offset 0x40 does not match "+
					"the 64 key bytes at 0x0-0x3f, so the file is damaged or not an nvs_keys image (%v)", err)
			}
			return keyErr(ErrKeyLength, "not a valid nvs_keys partition image (as nvs_partition_gen generate-key writes it): %v", err)
		}
		return nil
	}
	if n, ok := symmetricKeyLen[algorithm]; ok && len(data) != n {
		return keyErr(ErrKeyLength, "algorithm %q needs a key file of exactly %d bytes (%d bits); this file has %d bytes", algorithm, n, n*8, len(data))
	}
	return nil
}

func validateSigningKey(algorithm string, data []byte) error {
	info, err := inspectKey(data)
	if err != nil {
		return keyErr(ErrKeyFormat, "%v", err)
	}
	switch {
	case info.encrypted:
		return keyErr(ErrKeyFormat, "the file holds %s; espcompose reads unencrypted PEM keys (decrypt it with openssl pkey, or keep it on a token and use pkcs11)", info)
	case !info.private:
		return keyErr(ErrKeyKind, "the file holds only %s, but file must be the private signing key: use public_key with a signer/pkcs11, or give the private key", info)
	case info.algorithm() != algorithm:
		return keyErr(ErrKeyKind, "the file holds %s; algorithm %q needs %s", info, algorithm, needs(algorithm))
	}
	k, err := secureboot.ParsePrivateKeyPEM(data)
	if err != nil {
		return keyErr(ErrKeyFormat, "%v", err)
	}
	if got := signingAlgorithm(k.Scheme); got != algorithm {
		return keyErr(ErrKeyKind, "the file holds a %s key; algorithm %q needs %s", got, algorithm, needs(algorithm))
	}
	return nil
}

// ValidatePublicKey checks a public_key file of a signing key: a PEM public key
// ("PUBLIC KEY", as espsecure extract_public_key writes it) of the declared algorithm.
func ValidatePublicKey(algorithm string, data []byte) error {
	info, err := inspectKey(data)
	if err != nil {
		return keyErr(ErrKeyFormat, "%v", err)
	}
	if info.private {
		return keyErr(ErrKeyKind, "the file holds %s; public_key takes only the public half "+
			"(espsecure extract_public_key --version 2 writes it), so the private key never has to leave its signer", info)
	}
	if want := info.algorithm(); want != algorithm {
		return keyErr(ErrKeyKind, "the file holds %s; algorithm %q needs the public half of %s", info, algorithm, needs(algorithm))
	}
	k, err := secureboot.ParsePublicKeyPEM(data)
	if err != nil {
		return keyErr(ErrKeyFormat, "%v", err)
	}
	if got := signingAlgorithm(k.Scheme); got != algorithm {
		return keyErr(ErrKeyKind, "the file holds a %s public key; algorithm %q needs %s", got, algorithm, needs(algorithm))
	}
	return nil
}

// PackagePublicKey parses the recipient key of an esp_encrypted_img package: a PEM
// public key that is RSA-3072 or EC P-256, the only two kinds the format has. The
// planner calls it on the file at plan time; the package stage again on what it reads.
func PackagePublicKey(data []byte) (any, error) {
	info, err := inspectKey(data)
	if err != nil {
		return nil, keyErr(ErrKeyFormat, "%v", err)
	}
	switch {
	case info.private:
		return nil, keyErr(ErrKeyKind, "the file holds %s; the package needs only the device's public key (a PEM \"PUBLIC KEY\")", info)
	case !(info.kind == "RSA" && info.bits == 3072) && !(info.kind == "EC" && info.curve == "P-256"):
		return nil, keyErr(ErrKeyKind, "the file holds %s; an encrypted OTA package is made for an RSA-3072 or an EC P-256 (ECIES) public key", info)
	}
	var block *pem.Block
	for rest := data; ; {
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, keyErr(ErrKeyFormat, "no PEM \"PUBLIC KEY\" block found")
		}
		if block.Type == "PUBLIC KEY" {
			break
		}
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, keyErr(ErrKeyFormat, "malformed public key: %v", err)
	}
	return pub, nil
}
