// Package mfg reads the config and values CSVs of ESP-IDF's mfg_gen.py
// (tools/mass_mfg, now esp-idf-nvs-partition-gen's esp_idf_nvs_partition_gen/mfg_gen)
// and turns them, row by row, into the nvs_partition_gen CSV rows and the file stem
// mfg_gen gives each device. Two callers share it so they cannot drift apart: the
// mfg_gen.py drop-in (internal/dropin), which is byte-exact with the reference and
// words its errors as the reference does, and `espcompose init --from-mfg`, which
// names file:line instead. Only the standard library is used.
package mfg

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Row is one record of a CSV without its blank lines, as mfg_gen's
// strip_blank_lines and csv.reader see it, and the file line it starts on.
type Row struct {
	Line   int
	Fields []string
}

// ReadRows reads a CSV as Python's csv.reader does (ragged rows, lenient quotes),
// dropping whitespace-only lines first as mfg_gen does. Line numbers are the file's.
func ReadRows(b []byte) ([]Row, error) {
	var kept []string
	var lineOf []int // file line of each kept line
	for i, line := range strings.SplitAfter(string(b), "\n") {
		if strings.TrimSpace(line) != "" {
			kept = append(kept, line)
			lineOf = append(lineOf, i+1)
		}
	}
	r := csv.NewReader(strings.NewReader(strings.Join(kept, "")))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var rows []Row
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return rows, nil
		}
		at, _ := r.FieldPos(0)
		line := 0
		if at >= 1 && at <= len(lineOf) {
			line = lineOf[at-1]
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && pe.StartLine >= 1 && pe.StartLine <= len(lineOf) {
				return nil, fmt.Errorf("line %d: %v", lineOf[pe.StartLine-1], pe.Err)
			}
			return nil, err
		}
		rows = append(rows, Row{Line: line, Fields: rec})
	}
}

// Encodings are the encodings mfg_gen's verify_datatype_encoding accepts.
var Encodings = []string{"string", "binary", "hex2bin", "u8", "i8", "u16", "u32", "i32", "u64", "i64", "base64"}

// Kind says which of mfg_gen's checks an input failed.
type Kind int

const (
	// ConfigEmpty and ValuesEmpty: a file with no rows.
	ConfigEmpty Kind = iota + 1
	ValuesEmpty
	// FileIDMissing: --fileid names no column of the values header.
	FileIDMissing
	// MissingData: a config row without exactly key,type,encoding.
	MissingData
	// BadType: a config row whose type is not file, data or namespace.
	BadType
	// BadEncoding: a data or file row whose encoding is not in Encodings.
	BadEncoding
	// KeysMissing: config keys not found, in order, in the values header (Missing).
	KeysMissing
	// ValueCount: a values row with another number of fields than the header.
	ValueCount
)

// Error is a failed check. Index is the 1-based position among the non-blank rows,
// which is what the reference calls "line no"; Line is the file's own line.
type Error struct {
	Kind    Kind
	Index   int
	Line    int
	Key     string
	Missing []Error // KeysMissing: one per key not found
}

func (e *Error) Error() string {
	switch e.Kind {
	case ConfigEmpty:
		return "config file is empty"
	case ValuesEmpty:
		return "values file is empty"
	case FileIDMissing:
		return fmt.Sprintf("--fileid %q is not a column of the values header", e.Key)
	case MissingData:
		return fmt.Sprintf("line %d: data missing (want key,type,encoding[,REPEAT])", e.Line)
	case BadType:
		return fmt.Sprintf("line %d: invalid type (want data, file or namespace)", e.Line)
	case BadEncoding:
		return fmt.Sprintf("line %d: unknown encoding (want one of %s)", e.Line, strings.Join(Encodings, ", "))
	case KeysMissing:
		var b strings.Builder
		for i, m := range e.Missing {
			if i > 0 {
				b.WriteString("; ")
			}
			fmt.Fprintf(&b, "line %d: key %q is not a column of the values file (or not in the config's order)", m.Line, m.Key)
		}
		return b.String()
	case ValueCount:
		return fmt.Sprintf("line %d: number of values is not the number of keys in the header", e.Line)
	}
	return "invalid mfg_gen input"
}

