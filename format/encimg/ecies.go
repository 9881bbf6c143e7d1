package encimg

import (
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/pbkdf2"
	"crypto/sha256"
	"fmt"
)

// HMACKeySize is the length of the eFuse HMAC key the ECIES device key is
// derived from.
const HMACKeySize = 32

// DeviceKey derives the device's P-256 private key from its eFuse HMAC key
// the way the device does (and `esp_enc_img_gen.py --generate_ecc_key`):
// scalar = PBKDF2-HMAC-SHA256(hmacKey, fixed salt, 2048 iterations, 32 bytes),
// big-endian, not reduced: a value outside [1, n-1] is refused (the device's
// mbedtls_ecp_check_privkey fails too).
func DeviceKey(hmacKey []byte) (*ecdh.PrivateKey, error) {
	if len(hmacKey) != HMACKeySize {
		return nil, fmt.Errorf("%w: HMAC key has %d bytes, want %d", ErrKey, len(hmacKey), HMACKeySize)
	}
	d, err := pbkdf2.Key(sha256.New, string(hmacKey), pbkdf2Salt(), pbkdf2Iterations, 32)
	if err != nil {
		return nil, err
	}
	defer clear(d)
	k, err := ecdh.P256().NewPrivateKey(d)
	if err != nil {
		return nil, fmt.Errorf("%w: HMAC key gives an invalid P-256 scalar: %v", ErrKey, err)
	}
	return k, nil
}

// EncryptECIES builds an ECIES-P256 package (component 2.4.0 and later,
// Kconfig PRE_ENCRYPTED_OTA_USE_ECIES): an ephemeral server key pair is made,
// the AES key is HKDF-SHA256(ECDH x-coordinate, salt, "_esp_enc_img_ecc"),
// and the header carries the server public key and the salt. device is the
// device's P-256 public key (see DeviceKey).
func EncryptECIES(plain []byte, device *ecdh.PublicKey, opts Options) ([]byte, error) {
	if device == nil || device.Curve() != ecdh.P256() {
		return nil, fmt.Errorf("%w: need a P-256 device public key", ErrKey)
	}
	if err := checkPlainSize(plain); err != nil {
		return nil, err
	}
	src, err := opts.source(plain, device)
	if err != nil {
		return nil, err
	}
	eph, err := ephemeral(src)
	if err != nil {
		return nil, err
	}
	shared, err := eph.ECDH(device)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	defer clear(shared)
	var h Header
	salt := h.Salt()
	if err := src.fill("ecies-salt", salt); err != nil {
		return nil, err
	}
	copy(h.ServerKey(), eph.PublicKey().Bytes()[1:])
	key, err := hkdf.Key(sha256.New, shared, salt, hkdfInfoECIES, AESKeySize)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	if err := src.fill("iv", h.IV[:]); err != nil {
		return nil, err
	}
	return seal(&h, key, plain)
}

// ephemeral draws candidate scalars until one is in [1, n-1].
func ephemeral(src source) (*ecdh.PrivateKey, error) {
	d := make([]byte, 32)
	defer clear(d)
	for {
		if err := src.fill("ecies-ephemeral", d); err != nil {
			return nil, err
		}
		if k, err := ecdh.P256().NewPrivateKey(d); err == nil {
			return k, nil
		}
	}
}

// DecryptECIES checks and decrypts an ECIES-P256 package with the device's
// private key.
func DecryptECIES(pkg []byte, device *ecdh.PrivateKey) ([]byte, error) {
	if device == nil || device.Curve() != ecdh.P256() {
		return nil, fmt.Errorf("%w: need a P-256 device private key", ErrKey)
	}
	h, err := parsePackage(pkg)
	if err != nil {
		return nil, err
	}
	server, err := ecdh.P256().NewPublicKey(append([]byte{4}, h.ServerKey()...))
	if err != nil {
		return nil, fmt.Errorf("%w: server public key at offset 0x%x is not a P-256 point", ErrKeyUnwrap, OffsetServerKey)
	}
	shared, err := device.ECDH(server)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeyUnwrap, err)
	}
	defer clear(shared)
	key, err := hkdf.Key(sha256.New, shared, h.Salt(), hkdfInfoECIES, AESKeySize)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	return open(h, key, pkg[HeaderSize:])
}
