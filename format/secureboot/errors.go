package secureboot

import "errors"

// Sentinel errors, usable with errors.Is. Returned errors wrap them with detail.
var (
	// ErrKeyFormat reports a key that is not a supported PEM (or raw) encoding.
	ErrKeyFormat = errors.New("secureboot: unsupported key format")
	// ErrKeyType reports a key of an algorithm, size or curve the operation refuses.
	ErrKeyType = errors.New("secureboot: unsupported key type")
	// ErrInvalidSignature reports a signature that does not verify.
	ErrInvalidSignature = errors.New("secureboot: invalid signature")
	// ErrDigestMismatch reports a signature block whose image digest differs from the image.
	ErrDigestMismatch = errors.New("secureboot: image digest mismatch")
	// ErrNotAligned reports an image whose length is not a multiple of the 4096-byte sector.
	ErrNotAligned = errors.New("secureboot: not sector aligned")
	// ErrBlock reports a malformed signature block (magic, version, CRC or field values).
	ErrBlock = errors.New("secureboot: invalid signature block")
	// ErrTooManyBlocks reports more signatures than the free blocks of a signature sector.
	ErrTooManyBlocks = errors.New("secureboot: too many signature blocks")
	// ErrImage reports an image the operation cannot process.
	ErrImage = errors.New("secureboot: invalid image")
	// ErrHardwareKey reports a symmetric hardware key of an unsupported length.
	ErrHardwareKey = errors.New("secureboot: invalid hardware key")
)