// Batch is a checked config and values pair.
type Batch struct {
	Config     []Row
	Header     []string   // the values file's first row
	HeaderLine int        // its file line
	Values     []Row      // the rows after the header, REPEAT columns already filled
	Repeat     []string   // config keys marked REPEAT, in config order
	ConfRows   [][]string // config rows without their REPEAT marker
	ConfLines  []int      // file line of each ConfRows entry
}

// Check runs mfg_gen's checks in its order and returns the batch with REPEAT
// columns filled as mfg_gen fills them: every row after the first takes the first
// row's value. fileid is --fileid ("" when not given). The values rows are copied.
func Check(conf, values []Row, fileid string) (*Batch, error) {
	if len(conf) == 0 {
		return nil, &Error{Kind: ConfigEmpty}
	}
	if len(values) == 0 {
		return nil, &Error{Kind: ValuesEmpty}
	}
	b := &Batch{Config: conf, Header: values[0].Fields, HeaderLine: values[0].Line}
	var confKeys []string
	for _, row := range conf {
		if !slices.Contains(row.Fields, "namespace") {
			confKeys = append(confKeys, row.Fields[0])
		}
		if slices.Contains(row.Fields, "REPEAT") {
			b.Repeat = append(b.Repeat, row.Fields[0])
		}
	}
	if fileid != "" && !slices.Contains(b.Header, fileid) {
		return nil, &Error{Kind: FileIDMissing, Key: fileid}
	}
	for i, row := range conf {
		if len(row.Fields) != 3 && !slices.Contains(b.Repeat, row.Fields[0]) {
			return nil, &Error{Kind: MissingData, Index: i + 1, Line: row.Line, Key: row.Fields[0]}
		}
	}
	for i, row := range conf {
		f := row.Fields
		if len(f) < 2 || !slices.Contains([]string{"file", "data", "namespace"}, f[1]) {
			return nil, &Error{Kind: BadType, Index: i + 1, Line: row.Line, Key: f[0]}
		}
		if !slices.Contains(f, "namespace") && (len(f) < 3 || !slices.Contains(Encodings, f[2])) {
			return nil, &Error{Kind: BadEncoding, Index: i + 1, Line: row.Line, Key: f[0]}
		}
	}
	// verify_keys_exist: the config's keys appear in the values header in order.
	var present []string
	for _, k := range b.Header {
		if slices.Contains(confKeys, k) {
			present = append(present, k)
		}
	}
	var missing []Error
	for i, row := range conf {
		if slices.Contains(row.Fields, "namespace") {
			continue
		}
		if len(present) > 0 && row.Fields[0] == present[0] {
			present = present[1:]
			continue
		}
		missing = append(missing, Error{Kind: KeysMissing, Index: i + 1, Line: row.Line, Key: row.Fields[0]})
	}
	if len(missing) > 0 {
		return nil, &Error{Kind: KeysMissing, Line: missing[0].Line, Missing: missing}
	}
	for i, row := range values[1:] {
		if len(row.Fields) != len(b.Header) {
			return nil, &Error{Kind: ValueCount, Index: i + 2, Line: row.Line}
		}
	}
	for _, row := range conf {
		r := slices.Clone(row.Fields)
		if i := slices.Index(r, "REPEAT"); i >= 0 {
			r = slices.Delete(r, i, i+1)
		}
		b.ConfRows = append(b.ConfRows, r)
		b.ConfLines = append(b.ConfLines, row.Line)
	}
	for _, row := range values[1:] {
		b.Values = append(b.Values, Row{Line: row.Line, Fields: slices.Clone(row.Fields)})
	}
	// REPEAT keys take the first row's value in every row.
	if len(b.Repeat) > 0 && len(b.Values) > 1 {
		first := b.Values[0].Fields
		for _, row := range b.Values[1:] {
			rep := slices.Clone(b.Repeat)
			for i := 0; i < len(row.Fields) && len(rep) > 0; i++ {
				if i < len(b.Header) && b.Header[i] == rep[0] {
					if i < len(first) {
						row.Fields[i] = first[i]
					}
					rep = rep[1:]
				}
			}
		}
	}
	return b, nil
}

