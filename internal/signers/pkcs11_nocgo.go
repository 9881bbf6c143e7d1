//go:build !cgo

package signers

import (
	"context"
	"errors"
	"fmt"

	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/stages"
)

// PKCS11Supported reports whether this build can use PKCS#11 tokens (it needs cgo).
const PKCS11Supported = false

var errNoCgo = errors.New("PKCS#11 support needs a build with cgo enabled")

// Modules is a placeholder in builds without cgo.
type Modules struct{}

// Close does nothing.
func (m *Modules) Close() error { return nil }

// PKCS11 is unavailable without cgo; NewPKCS11 always fails.
type PKCS11 struct{}

var _ stages.Signer = (*PKCS11)(nil)

// NewPKCS11 reports that PKCS#11 is unavailable.
func NewPKCS11(cfg PKCS11Config) (*PKCS11, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("key %q: %w", cfg.Name, errNoCgo)
}

// Close does nothing.
func (p *PKCS11) Close() error { return nil }

// PublicKey fails.
func (p *PKCS11) PublicKey() (*secureboot.PublicKey, error) { return nil, errNoCgo }

// SignDigest fails.
func (p *PKCS11) SignDigest(context.Context, []byte) ([]byte, error) { return nil, errNoCgo }
