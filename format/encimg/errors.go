package encimg

import "errors"

// Sentinel errors, wrapped with detail (byte offsets where they apply); test
// with errors.Is.
var (
	// ErrTruncated: the package is shorter than its 512-byte header plus the
	// payload length the header declares.
	ErrTruncated = errors.New("encimg: package truncated")
	// ErrTrailingData: bytes follow the declared payload. The device's
	// streaming decryptor fails such a package at esp_encrypted_img_decrypt_end.
	ErrTrailingData = errors.New("encimg: trailing data after payload")
	// ErrMagic: the first four bytes are not 0x0788b6cf little-endian.
	ErrMagic = errors.New("encimg: magic verification failed")
	// ErrKey: the key is unusable for this format (RSA modulus not 3072 bits,
	// nil key, or an HMAC key that gives no valid P-256 scalar).
	ErrKey = errors.New("encimg: unsupported key")
	// ErrKeyUnwrap: the 384-byte key block did not yield a 32-byte AES key
	// (wrong private key, or the block is damaged).
	ErrKeyUnwrap = errors.New("encimg: cannot recover the AES key")
	// ErrAuth: the AES-GCM authentication tag does not match (damaged
	// payload, tag, IV or wrong key).
	ErrAuth = errors.New("encimg: authentication tag mismatch")
	// ErrTooLarge: the plaintext does not fit the 32-bit size field.
	ErrTooLarge = errors.New("encimg: plaintext too large")
	// ErrOptions: neither a usable Options.Secret nor Options.Rand was given,
	// or both were.
	ErrOptions = errors.New("encimg: bad options")
	// ErrReserved: a reserved header area holds non-zero bytes on encode.
	ErrReserved = errors.New("encimg: reserved bytes not zero")
)
