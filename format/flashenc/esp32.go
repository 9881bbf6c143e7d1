package flashenc

import (
	"crypto/cipher"
	"encoding/binary"
)

// esp32Chunk bytes are reversed, run through AES and reversed back per pass
// (see cryptXTS for why the passes are separate).
const esp32Chunk = 1024

// cryptESP32 runs the ESP32 scheme. The hardware uses AES backwards, so
// encryption is AES decryption; every 16-byte block is byte-reversed on the
// way in and out, and every 32-byte block of flash has its own tweaked key.
//
// Every FLASH_CRYPT_CONFIG bit covers a key-bit range into which all of
// address bits 5..23 are shifted, so any non-zero value gives each 32-byte
// block of a 16 MiB window a distinct key: a schedule cache would never hit,
// and each 32 bytes pays for one AES-256 key expansion. That expansion goes
// into one aes256 value on the stack, re-keyed in place (see aes256.go).
func (c *Cipher) cryptESP32(dst, src []byte, addr uint32, decrypt bool) error {
	var (
		kb [32]byte
		ks aes256
	)
	defer func() {
		clear(kb[:])
		ks.clear()
	}()
	off := uint64(addr)
	for i := 0; i < len(src); i += esp32Chunk {
		end := min(i+esp32Chunk, len(src))
		out := dst[i:end]
		for k := 0; k < len(out); k += 16 {
			reverse16(out[k:k+16], src[i+k:i+k+16])
		}
		if c.fixed != nil {
			runBlocks(c.fixed, out, decrypt)
		} else {
			for k := 0; k < len(out); {
				// The first block may sit in the second half of a 32-byte block.
				n := min(32-int(off%32), len(out)-k)
				tweakKey(&kb, &c.key, off, c.mask)
				ks.crypt(&kb, out[k:k+n], !decrypt)
				k += n
				off += uint64(n)
			}
		}
		for k := 0; k < len(out); k += 16 {
			reverse16(out[k:k+16], out[k:k+16])
		}
	}
	return nil
}

// runBlocks applies the ESP32 direction in place: flash encryption is AES
// decryption and vice versa.
func runBlocks(blk cipher.Block, b []byte, decrypt bool) {
	for k := 0; k < len(b); k += 16 {
		x := b[k : k+16]
		if decrypt {
			blk.Encrypt(x, x)
		} else {
			blk.Decrypt(x, x)
		}
	}
}

// reverse16 writes the 16 bytes of src to dst in reverse order; they may be
// the same slice.
func reverse16(dst, src []byte) {
	lo := binary.BigEndian.Uint64(src[8:16])
	hi := binary.BigEndian.Uint64(src[:8])
	binary.LittleEndian.PutUint64(dst[:8], lo)
	binary.LittleEndian.PutUint64(dst[8:16], hi)
}
