// Package textpos says where in a text file its first byte that is not UTF-8 is, so
// the codecs that read CSV can name the line and the byte offset, as every error
// about bad input does.
package textpos

import "unicode/utf8"

// InvalidUTF8 returns the 1-based line and the 0-based byte offset in b of the first
// byte that does not begin a valid UTF-8 sequence; ok is false when b is all UTF-8.
func InvalidUTF8(b []byte) (line, off int, ok bool) {
	line = 1
	for off < len(b) {
		c := b[off]
		if c < utf8.RuneSelf {
			if c == '\n' {
				line++
			}
			off++
			continue
		}
		r, n := utf8.DecodeRune(b[off:])
		if r == utf8.RuneError && n == 1 {
			return line, off, true
		}
		off += n
	}
	return 0, 0, false
}
