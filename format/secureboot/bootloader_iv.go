package secureboot

import (
	"crypto/hmac"
	"crypto/sha512"
)

// DerivedBootloaderIV is espcompose's stand-in for the 128 random IV bytes espsecure
// digest_secure_bootloader draws: HMAC-SHA-512 of the image under the key, twice, so
// the same key and image give the same digest sector, and the IV reveals nothing of
// the key. Any IV is valid for the ROM; it only has to be stored beside the digest.
func DerivedBootloaderIV(key, image []byte) []byte {
	var iv []byte
	for i := byte(0); i < 2; i++ {
		m := hmac.New(sha512.New, key)
		m.Write([]byte("espcompose digest_secure_bootloader iv"))
		m.Write([]byte{i})
		m.Write(image)
		iv = m.Sum(iv)
	}
	return iv
}
