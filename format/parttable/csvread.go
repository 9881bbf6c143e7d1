package parttable

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/espcompose/espcompose/internal/textpos"
)

// csvEntry is an entry while parsing: offset and size as written, before
// placement (size < 0 means "ends at -size", offset absent means auto).
type csvEntry struct {
	Entry
	offset    int64
	hasOffset bool
	size      int64
}

// ParseCSV reads a partition table CSV exactly as gen_esp32part does,
// including automatic placement of entries without an offset. filename is
// used only in error messages. The result is not validated: call Validate or
// Encode.
func ParseCSV(r io.Reader, filename string, opts Options) (*Table, error) {
	subs, err := opts.check()
	if err != nil {
		err.(*Error).File = filename
		return nil, err
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	text, err := decodeText(raw)
	if err != nil {
		line := 0
		var u *notUTF8
		if errors.As(err, &u) {
			line = u.line
		}
		return nil, lineErr(ErrSyntax, filename, line, "%v", err)
	}
	p := csvParser{file: filename, opts: &opts, subs: subs}
	var entries []csvEntry
	for i, line := range pySplitLines(text) {
		lineNo := i + 1
		line = expandVars(line, opts.LookupEnv)
		if name, ok := unknownVar(line); ok {
			return nil, lineErr(ErrSyntax, filename, lineNo, "unknown variable '%s'", name)
		}
		line = pyStrip(line)
		if line == "" || line[0] == '#' {
			continue
		}
		e, err := p.parseLine(line, lineNo)
		if err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
	if err := place(entries, int64(opts.tableOffset())+SectorSize, subs, filename, true); err != nil {
		return nil, err
	}
	t := &Table{File: filename, Entries: make([]Entry, len(entries))}
	for i, e := range entries {
		if e.offset < 0 || e.offset > 0xFFFFFFFF {
			return nil, lineErr(ErrSyntax, filename, e.Line, "Offset %s is out of range", hexInt(e.offset))
		}
		if e.size < 0 || e.size > 0xFFFFFFFF {
			return nil, lineErr(ErrSyntax, filename, e.Line, "Size %s is out of range", hexInt(e.size))
		}
		e.Offset, e.Size = uint32(e.offset), uint32(e.size)
		t.Entries[i] = e.Entry
	}
	return t, nil
}

func hexInt(v int64) string {
	if v < 0 {
		return sprintf("0x-%x", -v) // Python's '0x%x' % -v
	}
	return sprintf("0x%x", v)
}

// decodeText follows the tool: a BOM selects UTF-8, UTF-16 or UTF-32 (and is
// dropped), anything else must be strict UTF-8.
func decodeText(b []byte) (string, error) {
	whole := b
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		b = b[3:]
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return decodeUTF16(b[2:], binary.LittleEndian)
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return decodeUTF16(b[2:], binary.BigEndian)
	case bytes.HasPrefix(b, []byte{0x00, 0x00, 0xFE, 0xFF}):
		return decodeUTF32(b[4:])
	}
	if !utf8.Valid(b) {
		at, _ := textpos.InvalidUTF8(b)
		u := &notUTF8{line: at.Line, off: at.Byte}
		if len(b) < len(whole) {
			u.off += 3 // counted in the file, BOM included
		}
		return "", u
	}
	return string(b), nil
}

// notUTF8 is text that is neither UTF-16/32 nor UTF-8: where its first bad byte is.
type notUTF8 struct{ line, off int }

func (e *notUTF8) Error() string {
	return fmt.Sprintf("CSV is not valid UTF-8 (byte offset %d)", e.off)
}

func decodeUTF16(b []byte, order binary.ByteOrder) (string, error) {
	if len(b)%2 != 0 {
		return "", errors.New("truncated UTF-16 data")
	}
	var sb strings.Builder
	for i := 0; i < len(b); i += 2 {
		u := rune(order.Uint16(b[i:]))
		switch {
		case utf16.IsSurrogate(u) && u < 0xDC00 && i+3 < len(b):
			lo := rune(order.Uint16(b[i+2:]))
			r := utf16.DecodeRune(u, lo)
			if r == utf8.RuneError {
				return "", errors.New("invalid UTF-16 surrogate pair")
			}
			sb.WriteRune(r)
			i += 2
		case utf16.IsSurrogate(u):
			return "", errors.New("invalid UTF-16 surrogate")
		default:
			sb.WriteRune(u)
		}
	}
	return sb.String(), nil
}

func decodeUTF32(b []byte) (string, error) {
	if len(b)%4 != 0 {
		return "", errors.New("truncated UTF-32 data")
	}
	var sb strings.Builder
	for i := 0; i < len(b); i += 4 {
		r := rune(binary.BigEndian.Uint32(b[i:]))
		if !utf8.ValidRune(r) {
			return "", errors.New("invalid UTF-32 code point")
		}
		sb.WriteRune(r)
	}
	return sb.String(), nil
}

type csvParser struct {
	file string
	opts *Options
	subs *subtypeSet
}

// parseLine is PartitionDefinition.from_csv; field errors are reported in the
// order the tool checks them.
func (p *csvParser) parseLine(line string, lineNo int) (csvEntry, error) {
	fields := strings.Split(line+",,,,", ",")
	for i := range fields {
		fields[i] = pyStrip(fields[i])
	}
	fail := func(err error) (csvEntry, error) {
		var pe *Error
		if errors.As(err, &pe) {
			pe.File, pe.Line = p.file, lineNo
			return csvEntry{}, pe
		}
		return csvEntry{}, lineErr(ErrSyntax, p.file, lineNo, "%v", err)
	}
	e := csvEntry{Entry: Entry{Name: fields[0], Line: lineNo}}

	if fields[1] == "" {
		return fail(lineErr(ErrSyntax, "", 0, "Field 'type' can't be left empty."))
	}
	typ, err := parseIntKw(fields[1], typeKeywords)
	if err != nil {
		return fail(err)
	}
	if typ < 0 || typ > 0xFF {
		return fail(lineErr(ErrSyntax, "", 0, "Type %d is out of range (0-255)", typ))
	}
	e.Type = uint8(typ)

	sub := int64(p.subs.value(TypeData, "undefined"))
	if fields[2] == "" {
		if e.Type == TypeApp {
			return fail(lineErr(ErrSyntax, "", 0, "App partition cannot have an empty subtype"))
		}
	} else if sub, err = parseIntKw(fields[2], p.subs.tables[e.Type]); err != nil {
		return fail(err)
	}
	if sub < 0 || sub > 0xFF {
		return fail(lineErr(ErrSyntax, "", 0, "Subtype %d is out of range (0-255)", sub))
	}
	e.Subtype = uint8(sub)

	if err := p.parseOffset(&e, fields[3]); err != nil {
		return fail(err)
	}
	hasSize, err := p.parseSize(&e, fields[4])
	if err != nil {
		return fail(err)
	}
	if !hasSize {
		return fail(lineErr(ErrSyntax, "", 0, "Size field can't be empty"))
	}

	for _, flag := range strings.Split(fields[5], ":") {
		switch flag {
		case "encrypted":
			e.Encrypted = true
		case "readonly":
			e.Readonly = true
		case "":
		default:
			return fail(lineErr(ErrSyntax, "", 0, "CSV flag column contains unknown flag '%s'", flag))
		}
	}
	return e, nil
}

const (
	msgNoPrimaryBootloader  = "Primary bootloader offset is not defined. Please use --primary-bootloader-offset"
	msgNoRecoveryBootloader = "Recovery bootloader offset is not defined. Please use --recovery-bootloader-offset"
)

// parseOffset is parse_address: bootloader and primary table offsets come
// from options and the CSV field is not even read.
func (p *csvParser) parseOffset(e *csvEntry, field string) error {
	o := p.opts
	switch {
	case p.subs.is(&e.Entry, TypeBootloader, "primary"):
		if o.PrimaryBootloaderOffset == nil {
			return lineErr(ErrInvalid, "", 0, msgNoPrimaryBootloader)
		}
		e.offset, e.hasOffset = int64(*o.PrimaryBootloaderOffset), true
		return nil
	case p.subs.is(&e.Entry, TypeBootloader, "recovery"):
		if o.RecoveryBootloaderOffset == nil {
			return lineErr(ErrInvalid, "", 0, msgNoRecoveryBootloader)
		}
		e.offset, e.hasOffset = int64(*o.RecoveryBootloaderOffset), true
		return nil
	case p.subs.is(&e.Entry, TypePartitionTable, "primary"):
		e.offset, e.hasOffset = int64(o.tableOffset()), true
		return nil
	case field == "":
		e.AutoOffset = true
		return nil
	}
	v, err := parseIntKw(field, nil)
	if err != nil {
		return err
	}
	e.offset, e.hasOffset = v, true
	return nil
}

// parseSize is parse_size: bootloader partitions span from the primary
// bootloader to the table, partition tables are one sector.
func (p *csvParser) parseSize(e *csvEntry, field string) (bool, error) {
	o := p.opts
	switch {
	case e.Type == TypeBootloader:
		if o.PrimaryBootloaderOffset == nil {
			return false, lineErr(ErrInvalid, "", 0, msgNoPrimaryBootloader)
		}
		e.size = int64(o.tableOffset()) - int64(*o.PrimaryBootloaderOffset)
		return true, nil
	case e.Type == TypePartitionTable:
		e.size = SectorSize
		return true, nil
	case field == "":
		return false, nil
	}
	v, err := parseIntKw(field, nil)
	if err != nil {
		return false, err
	}
	e.size = v
	return true, nil
}

// parseIntKw is the tool's parse_int: k/m suffixes (case-insensitive,
// recursive, so "1kk" is 1 MiB), then int(v, 0), then a keyword.
func parseIntKw(v string, kws []keyword) (int64, error) {
	if r, n := utf8.DecodeLastRuneInString(v); n > 0 {
		var mult int64
		switch lowerLast(r) {
		case 'k':
			mult = 1024
		case 'm':
			mult = 1024 * 1024
		}
		if mult != 0 {
			x, err := parseIntKw(v[:len(v)-n], kws)
			if err != nil {
				return 0, err
			}
			if x > maxInt64/mult || x < -maxInt64/mult {
				return 0, lineErr(ErrSyntax, "", 0, "Value %s is out of range", v)
			}
			return x * mult, nil
		}
	}
	x, err := pyInt(v, 0)
	if err == nil {
		return x, nil
	}
	if err == errIntRange {
		return 0, lineErr(ErrSyntax, "", 0, "Value %s is out of range", v)
	}
	if len(kws) == 0 {
		return 0, lineErr(ErrSyntax, "", 0, "Invalid field value %s", v)
	}
	if x, ok := lookupKeyword(kws, v); ok {
		return int64(x), nil
	}
	return 0, lineErr(ErrSyntax, "", 0, "Value '%s' is not valid. Known keywords: %s", v, keywordNames(kws))
}

const maxInt64 = 1<<63 - 1

// lowerLast lowers one rune as Python's str.lower would leave the last
// character of a string (U+0130 lowers to a sequence ending in U+0307).
func lowerLast(r rune) rune {
	if r == 0x130 {
		return 0x307
	}
	return unicode.ToLower(r)
}
