package securecert

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// Magic starts every TLV header (ESP_SECURE_CERT_TLV_MAGIC).
const Magic = 0xBA5EBA11

// PartitionType is the custom partition type esp_secure_cert_mgr looks for
// (ESP_SECURE_CERT_TLV_PARTITION_TYPE).
const PartitionType = 0x3F

// Type is esp_secure_cert_tlv_type_t.
type Type uint8

// TLV types (tools/esp_secure_cert/tlv_format.py tlv_type_t).
const (
	CACert    Type = 0
	DevCert   Type = 1
	PrivKey   Type = 2
	Integrity Type = 9
	End       Type = 50
	UserData1 Type = 51
)

// Private-key flag bits (ESP_SECURE_CERT_TLV_FLAG_*): the tool's "plaintext" key type
// sets none of them.
const (
	FlagHMACEncryption     = 2 << 6
	FlagHMACECDSADerivated = 1 << 6
	FlagECDSAPeripheral    = 1 << 3
)

const (
	headerSize = 12
	footerSize = 4
	align      = 16 // MIN_ALIGNMENT_REQUIRED
)

// Entry is one TLV.
type Entry struct {
	Type    Type
	Subtype uint8
	Flags   uint8
	Data    []byte
}

// crc is zlib.crc32(data, 0xffffffff): Go's Update continues a CRC the same way
// zlib's second argument does.
func crc(b []byte) uint32 { return crc32.Update(0xFFFFFFFF, crc32.IEEETable, b) }

func appendEntry(dst []byte, e Entry) ([]byte, error) {
	if len(e.Data) > 0xFFFF {
		return nil, fmt.Errorf("TLV type %d: %d bytes; the length field holds at most 65535", e.Type, len(e.Data))
	}
	start := len(dst)
	dst = binary.LittleEndian.AppendUint32(dst, Magic)
	dst = append(dst, e.Flags, 0, 0, 0, byte(e.Type), e.Subtype)
	dst = binary.LittleEndian.AppendUint16(dst, uint16(len(e.Data)))
	dst = append(dst, e.Data...)
	if pad := (align - len(e.Data)%align) % align; pad > 0 {
		dst = append(dst, make([]byte, pad)...)
	}
	return binary.LittleEndian.AppendUint32(dst, crc(dst[start:])), nil
}

// Encode lays the entries out one after another, then, when integrity is set, the
// integrity entry (type 9, subtype 0) holding the SHA-256 of all bytes before it, as
// configure_esp_secure_cert.py does. The result holds only the used bytes; size > 0
// pads it with 0xFF to a partition of that size and fails when it does not fit.
func Encode(entries []Entry, integrity bool, size int) ([]byte, error) {
	var out []byte
	var err error
	for _, e := range entries {
		if e.Type == Integrity {
			return nil, errors.New("the integrity entry is added by Encode itself")
		}
		if out, err = appendEntry(out, e); err != nil {
			return nil, err
		}
	}
	if integrity {
		sum := sha256.Sum256(out)
		if out, err = appendEntry(out, Entry{Type: Integrity, Data: sum[:]}); err != nil {
			return nil, err
		}
	}
	if size > 0 {
		if len(out) > size {
			return nil, fmt.Errorf("esp_secure_cert data needs %d bytes; the partition has %d", len(out), size)
		}
		out = append(out, bytes.Repeat([]byte{0xFF}, size-len(out))...)
	}
	return out, nil
}

// PEMData is how the tool stores a PEM object: its text and a terminating NUL.
func PEMData(pemText []byte) []byte {
	return append(append([]byte(nil), pemText...), 0)
}

// Decode reads entries from the start of b until erased flash (or the end), checking
// each magic, length and CRC, and the integrity entry's digest when there is one.
func Decode(b []byte) ([]Entry, error) {
	var out []Entry
	off := 0
	for off+headerSize <= len(b) {
		magic := binary.LittleEndian.Uint32(b[off:])
		if magic == 0xFFFFFFFF {
			break
		}
		if magic != Magic {
			return nil, fmt.Errorf("offset 0x%x: TLV magic 0x%08x, want 0x%08x", off, magic, uint32(Magic))
		}
		n := int(binary.LittleEndian.Uint16(b[off+10:]))
		pad := (align - n%align) % align
		end := off + headerSize + n + pad
		if end+footerSize > len(b) {
			return nil, fmt.Errorf("offset 0x%x: TLV of %d bytes runs past the end (%d bytes)", off, n, len(b))
		}
		if got, want := binary.LittleEndian.Uint32(b[end:]), crc(b[off:end]); got != want {
			return nil, fmt.Errorf("offset 0x%x: TLV CRC 0x%08x, computed 0x%08x", off, got, want)
		}
		for _, r := range b[off+5 : off+8] {
			if r != 0 {
				return nil, fmt.Errorf("offset 0x%x: reserved header bytes are not zero", off)
			}
		}
		for _, p := range b[off+headerSize+n : end] {
			if p != 0 {
				return nil, fmt.Errorf("offset 0x%x: padding is not zero", off)
			}
		}
		e := Entry{Flags: b[off+4], Type: Type(b[off+8]), Subtype: b[off+9],
			Data: append([]byte(nil), b[off+headerSize:off+headerSize+n]...)}
		if e.Type == Integrity {
			if sum := sha256.Sum256(b[:off]); !bytes.Equal(sum[:], e.Data) {
				return nil, fmt.Errorf("offset 0x%x: integrity digest does not match the entries before it", off)
			}
		}
		out = append(out, e)
		off = end + footerSize
	}
	return out, nil
}

// Find returns the first entry of a type and subtype.
func Find(entries []Entry, t Type, subtype uint8) (Entry, bool) {
	for _, e := range entries {
		if e.Type == t && e.Subtype == subtype {
			return e, true
		}
	}
	return Entry{}, false
}
