package parttable

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"unicode/utf8"
)

// Record layout (little-endian), as struct '<2sBBLL16sL' in the tool.
const (
	magic0, magic1 = 0xAA, 0x50
	md5Magic0      = 0xEB
	nameLen        = 16
	flagEncrypted  = 1 << 0
	flagReadonly   = 1 << 1
)

// Encode validates t with opts (see Validate) and returns the 0xC00-byte
// binary table: one record per entry in order, the MD5 record unless
// opts.DisableMD5, then 0xFF. Names longer than 16 bytes are cut to 16 bytes,
// as the tool does.
func Encode(t *Table, opts Options) ([]byte, error) {
	if err := t.Validate(opts); err != nil {
		return nil, err
	}
	return marshal(t.Entries, !opts.DisableMD5), nil
}

// marshal writes records without validation; the caller guarantees the count.
func marshal(entries []Entry, withMD5 bool) []byte {
	out := bytes.Repeat([]byte{0xFF}, TableSize)
	for i := range entries {
		putRecord(out[i*EntrySize:(i+1)*EntrySize], &entries[i])
	}
	if withMD5 {
		n := len(entries) * EntrySize
		rec := out[n : n+EntrySize]
		rec[0], rec[1] = md5Magic0, md5Magic0
		sum := md5.Sum(out[:n])
		copy(rec[16:], sum[:])
	}
	return out
}

func putRecord(rec []byte, e *Entry) {
	rec[0], rec[1], rec[2], rec[3] = magic0, magic1, e.Type, e.Subtype
	binary.LittleEndian.PutUint32(rec[4:], e.Offset)
	binary.LittleEndian.PutUint32(rec[8:], e.Size)
	name := rec[12 : 12+nameLen]
	clear(name)
	copy(name, e.Name)
	var flags uint32
	if e.Encrypted {
		flags |= flagEncrypted
	}
	if e.Readonly {
		flags |= flagReadonly
	}
	binary.LittleEndian.PutUint32(rec[28:], flags)
}

// IsBinary reports whether b looks like a binary table rather than CSV, by the
// test gen_esp32part uses: the first record's magic bytes AA 50. (A table with
// no partitions starts with the MD5 record instead; the tool then fails to
// read it as CSV, while Decode accepts it.)
func IsBinary(b []byte) bool { return len(b) >= 2 && b[0] == magic0 && b[1] == magic1 }

// Decode parses a binary table (the 0xC00 bytes Encode writes, or a whole
// 0x1000 sector; anything past 0xC00 is ignored). It checks each record's
// magic, the MD5 record when present, the end-of-table marker and the 0xFF
// fill up to 0xC00, and refuses what Encode could not have written (unknown
// flag bits, bytes after a name's NUL, names that are not UTF-8). The table is
// not validated against options: call Validate for that.
func Decode(b []byte) (*Table, error) {
	if len(b)%EntrySize != 0 {
		return nil, byteErr(ErrLength, len(b), "Partition table length must be a multiple of 32 bytes (got %d)", len(b))
	}
	limit := min(len(b), TableSize)
	t := &Table{}
	digest := md5.New()
	sawMD5 := false
	for off := 0; off+EntrySize <= limit; off += EntrySize {
		rec := b[off : off+EntrySize]
		if isFF(rec) {
			if i := firstNotFF(b[off:limit]); i >= 0 {
				return nil, byteErr(ErrPadding, off+i, "byte after the end-of-table marker is not 0xFF")
			}
			return t, nil
		}
		if sawMD5 {
			return nil, byteErr(ErrMD5, off, "record after the MD5 record")
		}
		if rec[0] == md5Magic0 && rec[1] == md5Magic0 {
			if !isFF(rec[2:16]) {
				return nil, byteErr(ErrMD5, off+2+firstNotFF(rec[2:16]), "MD5 record padding is not 0xFF")
			}
			if sum := digest.Sum(nil); !bytes.Equal(sum, rec[16:]) {
				return nil, byteErr(ErrMD5, off+16, "MD5 checksums don't match! (computed: 0x%x, parsed: 0x%x)", sum, rec[16:])
			}
			sawMD5 = true
			continue
		}
		digest.Write(rec)
		e, err := parseRecord(rec, off)
		if err != nil {
			return nil, err
		}
		t.Entries = append(t.Entries, e)
	}
	return nil, byteErr(ErrNoEndMarker, limit, "Partition table is missing an end-of-table marker")
}

func parseRecord(rec []byte, off int) (Entry, error) {
	if rec[0] != magic0 || rec[1] != magic1 {
		return Entry{}, byteErr(ErrMagic, off, "Invalid magic bytes (%s) for partition definition", pyBytes(rec[:2]))
	}
	e := Entry{
		Type:    rec[2],
		Subtype: rec[3],
		Offset:  binary.LittleEndian.Uint32(rec[4:]),
		Size:    binary.LittleEndian.Uint32(rec[8:]),
	}
	name := rec[12 : 12+nameLen]
	if i := bytes.IndexByte(name, 0); i >= 0 {
		for j := i; j < nameLen; j++ {
			if name[j] != 0 {
				return Entry{}, byteErr(ErrBadName, off+12+j, "partition name has data after its NUL terminator")
			}
		}
		name = name[:i]
	}
	if !utf8.Valid(name) {
		return Entry{}, byteErr(ErrBadName, off+12, "partition name is not valid UTF-8")
	}
	e.Name = string(name)
	flags := binary.LittleEndian.Uint32(rec[28:])
	e.Encrypted = flags&flagEncrypted != 0
	e.Readonly = flags&flagReadonly != 0
	if rest := flags &^ (flagEncrypted | flagReadonly); rest != 0 {
		return Entry{}, byteErr(ErrUnknownFlags, off+28, "Partition definition had unknown flag(s) 0x%08x", rest)
	}
	return e, nil
}

func isFF(b []byte) bool { return firstNotFF(b) < 0 }

func firstNotFF(b []byte) int {
	for i, c := range b {
		if c != 0xFF {
			return i
		}
	}
	return -1
}

// pyBytes renders bytes like Python's repr(bytes), for the tool's message.
func pyBytes(b []byte) string {
	s := "b'"
	for _, c := range b {
		switch {
		case c == '\\' || c == '\'':
			s += `\` + string(rune(c))
		case c >= 0x20 && c < 0x7F:
			s += string(rune(c))
		default:
			s += fmt.Sprintf(`\x%02x`, c)
		}
	}
	return s + "'"
}
