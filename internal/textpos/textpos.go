// Package textpos says where in a text its first byte that is not UTF-8 is, so every
// reader of text input (the manifest and its formatter, devices, NVS and partition
// table CSVs) can name the line, column and byte offset, as every error about bad
// input does. Standard library only: the byte codecs under format/ use it too.
package textpos

import "unicode/utf8"

// Pos is a place in a text: Line and Column count from 1 (a column is a character),
// Byte from 0.
type Pos struct {
	Line, Column, Byte int
}

// InvalidUTF8 returns where the first byte of b that does not begin a valid UTF-8
// sequence is; ok is false when b is all UTF-8.
func InvalidUTF8(b []byte) (at Pos, ok bool) {
	if utf8.Valid(b) {
		return Pos{}, false
	}
	at = Pos{Line: 1, Column: 1}
	for at.Byte < len(b) {
		c := b[at.Byte]
		n := 1
		if c >= utf8.RuneSelf {
			var r rune
			if r, n = utf8.DecodeRune(b[at.Byte:]); r == utf8.RuneError && n == 1 {
				return at, true
			}
		}
		at.Byte += n
		if c == '\n' {
			at.Line++
			at.Column = 1
		} else {
			at.Column++
		}
	}
	return Pos{}, false
}
