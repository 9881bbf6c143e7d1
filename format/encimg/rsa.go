package encimg

import (
	"crypto/rsa"
	"fmt"
	"math/big"
)

// checkRSAPublic accepts the keys whose ciphertext fills the 384-byte key
// block exactly, i.e. what the format calls RSA-3072.
func checkRSAPublic(pub *rsa.PublicKey) error {
	if pub == nil || pub.N == nil {
		return fmt.Errorf("%w: nil RSA key", ErrKey)
	}
	if pub.Size() != rsaModulusBytes {
		return fmt.Errorf("%w: RSA modulus has %d bits, the format needs a 3072-bit key", ErrKey, pub.N.BitLen())
	}
	if pub.E < 3 || pub.E&1 == 0 {
		return fmt.Errorf("%w: RSA public exponent %d", ErrKey, pub.E)
	}
	return nil
}

// wrapKeyRSA encrypts the AES key with RSAES-PKCS1-v1_5 (RFC 8017 7.2.1),
// the padding the tool (padding.PKCS1v15) and the device
// (mbedtls_pk_decrypt / PSA_ALG_RSA_PKCS1V15_CRYPT) use. It is done here
// rather than with rsa.EncryptPKCS1v15 because Go 1.26 ignores that
// function's random reader, which would make the output non-deterministic.
// math/big is not constant-time; the only secret input is the message, on
// the build host.
func wrapKeyRSA(pub *rsa.PublicKey, key []byte, src source) ([]byte, error) {
	k := pub.Size()
	em := make([]byte, k)
	em[1] = 2
	ps := em[2 : k-len(key)-1]
	if err := nonZero(ps, src); err != nil {
		return nil, err
	}
	copy(em[k-len(key):], key)
	m := new(big.Int).SetBytes(em)
	clear(em)
	c := m.Exp(m, big.NewInt(int64(pub.E)), pub.N)
	return c.FillBytes(make([]byte, k)), nil
}

// nonZero fills p with non-zero bytes from src, redrawing each zero byte.
func nonZero(p []byte, src source) error {
	if err := src.fill("rsa-padding", p); err != nil {
		return err
	}
	var one [1]byte
	for i := range p {
		for p[i] == 0 {
			if err := src.fill("rsa-padding", one[:]); err != nil {
				return err
			}
			p[i] = one[0]
		}
	}
	return nil
}

func unwrapKeyRSA(priv *rsa.PrivateKey, block []byte) ([]byte, error) {
	if priv == nil {
		return nil, fmt.Errorf("%w: nil RSA key", ErrKey)
	}
	if err := checkRSAPublic(&priv.PublicKey); err != nil {
		return nil, err
	}
	key, err := rsa.DecryptPKCS1v15(nil, priv, block)
	if err != nil {
		return nil, fmt.Errorf("%w: key block at offset 0x%x: %v", ErrKeyUnwrap, OffsetKeyBlock, err)
	}
	if len(key) != AESKeySize {
		clear(key)
		return nil, fmt.Errorf("%w: key block at offset 0x%x holds %d bytes, want %d", ErrKeyUnwrap, OffsetKeyBlock, len(key), AESKeySize)
	}
	return key, nil
}
