package nvs

import (
	"iter"
	"math/bits"
	"strings"
)

// csvRecords yields the records of text, each with the physical line it starts
// on, the way nvs_partition_gen reads a CSV: universal newlines (\r\n and \r
// become \n), lines starting with '#' dropped before csv.reader sees them
// (even inside a quoted field), line numbers counting every physical line.
// An empty line is a record with no fields. The fields slice is reused from
// one record to the next; the strings in it are not.
//
// The parsing is Python's csv.reader with the default "excel" dialect in its
// non-strict mode: a quote opens a quoted field only at the start of a field,
// a stray quote elsewhere is kept, text after a closing quote is appended
// unquoted, and a quoted field left open at the end of the text is returned.
//
// It is CPython's state machine, run over whole stretches of bytes instead of
// one rune at a time: the only bytes that matter are ',', '"' and '\n', all
// ASCII, so multi-byte UTF-8 passes through untouched; a field that needs no
// unquoting is a substring of text, and the others share one buffer, so
// reading allocates a handful of times per file, not per field. The rune-at-a-time
// version made CSV reading most of `nvs encode`; pycsv_oracle_test.go keeps it
// and checks this one against it.
func csvRecords(text string) iter.Seq2[int, []string] {
	if strings.IndexByte(text, '\r') >= 0 {
		text = strings.ReplaceAll(text, "\r\n", "\n")
		text = strings.ReplaceAll(text, "\r", "\n")
	}
	return func(yield func(int, []string) bool) {
		n := len(text)
		fields := make([]string, 0, 8)
		// Quoted fields that need unquoting (a doubled quote, a newline, text
		// after the closing quote) are written into one arena, sized once for
		// the rest of the text: each byte of text is written at most once.
		var arena strings.Builder
		line := 1 // the physical line pos is on
		pos := 0
		for {
			pos, line = skipComments(text, pos, line)
			if pos >= n {
				return
			}
			start := line
			fields = fields[:0]
			if text[pos] == '\n' {
				pos++
				line++
				if !yield(start, nil) {
					return
				}
				continue
			}
			// Each pass reads one field starting at pos; end is the ',', '\n'
			// or n that ends it.
			for {
				var end int
				if pos >= n || text[pos] != '"' {
					end = unquotedEnd(text, pos)
					fields = append(fields, text[pos:end])
				} else {
					if arena.Cap() == 0 {
						arena.Grow(n - pos)
					}
					var f string
					f, end, line = readQuoted(text, pos+1, line, &arena)
					fields = append(fields, f)
					if end < 0 {
						// Still open at the end of the text: the field is what was read.
						yield(start, fields)
						return
					}
				}
				pos = end + 1
				if end < n && text[end] == ',' {
					continue
				}
				if end < n {
					line++
				}
				break
			}
			if !yield(start, fields) {
				return
			}
		}
	}
}

// csvStop marks the bytes that end an unquoted stretch.
var csvStop = [256]bool{',': true, '\n': true}

// unquotedEnd returns the index of the first ',' or '\n' at or after i, or
// len(text). Unquoted fields are mostly a few bytes long, where a table
// lookup per byte measured faster than indexEither.
func unquotedEnd(text string, i int) int {
	for i < len(text) && !csvStop[text[i]] {
		i++
	}
	return i
}

// indexEither returns the index of the first a or b at or after i, or
// len(text). It tests eight bytes at a time (the classic "has a zero byte"
// trick on the word XORed with each target); quoted values, longer than the
// rest, gain from it, and a call into strings.IndexAny costs more than it saves.
func indexEither(text string, i int, a, b byte) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	ma, mb := lo*uint64(a), lo*uint64(b)
	for ; i+8 <= len(text); i += 8 {
		s := text[i : i+8]
		w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		xa, xb := w^ma, w^mb
		// The lowest flagged byte is exact; borrows only flag bytes above it.
		if t := ((xa - lo) &^ xa & hi) | ((xb - lo) &^ xb & hi); t != 0 {
			return i + bits.TrailingZeros64(t)/8
		}
	}
	for ; i < len(text); i++ {
		if c := text[i]; c == a || c == b {
			return i
		}
	}
	return len(text)
}

// skipComments steps over the '#' lines starting at pos, counting them in line.
func skipComments(text string, pos, line int) (int, int) {
	for pos < len(text) && text[pos] == '#' {
		j := strings.IndexByte(text[pos:], '\n')
		if j < 0 {
			return len(text), line
		}
		pos += j + 1
		line++
	}
	return pos, line
}

// readQuoted reads the quoted field whose text starts at i (just after the
// opening quote). It returns the field, the index of the ',', '\n' or
// len(text) that ends it (or -1 when the text ends inside the quotes), and
// line advanced past the newlines inside; '#' lines inside the quotes are
// dropped, as the reference drops them before csv.reader sees them. A field
// that had to be unquoted is written to arena and shares its memory.
func readQuoted(text string, i, line int, arena *strings.Builder) (string, int, int) {
	n := len(text)
	first := i    // where the field's text starts while it is one stretch
	whole := true // the field so far is text[first:j]: no newline, no doubled quote
	from := arena.Len()
	// done returns the field ending at j: a substring of text while it is
	// one stretch, else what was written to the arena.
	done := func(j int) string {
		if whole {
			return text[first:j]
		}
		return arena.String()[from:]
	}
	for {
		j := indexEither(text, i, '"', '\n')
		switch {
		case j >= n:
			arena.WriteString(text[i:])
			return done(n), -1, line
		case text[j] == '\n':
			arena.WriteString(text[i : j+1])
			whole = false
			i, line = skipComments(text, j+1, line+1)
			continue
		}
		// A quote at j: doubled, closing the field, or followed by more text.
		arena.WriteString(text[i:j])
		k := j + 1
		if k < n && text[k] == '"' {
			arena.WriteByte('"')
			whole = false
			i = k + 1
			continue
		}
		if k >= n || csvStop[text[k]] {
			return done(j), k, line
		}
		// Text after the closing quote joins the field up to ',' or the line's end.
		end := unquotedEnd(text, k)
		arena.WriteString(text[k:end])
		whole = false
		return done(end), end, line
	}
}
