package signers

import (
	"fmt"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/secureboot"
)

// digestLen is the digest size the codec derives for scheme: SHA-384 for P-384,
// SHA-256 otherwise.
func digestLen(s secureboot.Scheme) int {
	if s == secureboot.SchemeECDSAP384 {
		return 48
	}
	return 32
}

// checkDigest refuses a digest of the wrong size before any signing back-end is
// involved: an HSM would happily sign it and the mistake would surface much later.
func checkDigest(name string, pub *secureboot.PublicKey, digest []byte) error {
	if want := digestLen(pub.Scheme); len(digest) != want {
		return fmt.Errorf("key %q: digest is %d bytes, %v signs %d-byte digests", name, len(digest), pub.Scheme, want)
	}
	return nil
}

// verified returns sig in the codec's canonical form (RSA: 384 bytes big-endian;
// ECDSA: raw r || s) after checking it against pub, naming the key on failure.
func verified(name, backend string, pub *secureboot.PublicKey, digest, sig []byte) ([]byte, error) {
	blk, err := secureboot.NewSignatureBlock(pub, digest, sig)
	if err != nil {
		return nil, fmt.Errorf("key %q: the %s signer returned a signature that does not verify with the key's public key: %w", name, backend, err)
	}
	return blk.Signature, nil
}

// readPublicKey loads a SubjectPublicKeyInfo PEM.
func readPublicKey(fsys afero.Fs, name, path string) (*secureboot.PublicKey, error) {
	if fsys == nil {
		return nil, fmt.Errorf("key %q: no file system to read public key %s from", name, path)
	}
	if path == "" {
		return nil, fmt.Errorf("key %q: no public key file given", name)
	}
	data, err := afero.ReadFile(fsys, path)
	if err != nil {
		return nil, fmt.Errorf("key %q: public key: %w", name, err)
	}
	pub, err := secureboot.ParsePublicKeyPEM(data)
	if err != nil {
		return nil, fmt.Errorf("key %q: public key %s: %w", name, path, err)
	}
	return pub, nil
}
