package flashenc

// unitSize is the XTS data unit: 1024 bits of flash share one tweak.
const unitSize = 0x80

// cryptXTS runs XTS over 128-byte data units. Each unit is byte-reversed, run
// through standard XTS with its 128-byte-aligned flash address as the
// (little-endian) sector number, and reversed back. Partial units at either
// end are zero-padded, as espsecure does; XTS without ciphertext stealing
// treats each 16-byte block on its own, so the padding never shows.
func (c *Cipher) cryptXTS(dst, src []byte, addr uint32, decrypt bool) {
	var unit [unitSize]byte
	unitAddr := addr &^ (unitSize - 1)
	lead := int(addr - unitAddr) // bytes of the first unit before src starts
	pos := 0
	for pos < len(src) {
		n := min(unitSize-lead, len(src)-pos)
		clear(unit[:])
		// unit holds the reversed data unit: flash byte k of the unit sits at 127-k.
		for k := 0; k < n; k++ {
			unit[unitSize-1-lead-k] = src[pos+k]
		}
		if decrypt {
			c.xts.Decrypt(unit[:], unit[:], uint64(unitAddr))
		} else {
			c.xts.Encrypt(unit[:], unit[:], uint64(unitAddr))
		}
		for k := 0; k < n; k++ {
			dst[pos+k] = unit[unitSize-1-lead-k]
		}
		pos += n
		lead = 0
		unitAddr += unitSize
	}
	clear(unit[:])
}