// Naming is how mfg_gen names each device's files: PREFIX-ID, or with
// --prefix_num START DIGITS, PREFIX-<START zero-padded to DIGITS, counting up>-ID.
type Naming struct {
	Prefix       string
	FileID       string // --fileid; "" numbers the devices from 1
	PrefixNum    bool
	PrefixStart  int
	PrefixDigits int
}

// Device is one values row as mfg_gen writes it.
type Device struct {
	Line int    // file line of the values row
	ID   string // the --fileid value, or the counter
	Stem string // PREFIX-ID: csv/<Stem>.csv, bin/<Stem>.bin, keys/keys-<Stem>.bin
	// Rows are the nvs_partition_gen CSV rows after the key,type,encoding,value
	// header: a namespace row is {name, "namespace", "", ""}.
	Rows [][]string
	// Columns gives, for each of Rows, the values-header column its value came from
	// (-1 for a namespace row).
	Columns []int
	// Err is set when the reference fails on this row (after writing the ones
	// before it): the config names a key that pairing cannot find.
	Err error
}

// Devices expands each values row into its device, in file order.
func (b *Batch) Devices(n Naming) []Device {
	var out []Device
	id := "0"
	num := n.PrefixStart
	for _, row := range b.Values {
		type pair struct {
			k, v string
			col  int
		}
		pairs := make([]pair, 0, len(b.Header))
		for i := 0; i < len(b.Header) || i < len(row.Fields); i++ {
			p := pair{col: i}
			if i < len(b.Header) {
				p.k = b.Header[i]
			}
			if i < len(row.Fields) {
				p.v = row.Fields[i]
			}
			pairs = append(pairs, p)
		}
		// get_fileid_val: the value of the first pair holding the identifier (as a
		// key or a value); without --fileid, a counter from 1.
		found := false
		if n.FileID != "" {
			for _, p := range pairs {
				if p.k == n.FileID || p.v == n.FileID {
					id, found = p.v, true
					break
				}
			}
		}
		if !found {
			c, _ := strconv.Atoi(id)
			id = strconv.Itoa(c + 1)
		}
		d := Device{Line: row.Line, ID: id, Stem: n.Prefix + "-" + id}
		if n.PrefixNum {
			d.Stem = fmt.Sprintf("%s-%0*d-%s", n.Prefix, n.PrefixDigits, num, id)
			num++
		}
		rest := pairs
		for _, cr := range b.ConfRows {
			if slices.Contains(cr, "namespace") {
				d.Rows = append(d.Rows, append(slices.Clone(cr), ""))
				d.Columns = append(d.Columns, -1)
				continue
			}
			for len(rest) > 0 && rest[0].k != cr[0] && rest[0].v != cr[0] {
				rest = rest[1:]
			}
			if len(rest) == 0 {
				d.Err = fmt.Errorf("list index out of range")
				break
			}
			d.Rows = append(d.Rows, append(slices.Clone(cr), rest[0].v))
			d.Columns = append(d.Columns, rest[0].col)
			rest = rest[1:]
		}
		out = append(out, d)
	}
	return out
}

// CSV is the device's nvs_partition_gen CSV as mfg_gen writes it (csv/<Stem>.csv).
func (d *Device) CSV() []byte {
	var b bytes.Buffer
	WriteCSVRow(&b, []string{"key", "type", "encoding", "value"})
	for _, r := range d.Rows {
		WriteCSVRow(&b, r)
	}
	return b.Bytes()
}

// WriteCSVRow writes one row as Python's csv.writer does: minimal quoting, \r\n.
func WriteCSVRow(w *bytes.Buffer, row []string) {
	for i, f := range row {
		if i > 0 {
			w.WriteByte(',')
		}
		if strings.ContainsAny(f, ",\"\r\n") {
			w.WriteByte('"')
			w.WriteString(strings.ReplaceAll(f, `"`, `""`))
			w.WriteByte('"')
		} else {
			w.WriteString(f)
		}
	}
	w.WriteString("\r\n")
}
