package merged

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/espcompose/espcompose/format/ihex"
)

// MaxHexSpan bounds the binary a HEX input may flatten to (twice the largest
// flash esptool knows), so a stray far-away record cannot demand gigabytes.
const MaxHexSpan = 256 << 20

// pyTextChunk is the block size Python's text layer decodes at a time; esptool
// only notices bad UTF-8 in the blocks it has read up to the end-of-file record.
const pyTextChunk = 8192

// PrepareInput turns an Intel HEX input into the binary esptool would merge in its
// place: data from addr up to the last byte, holes filled with 0xFF. Data that
// starts with ':' but is not valid Intel HEX is used unchanged, as esptool does;
// other data is returned as is. HEX data with overlapping records is an error
// (esptool stops there too).
func PrepareInput(addr uint32, data []byte) ([]byte, error) {
	if len(data) == 0 || data[0] != ':' {
		return data, nil
	}
	f, err := ihex.Decode(data)
	if err != nil {
		if errors.Is(err, ihex.ErrSyntax) {
			return data, nil
		}
		return nil, err
	}
	if !utf8Prefix(data) {
		return data, nil
	}
	if n := f.BinaryLen(addr); n > MaxHexSpan {
		return nil, fmt.Errorf("%w: Intel HEX input placed at %#x would flatten to %d bytes (limit %d)", ErrOption, addr, n, MaxHexSpan)
	}
	return f.Binary(addr), nil
}

// utf8Prefix approximates whether Python would have decoded the HEX text without a
// UnicodeDecodeError: the whole 8 KiB blocks it read up to the end-of-file record.
func utf8Prefix(data []byte) bool {
	end := len(data)
	if i := eofRecordEnd(data); i >= 0 {
		end = min(len(data), (i/pyTextChunk+1)*pyTextChunk)
	}
	p := data[:end]
	if utf8.Valid(p) {
		return true
	}
	// A multi-byte sequence cut by the block boundary is not an error yet.
	for cut := 1; cut <= 3 && cut <= len(p) && end < len(data); cut++ {
		if utf8.Valid(p[:len(p)-cut]) && !utf8.FullRune(p[len(p)-cut:]) {
			return true
		}
	}
	return false
}

func eofRecordEnd(data []byte) int {
	eof := []byte(":00000001FF")
	for i := 0; i+len(eof) <= len(data); i++ {
		if (i == 0 || data[i-1] == '\n' || data[i-1] == '\r') && bytes.EqualFold(data[i:i+len(eof)], eof) {
			return i + len(eof)
		}
	}
	return -1
}
