package flashenc

import (
	"crypto/aes"
	"crypto/cipher"
	"fmt"
	"math"
)

// DefaultFlashCryptConf is the FLASH_CRYPT_CONFIG value the ESP-IDF bootloader
// burns, and espsecure's default: every key bit is tweaked.
const DefaultFlashCryptConf = 0xF

// Options selects the scheme. FlashCryptConf only matters for ESP32AES.
type Options struct {
	Scheme Scheme
	// FlashCryptConf is the ESP32 FLASH_CRYPT_CONFIG efuse, 0x0..0xF. Nil means
	// DefaultFlashCryptConf; use Conf(0) for the (not recommended) untweaked key.
	FlashCryptConf *uint8
}

// Conf returns a pointer to v, for Options.FlashCryptConf.
func Conf(v uint8) *uint8 { return &v }

// Cipher holds one flash-encryption key, expanded once. It is safe for
// concurrent use until Close.
type Cipher struct {
	scheme Scheme
	closed bool

	// ESP32AES: the 256-bit key as a big-endian number and the tweak mask.
	key  u256
	mask u256
	// fixed is the only key schedule when FLASH_CRYPT_CONFIG is 0.
	fixed cipher.Block

	xts *xtsKeys
}

// NewCipher checks key against opts.Scheme and prepares it. Key bytes are
// copied; the caller may wipe its own copy afterwards.
func NewCipher(key []byte, opts Options) (*Cipher, error) {
	s := opts.Scheme
	switch s {
	case ESP32AES, XTSAES128, XTSAES256:
	default:
		return nil, fmt.Errorf("%w: %v", ErrScheme, s)
	}
	if !s.acceptsKey(len(key)) {
		return nil, keyLengthError(s.String(), len(key), s.KeyLengths())
	}
	var k [64]byte
	defer clear(k[:])
	n := expandKey(&k, key)
	c := &Cipher{scheme: s}
	if s == ESP32AES {
		conf := uint8(DefaultFlashCryptConf)
		if opts.FlashCryptConf != nil {
			conf = *opts.FlashCryptConf
		}
		if conf > 0xF {
			return nil, fmt.Errorf("%w: 0x%x is not in 0x0..0xF", ErrCryptConf, conf)
		}
		c.key = loadU256(k[:32])
		c.mask = confMask(conf)
		if conf == 0 {
			b, err := aes.NewCipher(k[:32])
			if err != nil {
				return nil, err
			}
			c.fixed = b
		}
		return c, nil
	}
	half := n / 2
	k1, err := aes.NewCipher(k[:half])
	if err != nil {
		return nil, err
	}
	k2, err := aes.NewCipher(k[half:n])
	if err != nil {
		return nil, err
	}
	c.xts = &xtsKeys{k1: k1, k2: k2}
	return c, nil
}

// Scheme reports the cipher's scheme.
func (c *Cipher) Scheme() Scheme { return c.scheme }

// Close wipes the key material the Cipher holds and makes further use fail.
// Key schedules inside crypto/aes cannot be wiped; they are dropped for the
// garbage collector.
func (c *Cipher) Close() {
	clear(c.key[:])
	clear(c.mask[:])
	c.fixed = nil
	c.xts = nil
	c.closed = true
}

// EncryptAt encrypts src, which will sit at flash address addr, into dst.
// dst and src must overlap entirely or not at all; addr and len(src) must be
// multiples of 16. Any 16-aligned piece of a region encrypts to the same bytes
// on its own as inside the whole, so regions can be encrypted piecemeal.
func (c *Cipher) EncryptAt(dst, src []byte, addr uint32) error {
	return c.crypt(dst, src, addr, false)
}

// DecryptAt is the inverse of EncryptAt.
func (c *Cipher) DecryptAt(dst, src []byte, addr uint32) error {
	return c.crypt(dst, src, addr, true)
}

func (c *Cipher) crypt(dst, src []byte, addr uint32, decrypt bool) error {
	if err := c.check(dst, src, addr); err != nil {
		return err
	}
	if len(src) == 0 {
		return nil
	}
	dst = dst[:len(src)]
	if c.scheme == ESP32AES {
		return c.cryptESP32(dst, src, addr, decrypt)
	}
	c.cryptXTS(dst, src, addr, decrypt)
	return nil
}

func (c *Cipher) check(dst, src []byte, addr uint32) error {
	if c.closed {
		return ErrClosed
	}
	if addr%16 != 0 {
		return fmt.Errorf("%w: starting flash address 0x%x must be a multiple of 16", ErrAddress, addr)
	}
	if len(src)%16 != 0 {
		return fmt.Errorf("%w: input data length (%d) must be a multiple of 16", ErrLength, len(src))
	}
	if len(dst) < len(src) {
		return fmt.Errorf("%w: output buffer (%d bytes) is shorter than input (%d bytes)", ErrLength, len(dst), len(src))
	}
	if uint64(addr)+uint64(len(src)) > math.MaxUint32+1 {
		return fmt.Errorf("%w: 0x%x + %d bytes runs past the 4 GiB address space", ErrAddress, addr, len(src))
	}
	return nil
}

// Encrypt encrypts src for flash address addr into dst (len(dst) >= len(src)),
// like espsecure encrypt_flash_data. Unlike espsecure, which pads a short last
// ESP32 block with random bytes, a length that is not a multiple of 16 fails.
func Encrypt(dst, src, key []byte, addr uint32, opts Options) error {
	return oneShot(dst, src, key, addr, opts, false)
}

// Decrypt is the inverse of Encrypt, like espsecure decrypt_flash_data.
func Decrypt(dst, src, key []byte, addr uint32, opts Options) error {
	return oneShot(dst, src, key, addr, opts, true)
}

func oneShot(dst, src, key []byte, addr uint32, opts Options, decrypt bool) error {
	c, err := NewCipher(key, opts)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.check(dst, src, addr); err != nil {
		return err
	}
	if len(src) == 0 && c.scheme != ESP32AES {
		// espsecure refuses empty XTS input; the ESP32 path writes an empty file.
		return fmt.Errorf("%w: input data must be longer than 0", ErrLength)
	}
	return c.crypt(dst, src, addr, decrypt)
}
