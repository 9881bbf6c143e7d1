package stages

import (
	"crypto/sha256"
	"fmt"
	"io"

	"golang.org/x/crypto/hkdf"
)

// derivedKeySalt and the info layout below define every derived flash encryption
// key: changing either changes the key of every device, whose eFuses already hold it.
const derivedKeySalt = "espcompose derived key v1"

// DeriveKey derives a device's flash encryption key from a master secret:
//
//	HKDF-SHA256(ikm = master, salt = "espcompose derived key v1",
//	            info = "flash_encryption" 0x00 algorithm 0x00 key name 0x00 device id)
//
// and takes the first FlashKeyLen(algorithm) bytes of its stream (RFC 5869). The info
// names the purpose, the algorithm and the key block, so two keys derived from one
// master (two key blocks, or one block's algorithm changed) never coincide; the salt
// differs from the cert block's ("espcompose device key v1"), so no derived flash key
// is ever a device certificate key's HKDF stream. Names and ids hold no NUL byte (HCL
// labels; devices.id is checked to [A-Za-z0-9._-]), so the fields cannot run together.
func DeriveKey(master []byte, algorithm, name, deviceID string) ([]byte, error) {
	n := FlashKeyLen(algorithm)
	if n == 0 {
		return nil, fmt.Errorf("%s keys are not derived: derive_from makes flash encryption keys", algorithm)
	}
	if len(master) < 16 {
		return nil, fmt.Errorf("master secret has %d bytes; at least 16 are needed", len(master))
	}
	if deviceID == "" {
		return nil, fmt.Errorf("a derived key needs a device id (a devices block)")
	}
	info := []byte("flash_encryption\x00" + algorithm + "\x00" + name + "\x00" + deviceID)
	out := make([]byte, n)
	if _, err := io.ReadFull(hkdf.New(sha256.New, master, []byte(derivedKeySalt), info), out); err != nil {
		clear(out)
		return nil, err
	}
	return out, nil
}
