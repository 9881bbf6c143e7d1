package fatfs

import (
	"strings"
	"unicode"
	"unicode/utf16"
)

const (
	maxNameLen    = 8
	maxExtLen     = 3
	lfnChars      = 13 // UTF-16 units per LFN entry: blocks of 5, 6 and 2
	maxSamePrefix = 127
)

// pySpecialUpper holds the one-to-many upper-case mappings Python's str.upper
// applies (SpecialCasing.txt) and Go's simple mapping does not, for the
// characters a file name plausibly holds.
var pySpecialUpper = map[rune]string{
	'ß': "SS", 'ŉ': "ʼN", 'ǰ': "J̌", 'ﬀ': "FF", 'ﬁ': "FI", 'ﬂ': "FL",
	'ﬃ': "FFI", 'ﬄ': "FFL", 'ﬅ': "ST", 'ﬆ': "ST",
}

// pyUpper upper-cases as fatfsgen does (Python str.upper on the whole path).
func pyUpper(s string) string {
	var b strings.Builder
	for _, r := range s {
		if m, ok := pySpecialUpper[r]; ok {
			b.WriteString(m)
			continue
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// splitExt is Python's os.path.splitext on a bare name, with the dot
// dropped from the extension: the last dot splits unless only dots precede it.
func splitExt(name string) (string, string) {
	dot := strings.LastIndexByte(name, '.')
	if dot <= 0 || strings.Trim(name[:dot], ".") == "" {
		return name, ""
	}
	return name[:dot], name[dot+1:]
}

// buildName is fatfsgen's build_name: "NAME.EXT", or "NAME" without extension.
func buildName(name, ext string) string {
	if ext == "" {
		return name
	}
	return name + "." + ext
}

func runeLen(s string) int { return len([]rune(s)) }

// prefix is Python's s[:n] (code points).
func prefix(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}

// validSFN is fatfsgen's _is_valid_sfn. It checks the forbidden characters in
// the name part only (the reference tests the name twice, never the
// extension) and lengths in characters; a space is allowed.
func validSFN(name, ext string) bool {
	if strings.ContainsAny(name, ".+,;=[]") {
		return false
	}
	return runeLen(name) <= maxNameLen && runeLen(ext) <= maxExtLen
}

// padName is pad_string: cut or space-fill to n characters, then the bytes
// must fit the n-byte field, which leaves room for ASCII only.
func padName(s string, n int) ([]byte, bool) {
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	for len(r) < n {
		r = append(r, ' ')
	}
	out := []byte(string(r))
	return out, len(out) == n
}

// numericTail is FatFs gen_numname's "~N" as fatfsgen builds it: sequence
// numbers up to 5 are used as is, later ones are replaced by a CRC16-CCITT of
// the long name seeded with the sequence number.
func numericTail(seq int, lfn string) string {
	if seq > 5 {
		sreg := uint32(seq)
		for _, r := range lfn {
			wc := uint32(r)
			for i := 0; i < 16; i++ {
				sreg = (sreg << 1) + (wc & 1)
				wc >>= 1
				if sreg&0x10000 != 0 {
					sreg ^= 0x11021
				}
			}
		}
		seq = int(sreg & 0xFFFF)
	}
	return "~" + strings.ToUpper(itoaHex(seq))
}

func itoaHex(v int) string {
	const digits = "0123456789ABCDEF"
	if v == 0 {
		return "0"
	}
	var b []byte
	for v > 0 {
		b = append([]byte{digits[v&15]}, b...)
		v >>= 4
	}
	return string(b)
}

// aliasName is build_lfn_short_entry_name: the tail first, then as much of
// the name as fits before it in 8 characters; the extension cut to 3.
func aliasName(name, ext string, seq int, lfn string) (string, string) {
	tail := numericTail(seq, lfn)
	return prefix(name, maxNameLen-len(tail)) + tail, prefix(ext, maxExtLen)
}

// sfnChecksum is the FAT specification's checksum of the 11-byte short name.
func sfnChecksum(short []byte) byte {
	var sum byte
	for _, c := range short[:11] {
		sum = (sum>>1 | sum<<7) + c
	}
	return sum
}

// lfnFullName is build_lfn_full_name: NUL-terminated unless it fills its
// entries exactly.
func lfnFullName(name, ext string) string {
	full := buildName(name, ext)
	if runeLen(full)%lfnChars != 0 {
		full += "\x00"
	}
	return full
}

// lfnSlices splits the full long name into the 26-byte name payloads of its
// entries, first part first: UTF-16LE, padded with 0xFF, then with every
// ASCII capital byte lowered, because the reference lower-cases the encoded
// bytes (bytes.lower) rather than the name. ok is false for characters outside
// the BMP, which the reference would spill past the entry.
func lfnSlices(full string) (parts [][26]byte, ok bool) {
	r := []rune(full)
	for start := 0; start < len(r); start += lfnChars {
		end := min(start+lfnChars, len(r))
		var p [26]byte
		for i := range p {
			p[i] = 0xFF
		}
		units := utf16.Encode(r[start:end])
		if len(units) != end-start {
			return nil, false
		}
		for i, u := range units {
			p[2*i], p[2*i+1] = byte(u), byte(u>>8)
		}
		for i, c := range p {
			if c >= 'A' && c <= 'Z' {
				p[i] = c + 0x20
			}
		}
		parts = append(parts, p)
	}
	return parts, true
}
