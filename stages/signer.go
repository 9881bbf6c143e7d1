package stages

import (
	"context"

	"github.com/espcompose/espcompose/format/secureboot"
)

// Signer signs Secure Boot digests. The key may be local, behind an external command,
// on a PKCS#11 token, or offline (signatures handed back later); the stage never sees
// which, and verifies every signature before it is used.
type Signer interface {
	// PublicKey is the verification key.
	PublicKey() (*secureboot.PublicKey, error)
	// SignDigest signs a digest computed by the secure boot codec for this key's
	// scheme (SHA-256, or SHA-384 for P-384). RSA signatures are PSS; ECDSA may be DER
	// or raw r||s.
	SignDigest(ctx context.Context, digest []byte) ([]byte, error)
}

// Signers resolves a manifest key name to its signer.
type Signers interface {
	Signer(name string) (Signer, error)
}
