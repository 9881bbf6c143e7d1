package nvs

import (
	"iter"
	"strings"
)

// csvRecord is one parsed CSV record and the physical line it starts on.
type csvRecord struct {
	fields []string
	line   int
}

// readCSV returns every record of text (see csvRecords), each with its own
// fields slice.
func readCSV(text string) []csvRecord {
	var recs []csvRecord
	for line, fields := range csvRecords(text) {
		var own []string
		if len(fields) > 0 {
			own = append([]string(nil), fields...)
		}
		recs = append(recs, csvRecord{own, line})
	}
	return recs
}

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
// ASCII, so multi-byte UTF-8 passes through untouched, and a field without
// doubled quotes is a substring of text, not a copy. The rune-at-a-time
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
		var buf []byte // scratch for a field that needs unquoting
		line := 1      // the physical line pos is on
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
					var f string
					f, end, line = readQuoted(text, pos+1, line, &buf)
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
// len(text).
func unquotedEnd(text string, i int) int {
	for i < len(text) && !csvStop[text[i]] {
		i++
	}
	return i
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
// dropped, as the reference drops them before csv.reader sees them. buf is
// scratch space.
func readQuoted(text string, i, line int, buf *[]byte) (string, int, int) {
	n := len(text)
	b := (*buf)[:0]
	defer func() { *buf = b }()
	first := i    // where the field's text starts while it is one stretch
	whole := true // the field so far is text[first:j]: no newline, no doubled quote
	for {
		j := i
		for j < n && text[j] != '"' && text[j] != '\n' {
			j++
		}
		switch {
		case j >= n:
			if whole {
				return text[first:], -1, line
			}
			b = append(b, text[i:]...)
			return string(b), -1, line
		case text[j] == '\n':
			b = append(b, text[i:j+1]...)
			whole = false
			i, line = skipComments(text, j+1, line+1)
			continue
		}
		// A quote at j: doubled, closing the field, or followed by more text.
		b = append(b, text[i:j]...)
		k := j + 1
		if k < n && text[k] == '"' {
			b = append(b, '"')
			whole = false
			i = k + 1
			continue
		}
		if k >= n || csvStop[text[k]] {
			if whole {
				return text[first:j], k, line
			}
			return string(b), k, line
		}
		// Text after the closing quote joins the field up to ',' or the line's end.
		end := unquotedEnd(text, k)
		b = append(b, text[k:end]...)
		return string(b), end, line
	}
}
