package encimg

import (
	"encoding/binary"
	"fmt"
)

// Header is the 512-byte header that precedes the payload.
//
// The header does not say which scheme made it: the device is built for one
// (Kconfig PRE_ENCRYPTED_OTA_USE_RSA or _USE_ECIES) and the tool picks the
// scheme from the key file. KeyBlock holds the RSA-3072 PKCS#1 v1.5 ciphertext
// of the AES key, or, for ECIES-P256, the server's ephemeral public key, the
// HKDF salt and 288 zero bytes (see ServerKey, Salt).
type Header struct {
	KeyBlock [KeyBlockSize]byte
	IV       [IVSize]byte
	Size     uint32 // payload length; the plaintext has the same length
	Tag      [TagSize]byte
	// Reserved is kept as read so that a parsed header re-encodes to the same
	// bytes; readers (tool and device) ignore it, writers put zeros.
	Reserved [ReservedSize]byte
}

// ParseHeader decodes the header at the start of b. b may be the whole
// package or only its first HeaderSize bytes; the payload length is checked by
// Decrypt, or by CheckLength.
func ParseHeader(b []byte) (*Header, error) {
	if len(b) < HeaderSize {
		return nil, fmt.Errorf("%w: %d bytes, the header alone needs %d", ErrTruncated, len(b), HeaderSize)
	}
	if m := binary.LittleEndian.Uint32(b[OffsetMagic:]); m != Magic {
		return nil, fmt.Errorf("%w: offset 0x%x holds 0x%08x, want 0x%08x", ErrMagic, OffsetMagic, m, Magic)
	}
	h := new(Header)
	copy(h.KeyBlock[:], b[OffsetKeyBlock:OffsetIV])
	copy(h.IV[:], b[OffsetIV:OffsetSize])
	h.Size = binary.LittleEndian.Uint32(b[OffsetSize:])
	copy(h.Tag[:], b[OffsetTag:OffsetReserved])
	copy(h.Reserved[:], b[OffsetReserved:HeaderSize])
	return h, nil
}

// CheckLength reports whether a package of n bytes has exactly the payload
// the header declares, as the device requires.
func (h *Header) CheckLength(n int) error {
	want := uint64(HeaderSize) + uint64(h.Size)
	switch {
	case uint64(n) < want:
		return fmt.Errorf("%w: size field at offset 0x%x declares %d payload bytes, package has %d after the header",
			ErrTruncated, OffsetSize, h.Size, n-HeaderSize)
	case uint64(n) > want:
		return fmt.Errorf("%w: %d bytes from offset 0x%x", ErrTrailingData, uint64(n)-want, want)
	}
	return nil
}

// PackageSize is the length of the whole package: header plus payload.
func (h *Header) PackageSize() int64 { return HeaderSize + int64(h.Size) }

// ServerKey is the ECIES view of the key block: the server's ephemeral P-256
// public key as X||Y (the uncompressed point without its 0x04 prefix). The
// slice aliases KeyBlock.
func (h *Header) ServerKey() []byte {
	return h.KeyBlock[OffsetServerKey-OffsetKeyBlock : OffsetSalt-OffsetKeyBlock]
}

// Salt is the ECIES view of the key block: the HKDF salt. The slice aliases
// KeyBlock.
func (h *Header) Salt() []byte {
	return h.KeyBlock[OffsetSalt-OffsetKeyBlock : OffsetECIESReserved-OffsetKeyBlock]
}

// LooksECIES reports whether the key block has the ECIES shape (288 zero
// bytes after server key and salt). An RSA ciphertext practically never does,
// so this tells the schemes apart, but it is a guess, not a format field.
func (h *Header) LooksECIES() bool {
	return allZero(h.KeyBlock[OffsetECIESReserved-OffsetKeyBlock:])
}

// MarshalBinary encodes the header. It refuses non-zero Reserved bytes,
// which no writer produces.
func (h *Header) MarshalBinary() ([]byte, error) {
	if !allZero(h.Reserved[:]) {
		return nil, fmt.Errorf("%w: offset 0x%x..0x%x", ErrReserved, OffsetReserved, HeaderSize)
	}
	return h.appendTo(make([]byte, 0, HeaderSize)), nil
}

func (h *Header) appendTo(b []byte) []byte {
	b = binary.LittleEndian.AppendUint32(b, Magic)
	b = append(b, h.KeyBlock[:]...)
	b = append(b, h.IV[:]...)
	b = binary.LittleEndian.AppendUint32(b, h.Size)
	b = append(b, h.Tag[:]...)
	return append(b, h.Reserved[:]...)
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
