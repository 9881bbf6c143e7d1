package signers

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/stages"
)

// ErrSignatureMissing reports a digest that the offline signing service has not
// (yet) signed. Errors wrapping it are *MissingSignatureError.
var ErrSignatureMissing = errors.New("signature missing")

// MissingSignatureError names what an offline signer lacks, so that a caller can
// collect every pending digest of a build and hand them to the signing service.
type MissingSignatureError struct {
	Key    string
	Digest []byte
	File   string // where the signature is expected
}

func (e *MissingSignatureError) Error() string {
	return fmt.Sprintf("key %q: no signature for digest %x: expected the raw signature in %s", e.Key, e.Digest, e.File)
}

// Is makes errors.Is(err, ErrSignatureMissing) hold.
func (e *MissingSignatureError) Is(target error) bool { return target == ErrSignatureMissing }

// Offline returns signatures made earlier by an offline signing service: the raw
// signature of digest d is the file "<hex of d>.sig" in a directory.
type Offline struct {
	name string
	fsys afero.Fs
	dir  string
	pub  *secureboot.PublicKey
}

var _ stages.Signer = (*Offline)(nil)

// NewOffline returns the offline signer of key name, reading the public key PEM at
// pubPath and signatures from dir, both on fsys.
func NewOffline(fsys afero.Fs, name, dir, pubPath string) (*Offline, error) {
	pub, err := readPublicKey(fsys, name, pubPath)
	if err != nil {
		return nil, err
	}
	return &Offline{name: name, fsys: fsys, dir: dir, pub: pub}, nil
}

// SignatureFile is the file name a signing service must give the signature of digest.
func SignatureFile(digest []byte) string { return hex.EncodeToString(digest) + ".sig" }

// PublicKey returns the verification key.
func (o *Offline) PublicKey() (*secureboot.PublicKey, error) { return o.pub, nil }

// SignDigest returns the stored signature of digest after verifying it.
func (o *Offline) SignDigest(ctx context.Context, digest []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkDigest(o.name, o.pub, digest); err != nil {
		return nil, err
	}
	path := filepath.Join(o.dir, SignatureFile(digest))
	sig, err := afero.ReadFile(o.fsys, path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, &MissingSignatureError{Key: o.name, Digest: append([]byte(nil), digest...), File: path}
	case err != nil:
		return nil, fmt.Errorf("key %q: signature for digest %x: %w", o.name, digest, err)
	}
	out, err := verified(o.name, "offline", o.pub, digest, sig)
	if err != nil {
		return nil, fmt.Errorf("%w (signature file %s)", err, path)
	}
	return out, nil
}

// String names the signer.
func (o *Offline) String() string {
	return fmt.Sprintf("offline signatures for key %q in %s", o.name, o.dir)
}
