package nvs

import "strings"

// The CSV reader as it was before readCSV was rewritten for speed: a rune-by-rune
// transcription of CPython's csv.reader state machine. It is kept here, unchanged,
// as the oracle the fast reader is checked against.

// oracleReadCSV splits text into records the way nvs_partition_gen reads a CSV:
// universal newlines, lines starting with '#' dropped before csv.reader
// sees them, line numbers counting every physical line.
func oracleReadCSV(text string) []csvRecord {
	var kept []pyLine
	for _, l := range oracleSplitLines(text) {
		if !strings.HasPrefix(l.text, "#") {
			kept = append(kept, l)
		}
	}
	return oracleParsePyCSV(kept)
}

// pyLine is one physical line (newline included) and its 1-based number.
type pyLine struct {
	text string
	num  int
}

// oracleSplitLines applies Python's universal-newline reading: \r\n and \r become
// \n, and every line keeps its terminator.
func oracleSplitLines(text string) []pyLine {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	var out []pyLine
	for n := 1; text != ""; n++ {
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			out = append(out, pyLine{text, n})
			break
		}
		out = append(out, pyLine{text[:i+1], n})
		text = text[i+1:]
	}
	return out
}

// oracleParsePyCSV reproduces Python's csv.reader with the default "excel" dialect
// (non-strict: stray quotes are kept, text after a closing quote is
// appended). Records that are empty lines come back with no fields.
func oracleParsePyCSV(lines []pyLine) []csvRecord {
	const (
		startRecord = iota
		startField
		inField
		inQuoted
		quoteInQuoted
		eatCRNL
	)
	var (
		recs   []csvRecord
		fields []string
		field  strings.Builder
		state  = startRecord
		start  int
	)
	save := func() {
		fields = append(fields, field.String())
		field.Reset()
	}
	const eol = -1
	step := func(c rune) {
		switch state {
		case startRecord:
			if c == eol {
				return
			}
			if c == '\n' || c == '\r' {
				state = eatCRNL
				return
			}
			state = startField
			fallthrough
		case startField:
			switch {
			case c == '\n' || c == '\r' || c == eol:
				save()
				state = eatCRNL
				if c == eol {
					state = startRecord
				}
			case c == '"':
				state = inQuoted
			case c == ',':
				save()
			default:
				field.WriteRune(c)
				state = inField
			}
		case inField:
			switch {
			case c == '\n' || c == '\r' || c == eol:
				save()
				state = eatCRNL
				if c == eol {
					state = startRecord
				}
			case c == ',':
				save()
				state = startField
			default:
				field.WriteRune(c)
			}
		case inQuoted:
			switch {
			case c == eol:
			case c == '"':
				state = quoteInQuoted
			default:
				field.WriteRune(c)
			}
		case quoteInQuoted:
			switch {
			case c == '"':
				field.WriteRune(c)
				state = inQuoted
			case c == ',':
				save()
				state = startField
			case c == '\n' || c == '\r' || c == eol:
				save()
				state = eatCRNL
				if c == eol {
					state = startRecord
				}
			default:
				field.WriteRune(c)
				state = inField
			}
		case eatCRNL:
			if c == eol {
				state = startRecord
			}
		}
	}
	for _, l := range lines {
		if state == startRecord {
			start = l.num
			fields = nil
		}
		for _, c := range l.text {
			step(c)
		}
		step(eol)
		if state == startRecord {
			recs = append(recs, csvRecord{fields, start})
		}
	}
	if state != startRecord && (field.Len() > 0 || state == inQuoted) {
		save()
		recs = append(recs, csvRecord{fields, start})
	}
	return recs
}
