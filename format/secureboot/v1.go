package secureboot

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/big"
)

// V1SignatureLen is the length of the trailer `sign_data --version 1` appends: a 4-byte
// version word (0) and the raw big-endian r || s of an ECDSA P-256 signature.
const V1SignatureLen = 4 + 64

func checkV1Key(s Scheme) error {
	if s != SchemeECDSAP256 {
		return fmt.Errorf("%w: Signing key uses incorrect curve. ESP32 Secure Boot only supports NIST256p (openssl calls this curve 'prime256v1')", ErrKeyType)
	}
	return nil
}

// DigestPrivateKeyV1 returns SHA-256 of the raw 32-byte P-256 private scalar, truncated
// to 24 bytes when keyLen is 192 (3/4 coding scheme eFuse), like
// `espsecure.py digest_private_key --keylen`.
func DigestPrivateKeyV1(k *PrivateKey, keyLen int) ([]byte, error) {
	if err := k.check(); err != nil {
		return nil, err
	}
	if err := checkV1Key(k.Scheme); err != nil {
		return nil, err
	}
	if keyLen != 192 && keyLen != 256 {
		return nil, fmt.Errorf("%w: key length %d, want 192 or 256", ErrKeyType, keyLen)
	}
	sum := sha256.Sum256(k.D.FillBytes(make([]byte, 32)))
	return sum[:keyLen/8], nil
}

// PublicKeyV1 returns the raw 64-byte X || Y of a P-256 key, as written by
// `extract_public_key --version 1` and embedded in the V1 bootloader.
func PublicKeyV1(k *PublicKey) ([]byte, error) {
	if err := k.check(); err != nil {
		return nil, err
	}
	if err := checkV1Key(k.Scheme); err != nil {
		return nil, err
	}
	return k.uncompressed()[1:], nil
}

// ParseVerificationKeyV1 accepts what `verify_signature --version 1` accepts: an
// "EC PRIVATE KEY" PEM, a "PUBLIC KEY" PEM, or the raw 64-byte X || Y; the curve must be
// P-256.
func ParseVerificationKeyV1(data []byte) (*PublicKey, error) {
	var pub *PublicKey
	switch {
	case containsAny(data, "-BEGIN EC PRIVATE KEY"):
		k, err := ParsePrivateKeyPEM(data)
		if err != nil {
			return nil, err
		}
		pub = k.Public()
	case containsAny(data, "-BEGIN PUBLIC KEY"):
		k, err := ParsePublicKeyPEM(data)
		if err != nil {
			return nil, err
		}
		pub = k
	case len(data) == 64:
		k, err := newECPublicKey(curveByScheme(SchemeECDSAP256), append([]byte{4}, data...))
		if err != nil {
			return nil, err
		}
		pub = k
	default:
		return nil, fmt.Errorf("%w: Verification key does not appear to be an EC key in PEM format or binary EC public key data. Unsupported", ErrKeyFormat)
	}
	if err := checkV1Key(pub.Scheme); err != nil {
		return nil, err
	}
	return pub, nil
}

// SignV1 returns data followed by the V1 signature trailer (version word 0 and the
// deterministic RFC 6979 ECDSA P-256/SHA-256 signature), byte-exact with
// `espsecure.py sign_data --version 1`.
func SignV1(k *PrivateKey, data []byte) ([]byte, error) {
	if err := k.check(); err != nil {
		return nil, err
	}
	if err := checkV1Key(k.Scheme); err != nil {
		return nil, err
	}
	digest := sha256.Sum256(data)
	sk, err := k.stdECDSA()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeyFormat, err)
	}
	der, err := sk.Sign(nil, digest[:], crypto.SHA256)
	if err != nil {
		return nil, err
	}
	r, s, err := parseDERSignature(der)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(data), len(data)+V1SignatureLen)
	copy(out, data)
	out = binary.LittleEndian.AppendUint32(out, 0)
	out = append(out, r.FillBytes(make([]byte, 32))...)
	out = append(out, s.FillBytes(make([]byte, 32))...)
	return out, nil
}

// SignV1Precalculated appends a V1 signature made elsewhere (raw big-endian r || s,
// 64 bytes, ECDSA P-256 over SHA-256 of data) after verifying it with pub, like
// `sign_data --version 1 --pub-key ... --signature ...`.
func SignV1Precalculated(pub *PublicKey, data, signature []byte) ([]byte, error) {
	if err := pub.check(); err != nil {
		return nil, err
	}
	if err := checkV1Key(pub.Scheme); err != nil {
		return nil, err
	}
	if len(signature) != 64 {
		return nil, fmt.Errorf("%w: V1 signature is %d bytes, want 64", ErrInvalidSignature, len(signature))
	}
	out := make([]byte, len(data), len(data)+V1SignatureLen)
	copy(out, data)
	out = binary.LittleEndian.AppendUint32(out, 0)
	out = append(out, signature...)
	if err := VerifyV1(pub, out); err != nil {
		return nil, err
	}
	return out, nil
}

// VerifyV1 checks the V1 signature trailer of signed against pub.
func VerifyV1(pub *PublicKey, signed []byte) error {
	if err := pub.check(); err != nil {
		return err
	}
	if err := checkV1Key(pub.Scheme); err != nil {
		return err
	}
	if len(signed) < V1SignatureLen {
		return fmt.Errorf("%w: %d bytes is too short for a V1 signature", ErrImage, len(signed))
	}
	data := signed[:len(signed)-V1SignatureLen]
	trailer := signed[len(data):]
	if v := binary.LittleEndian.Uint32(trailer); v != 0 {
		return fmt.Errorf("%w: Signature block has version %d. This version of espsecure only supports version 0.", ErrBlock, v)
	}
	r := new(big.Int).SetBytes(trailer[4:36])
	s := new(big.Int).SetBytes(trailer[36:68])
	digest := sha256.Sum256(data)
	if !verifyECDSA(pub, digest[:], r, s) {
		return fmt.Errorf("%w: Signature is not valid", ErrInvalidSignature)
	}
	return nil
}

// verifyECDSA verifies (r, s) over digest with pub on any supported curve.
func verifyECDSA(pub *PublicKey, digest []byte, r, s *big.Int) bool {
	if pub.check() != nil || !pub.Scheme.IsECDSA() {
		return false
	}
	c := curveByScheme(pub.Scheme)
	if c.std == nil {
		return c.verifyGeneric(pub.X, pub.Y, digest, r, s)
	}
	der, err := marshalDERSignature(r, s)
	if err != nil {
		return false
	}
	pk, err := ecdsa.ParseUncompressedPublicKey(c.std, pub.uncompressed())
	if err != nil {
		return false
	}
	return ecdsa.VerifyASN1(pk, digest, der)
}
