package parttable

// Python's text rules, reproduced because gen_esp32part relies on str.strip,
// str.splitlines, str.lower, int(x, 0) and os.path.expandvars: a CSV that the
// tool accepts must mean the same thing here.

import (
	"errors"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// pyIsSpace is str.isspace for one code point (Python 3.11).
func pyIsSpace(r rune) bool {
	switch {
	case r >= 0x09 && r <= 0x0D, r >= 0x1C && r <= 0x20:
		return true
	case r < 0x80:
		return false
	}
	switch r {
	case 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

func pyStrip(s string) string { return strings.TrimFunc(s, pyIsSpace) }

// pySplitLines is str.splitlines() without keepends.
func pySplitLines(s string) []string {
	var lines []string
	start := 0
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '\n', '\v', '\f', 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029:
			lines = append(lines, s[start:i])
			start = i + n
		case '\r':
			lines = append(lines, s[start:i])
			if i+1 < len(s) && s[i+1] == '\n' {
				n = 2
			}
			start = i + n
		}
		i += n
	}
	if start < len(s) {
		lines = append(lines, s[start:])
	}
	return lines
}

// pyLower is str.lower() as far as keyword matching can tell: Go's ToLower
// differs only for U+0130, which Python expands to "i\u0307".
func pyLower(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "\u0130", "i\u0307"))
}

var (
	errNotInt   = errors.New("not an integer")
	errIntRange = errors.New("integer out of range")
)

// pyInt is int(s, base) for base 0 or 16, limited to int64.
func pyInt(s string, base int) (int64, error) {
	b, ok := pyIntASCII(s)
	if !ok {
		return 0, errNotInt
	}
	b = strings.Trim(b, " \t\n\v\f\r")
	neg := false
	if b != "" && (b[0] == '+' || b[0] == '-') {
		neg = b[0] == '-'
		b = b[1:]
	}
	prefixed := false
	if len(b) >= 2 && b[0] == '0' {
		switch c := b[1] | 0x20; {
		case c == 'x' && (base == 0 || base == 16):
			base, prefixed = 16, true
		case c == 'o' && base == 0:
			base, prefixed = 8, true
		case c == 'b' && base == 0:
			base, prefixed = 2, true
		}
	}
	if prefixed {
		b = b[2:]
		if strings.HasPrefix(b, "_") {
			b = b[1:] // one underscore may follow the prefix
		}
	}
	if base == 0 {
		base = 10
		// Decimal literals may not have leading zeros unless all zero.
		if len(b) > 1 && b[0] == '0' && strings.Trim(b, "0_") != "" {
			return 0, errNotInt
		}
	}
	if b == "" || b[0] == '_' || b[len(b)-1] == '_' || strings.Contains(b, "__") {
		return 0, errNotInt
	}
	var v uint64
	overflow := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '_' {
			continue
		}
		d := digitVal(c)
		if d >= base {
			return 0, errNotInt
		}
		if v > (math.MaxUint64-uint64(d))/uint64(base) {
			overflow = true
			continue
		}
		v = v*uint64(base) + uint64(d)
	}
	if overflow || v > math.MaxInt64 {
		return 0, errIntRange
	}
	if neg {
		return -int64(v), nil
	}
	return int64(v), nil
}

func digitVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return 99
}

// pyIntASCII maps Unicode whitespace to ' ' and Unicode decimal digits to
// ASCII, as CPython does before parsing an int; any other non-ASCII rune
// makes the string unparseable.
func pyIntASCII(s string) (string, bool) {
	var sb strings.Builder
	for _, r := range s {
		switch {
		case r < 0x7F:
			sb.WriteRune(r)
		case pyIsSpace(r):
			sb.WriteByte(' ')
		default:
			d, ok := decimalDigit(r)
			if !ok {
				return "", false
			}
			sb.WriteByte('0' + d)
		}
	}
	return sb.String(), true
}

// decimalDigit gives the value of a Unicode Nd rune. Nd code points come in
// contiguous runs of ten starting at zero, so the value is the distance from
// the start of the run modulo ten.
func decimalDigit(r rune) (byte, bool) {
	if !unicode.Is(unicode.Nd, r) {
		return 0, false
	}
	lo := r
	for lo > 0 && unicode.Is(unicode.Nd, lo-1) {
		lo--
	}
	return byte((r - lo) % 10), true
}

// expandVars is os.path.expandvars on POSIX: $name and ${name} are replaced
// when defined, left alone otherwise. name is [A-Za-z0-9_]+ for the bare
// form, anything but '}' for the braced form.
func expandVars(s string, lookup func(string) (string, bool)) string {
	if lookup == nil || !strings.Contains(s, "$") {
		return s
	}
	i := 0
	for {
		j := strings.IndexByte(s[i:], '$')
		if j < 0 {
			return s
		}
		start := i + j
		name, end := "", -1
		rest := s[start+1:]
		if strings.HasPrefix(rest, "{") {
			if k := strings.IndexByte(rest[1:], '}'); k >= 0 {
				name, end = rest[1:1+k], start+1+k+2
			}
		} else {
			k := 0
			for k < len(rest) && isWordByte(rest[k]) {
				k++
			}
			if k > 0 {
				name, end = rest[:k], start+1+k
			}
		}
		if end < 0 {
			i = start + 1
			continue
		}
		if v, ok := lookup(name); ok {
			s = s[:start] + v + s[end:]
			i = start + len(v)
		} else {
			i = end
		}
	}
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// unknownVar is the tool's check after expansion: a line that still starts
// with $name names an undefined variable.
func unknownVar(line string) (string, bool) {
	if len(line) < 2 || line[0] != '$' {
		return "", false
	}
	c := line[1]
	if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		return "", false
	}
	k := 1
	for k < len(line) && isWordByte(line[k]) {
		k++
	}
	return line[1:k], true
}
