package flashenc

import "crypto/aes"

// cryptESP32 runs the ESP32 scheme. The hardware uses AES backwards, so
// encryption is AES decryption; every 16-byte block is byte-reversed on the
// way in and out, and every 32-byte block of flash has its own tweaked key.
func (c *Cipher) cryptESP32(dst, src []byte, addr uint32, decrypt bool) error {
	var buf [16]byte
	var kb [32]byte
	defer clear(kb[:])
	blk := c.fixed
	off := uint64(addr)
	for i := 0; i < len(src); i += 16 {
		if c.fixed == nil && (i == 0 || off%32 == 0) {
			tweakKey(&kb, &c.key, off, c.mask)
			b, err := aes.NewCipher(kb[:])
			if err != nil {
				return err
			}
			blk = b
		}
		reverse16(&buf, src[i:i+16])
		if decrypt {
			blk.Encrypt(buf[:], buf[:])
		} else {
			blk.Decrypt(buf[:], buf[:])
		}
		reverse16to(dst[i:i+16], &buf)
		off += 16
	}
	clear(buf[:])
	return nil
}

func reverse16(dst *[16]byte, src []byte) {
	_ = src[15]
	for j := 0; j < 16; j++ {
		dst[j] = src[15-j]
	}
}

func reverse16to(dst []byte, src *[16]byte) {
	_ = dst[15]
	for j := 0; j < 16; j++ {
		dst[j] = src[15-j]
	}
}
