package encimg

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rsa"
	"fmt"
)

// Encrypt builds an RSA-3072 package: plain is encrypted with AES-256-GCM,
// and the AES key with pub (RSAES-PKCS1-v1_5). pub must be a 3072-bit key.
func Encrypt(plain []byte, pub *rsa.PublicKey, opts Options) ([]byte, error) {
	if err := checkRSAPublic(pub); err != nil {
		return nil, err
	}
	if err := checkPlainSize(plain); err != nil {
		return nil, err
	}
	src, err := opts.source(plain, pub)
	if err != nil {
		return nil, err
	}
	var h Header
	key := make([]byte, AESKeySize)
	defer clear(key)
	if err := src.fill("aes-key", key); err != nil {
		return nil, err
	}
	if err := src.fill("iv", h.IV[:]); err != nil {
		return nil, err
	}
	block, err := wrapKeyRSA(pub, key, src)
	if err != nil {
		return nil, err
	}
	copy(h.KeyBlock[:], block)
	return seal(&h, key, plain)
}

// Decrypt checks and decrypts an RSA-3072 package with the device's private
// key. The package must be exactly header plus declared payload, as on the
// device.
func Decrypt(pkg []byte, priv *rsa.PrivateKey) ([]byte, error) {
	h, err := parsePackage(pkg)
	if err != nil {
		return nil, err
	}
	key, err := unwrapKeyRSA(priv, h.KeyBlock[:])
	if err != nil {
		return nil, err
	}
	defer clear(key)
	return open(h, key, pkg[HeaderSize:])
}

func parsePackage(pkg []byte) (*Header, error) {
	h, err := ParseHeader(pkg)
	if err != nil {
		return nil, err
	}
	if err := h.CheckLength(len(pkg)); err != nil {
		return nil, err
	}
	return h, nil
}

func checkPlainSize(plain []byte) error {
	if uint64(len(plain)) > maxPayload {
		return fmt.Errorf("%w: %d bytes, the size field holds at most %d", ErrTooLarge, len(plain), uint64(maxPayload))
	}
	return nil
}

// newGCM uses the format's 16-byte nonce, which standard 12-byte-nonce GCM
// APIs do not accept (GCM then derives the counter block with GHASH).
func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCMWithNonceSize(b, IVSize)
}

// seal fills h.Size and h.Tag and returns header || ciphertext. No
// additional data is authenticated: the header is protected only through
// the key, IV and tag it carries.
func seal(h *Header, key, plain []byte) ([]byte, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	h.Size = uint32(len(plain))
	out := make([]byte, HeaderSize, HeaderSize+len(plain)+TagSize)
	out = aead.Seal(out, h.IV[:], plain, nil)
	copy(h.Tag[:], out[len(out)-TagSize:])
	out = out[:len(out)-TagSize]
	h.appendTo(out[:0])
	return out, nil
}

func open(h *Header, key, payload []byte) ([]byte, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	ct := make([]byte, 0, len(payload)+TagSize)
	ct = append(append(ct, payload...), h.Tag[:]...)
	plain, err := aead.Open(ct[:0], h.IV[:], ct, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: tag at offset 0x%x, %d payload bytes from offset 0x%x", ErrAuth, OffsetTag, len(payload), HeaderSize)
	}
	return plain, nil
}
