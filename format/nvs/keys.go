package nvs

import (
	"bytes"
	"crypto/aes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"

	"golang.org/x/crypto/xts"
)

// Keys is the XTS-AES-256 key pair that encrypts NVS entries, as stored in an
// nvs_keys partition: the data key first, then the tweak key.
type Keys struct {
	Encryption [32]byte
	Tweak      [32]byte
}

// KeyPartitionSize is the size of an nvs_keys partition image.
const KeyPartitionSize = 4096

// Seeds of the HMAC-based key protection scheme: each XTS key is
// HMAC-SHA256(hmac_key, seed element repeated 8 times).
var (
	hmacEncSeed   = []byte{0x5A, 0x5A, 0xBE, 0xAE}
	hmacTweakSeed = []byte{0xA5, 0xA5, 0xDE, 0xCE}
)

// HMACKeySize is the size of the eFuse HMAC key the device derives its keys from.
const HMACKeySize = 32

// DeriveHMACKeys derives the XTS keys the device computes from its eFuse HMAC
// key under the HMAC-based NVS key protection scheme.
func DeriveHMACKeys(hmacKey []byte) (Keys, error) {
	var k Keys
	if len(hmacKey) != HMACKeySize {
		return k, fmt.Errorf("%w: HMAC key is %d bytes, want %d", ErrKeyLength, len(hmacKey), HMACKeySize)
	}
	derive := func(seed []byte, out *[32]byte) {
		m := hmac.New(sha256.New, hmacKey)
		m.Write(bytes.Repeat(seed, 8))
		copy(out[:], m.Sum(nil))
	}
	derive(hmacEncSeed, &k.Encryption)
	derive(hmacTweakSeed, &k.Tweak)
	return k, nil
}

// GenerateKeys draws a fresh key pair from r (crypto/rand.Reader in production).
func GenerateKeys(r io.Reader) (Keys, error) {
	var b [64]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return Keys{}, fmt.Errorf("nvs: generate keys: %w", err)
	}
	return KeysFromBytes(b[:])
}

// KeysFromBytes takes a raw 64-byte key pair (data key, then tweak key).
func KeysFromBytes(b []byte) (Keys, error) {
	var k Keys
	if len(b) != 64 {
		return k, fmt.Errorf("%w: key pair is %d bytes, want 64", ErrKeyLength, len(b))
	}
	copy(k.Encryption[:], b[:32])
	copy(k.Tweak[:], b[32:])
	return k, nil
}

// Bytes returns the 64-byte key pair.
func (k Keys) Bytes() []byte {
	b := make([]byte, 0, 64)
	b = append(b, k.Encryption[:]...)
	return append(b, k.Tweak[:]...)
}

// MarshalPartition returns the nvs_keys partition image: the key pair, a
// CRC32 of it, and 0xFF fill to 4096 bytes.
func (k Keys) MarshalPartition() []byte {
	b := bytes.Repeat([]byte{0xff}, KeyPartitionSize)
	copy(b, k.Bytes())
	binary.LittleEndian.PutUint32(b[64:], crc(b[:64]))
	return b
}

// ParseKeyPartition reads an nvs_keys partition image, checking its length and CRC.
func ParseKeyPartition(b []byte) (Keys, error) {
	if len(b) != KeyPartitionSize {
		return Keys{}, fmt.Errorf("%w: nvs_keys partition is %d bytes, want %d", ErrKeyLength, len(b), KeyPartitionSize)
	}
	if got, want := binary.LittleEndian.Uint32(b[64:]), crc(b[:64]); got != want {
		return Keys{}, fmt.Errorf("%w: stored 0x%08x at offset 0x40, computed 0x%08x", ErrKeyCRC, got, want)
	}
	return KeysFromBytes(b[:64])
}

func (k Keys) cipher() *xts.Cipher {
	c, err := xts.NewCipher(aes.NewCipher, k.Bytes())
	if err != nil {
		panic(err) // unreachable: a 64-byte key is always valid
	}
	return c
}

// entryTweak is the XTS sector number of a slot: its byte offset from the
// partition start, which x/crypto/xts encodes little-endian into the 16-byte
// tweak exactly as the reference builds it.
func entryTweak(page, slot int) uint64 {
	return uint64(page*PageSize + firstEntryOff + slot*entrySize)
}

// encryptPage encrypts the first n entry slots of a page; the header and the
// bitmap stay in clear text.
func (k Keys) encryptPage(pg []byte, page, n int) {
	c := k.cipher()
	for i := 0; i < n; i++ {
		s := pg[firstEntryOff+i*entrySize : firstEntryOff+(i+1)*entrySize]
		c.Encrypt(s, s, entryTweak(page, i))
	}
}

// decryptPage decrypts every slot the bitmap marks as used.
func (k Keys) decryptPage(pg []byte, page int) {
	c := k.cipher()
	for i := 0; i < entriesPerPage; i++ {
		if slotState(pg, i) == 3 {
			continue
		}
		s := pg[firstEntryOff+i*entrySize : firstEntryOff+(i+1)*entrySize]
		c.Decrypt(s, s, entryTweak(page, i))
	}
}
