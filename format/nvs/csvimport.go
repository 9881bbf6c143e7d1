package nvs

import (
	"crypto/pbkdf2"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/espcompose/espcompose/internal/textpos"
)

// CSVImporter turns nvs_partition_gen CSV files into a Partition. Several
// files may be added in turn; like the reference tool, state (namespaces, the
// Wi-Fi key quirk) carries over from one file to the next.
//
// The reference's row semantics are reproduced so images stay byte-identical:
//   - a namespace row for an already-seen namespace writes nothing and, as in
//     nvs_partition_gen 0.2.0, does NOT switch back: later rows keep going to
//     the most recently created namespace;
//   - rows whose key is sta.ssid or sta.pswd are written as data rows and the
//     first one adds sta.apinfo, sta.pmk and sta.apsw blobs; once ap.ssid,
//     ap.passwd and a non-"0" ap.authmode are all known, each further ap.* row
//     is preceded by an ap.pmk_info blob (100 zero bytes + PBKDF2 PMK);
//   - lines starting with '#' are dropped before CSV parsing.
type CSVImporter struct {
	// Files resolves the paths of "file" rows, relative to the CSV's directory.
	Files fs.FS
	// Version, when set (1 or 2), checks each row's length limits for that format
	// version as it is read, so a value too long is reported on its own CSV line;
	// 0 leaves them to Encode, which does not know the line.
	Version int
	// ReadFile, when set, reads "file" rows by the path as the CSV writes it, instead
	// of through Files with its CSV-relative rule: nvs_partition_gen resolves them
	// from the working directory (ESP-IDF runs it from build/, and projects write
	// ../main/cert.pem), and the drop-in does the same.
	ReadFile func(name string) ([]byte, error)
	// Stream, when set, is handed the rows as they are imported, in batches, in
	// import order, instead of the Partition keeping them (Partition then lists the
	// namespaces without entries), so another goroutine may lay them out (Layout)
	// while Add is still reading; Add hands over the last rows of its file before it
	// returns. The importer leaves a batch's entries alone from then on. Stream may
	// return the Entries of a batch handed over earlier that its consumer is done
	// with, for the importer to fill again, or nil: a fresh process pays for every
	// page of memory it touches, and a batch in flight is all the room rows need.
	Stream func(Batch) (reuse []Entry)

	part     Partition
	seen     map[string]bool
	cur      int // index into part.Namespaces of the latest namespace, -1 before any
	staDone  bool
	apSSID   *string
	apPasswd *string
	apAuth   *string

	// spare is room for entries, reserved once per file from its line count:
	// a namespace's entries follow one another in import order (a namespace row
	// never switches back), so each namespace takes the spare room after the
	// previous one's entries instead of growing a slice of its own entry by entry.
	spare []Entry
	// blobs is where hex2bin values are decoded, so a row costs no allocation of
	// its own; each value is a full slice of it (no room to append into).
	blobs []byte

	pending []Entry // rows of the latest namespace not yet handed to Stream
	begun   bool    // whether Stream has been told the latest namespace began
}

// Batch is a run of imported entries of one namespace, handed to CSVImporter.Stream.
type Batch struct {
	// Namespace names the namespace the entries belong to; when Begins is set it
	// begins here, before its entries.
	Namespace string
	Begins    bool
	Entries   []Entry
}

// streamBatch is how many entries the importer gathers before handing them to
// Stream: enough that the hand-over costs little per entry, few enough that the
// layout starts early.
const streamBatch = 256

// flush hands the rows not yet handed over to Stream, and an empty namespace's start.
func (im *CSVImporter) flush() {
	if im.Stream == nil || im.cur < 0 || (im.begun && len(im.pending) == 0) {
		return
	}
	reuse := im.Stream(Batch{Namespace: im.part.Namespaces[im.cur].Name, Begins: !im.begun, Entries: im.pending})
	im.begun = true
	if cap(reuse) >= streamBatch {
		im.pending = reuse[:0]
	} else {
		im.pending = make([]Entry, 0, streamBatch)
	}
}

// NewCSVImporter returns an importer resolving file rows in files (may be nil
// when no row references a file).
func NewCSVImporter(files fs.FS) *CSVImporter {
	return &CSVImporter{Files: files, seen: map[string]bool{}, cur: -1}
}

// ParseCSV imports one CSV file. name labels errors ("name:line").
func ParseCSV(r io.Reader, name string, files fs.FS) (*Partition, error) {
	im := NewCSVImporter(files)
	if err := im.Add(r, name); err != nil {
		return nil, err
	}
	return im.Partition(), nil
}

// Partition returns the entries imported so far.
func (im *CSVImporter) Partition() *Partition { return &im.part }

type rowError struct {
	pos string
	err error
}

func (e *rowError) Error() string { return e.pos + ": " + e.err.Error() }
func (e *rowError) Unwrap() error { return e.err }

// Add imports the rows of one CSV file.
func (im *CSVImporter) Add(r io.Reader, name string) error {
	// A strings.Builder takes the bytes without the copy string(raw) would make.
	var sb strings.Builder
	if _, err := io.Copy(&sb, r); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return im.AddString(sb.String(), name)
}

// AddString imports the rows of one CSV file held in text; the entries refer to
// text rather than copy out of it.
func (im *CSVImporter) AddString(text, name string) error {
	if !utf8.ValidString(text) {
		at, _ := textpos.InvalidUTF8([]byte(text))
		return fmt.Errorf("%w: %s:%d: not valid UTF-8 (byte offset %d); nvs_partition_gen reads CSV as UTF-8", ErrCSV, name, at.Line, at.Byte)
	}
	im.reserve(strings.Count(text, "\n") + 1)
	var cols *columns
	for line, fields := range csvRecords(text) {
		if len(fields) == 0 {
			continue
		}
		if cols == nil {
			if err := checkHeader(fields); err != nil {
				return &rowError{fmt.Sprintf("%s:%d", name, line), err}
			}
			cols = newColumns(fields)
			continue
		}
		if err := im.addRow(cols.get(fields, colKey), cols.get(fields, colType), cols.get(fields, colEncoding), cols.get(fields, colValue)); err != nil {
			return &rowError{fmt.Sprintf("%s:%d", name, line), err}
		}
	}
	im.flush()
	return nil
}

// The columns a row is read through, in the order of columnNames.
const (
	colKey = iota
	colType
	colEncoding
	colValue
)

var columnNames = [...]string{"key", "type", "encoding", "value"}

// columns records where the header puts each column. The reference reads a
// row into a dict keyed by the header, so when a name repeats the last
// occurrence the row reaches wins, and a column the row is too short for is
// None.
type columns [len(columnNames)][]int

func newColumns(header []string) *columns {
	var c columns
	for i, h := range header {
		for k, name := range columnNames {
			if h == name {
				c[k] = append(c[k], i)
			}
		}
	}
	return &c
}

// get returns the field of column k in fields, or nil when the row has none.
func (c *columns) get(fields []string, k int) *string {
	idx := c[k]
	for j := len(idx) - 1; j >= 0; j-- {
		if idx[j] < len(fields) {
			return &fields[idx[j]]
		}
	}
	return nil
}

func checkHeader(h []string) error {
	have := map[string]bool{}
	for _, f := range h {
		have[f] = true
	}
	for _, need := range columnNames {
		if !have[need] {
			return fmt.Errorf("%w: header lacks column %q (want key,type,encoding,value)", ErrCSV, need)
		}
	}
	return nil
}

func (im *CSVImporter) addRow(key, typ, enc, val *string) error {
	if key == nil || typ == nil {
		return fmt.Errorf("%w: row has too few columns", ErrCSV)
	}
	if err := checkKey(*key); err != nil {
		return err
	}
	k := *key
	if k == "ap.ssid" || k == "ap.passwd" || k == "ap.authmode" {
		im.noteAP(k, val)
		if im.apSSID != nil && im.apPasswd != nil && im.apAuth != nil {
			pmk, err := pbkdf2.Key(sha1.New, *im.apPasswd, []byte(*im.apSSID), 4096, 32)
			if err != nil {
				return err
			}
			info := append(make([]byte, 100), pmk...)
			if err := im.add(Entry{Key: "ap.pmk_info", Type: Blob, Blob: info}); err != nil {
				return err
			}
		}
	}
	if k == "sta.ssid" || k == "sta.pswd" {
		// The reference writes these as data rows whatever their type column says.
		e, err := im.dataEntry(k, enc, val)
		if err != nil {
			return err
		}
		if err := im.add(e); err != nil {
			return err
		}
		if !im.staDone {
			im.staDone = true
			for _, x := range []Entry{
				{Key: "sta.apinfo", Type: Blob, Blob: fill(140, 0xff)},
				{Key: "sta.pmk", Type: Blob, Blob: make([]byte, 32)},
				{Key: "sta.apsw", Type: Blob, Blob: make([]byte, 2)},
			} {
				if err := im.add(x); err != nil {
					return err
				}
			}
		}
		return nil
	}
	switch *typ {
	case "namespace":
		return im.namespace(k)
	case "data":
		e, err := im.dataEntry(k, enc, val)
		if err != nil {
			return err
		}
		return im.add(e)
	case "file":
		e, err := im.fileEntry(k, enc, val)
		if err != nil {
			return err
		}
		return im.add(e)
	}
	return fmt.Errorf("%w: type %q (want namespace, data or file)", ErrCSV, *typ)
}

func fill(n int, b byte) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}

func (im *CSVImporter) noteAP(k string, val *string) {
	v := ""
	if val != nil {
		v = *val
	}
	set := func(p **string) {
		if v == "" {
			*p = nil // the reference tests truthiness
		} else {
			*p = &v
		}
	}
	switch k {
	case "ap.ssid":
		set(&im.apSSID)
	case "ap.passwd":
		set(&im.apPasswd)
	case "ap.authmode":
		if v != "0" {
			set(&im.apAuth)
		}
	}
}

func (im *CSVImporter) namespace(name string) error {
	if im.seen[name] {
		// The reference writes nothing and keeps the latest namespace current.
		return nil
	}
	if len(im.part.Namespaces) >= MaxNamespaces {
		return fmt.Errorf("%w: namespace %q would be number %d", ErrTooManyNS, name, len(im.part.Namespaces)+1)
	}
	im.flush() // the latest namespace's last rows, before the new one begins
	if im.Stream != nil {
		im.part.Namespaces = append(im.part.Namespaces, Namespace{Name: name})
		im.cur = len(im.part.Namespaces) - 1
		im.seen[name] = true
		im.begun = false
		return nil
	}
	// The new namespace's entries go into the room after the current one's, which
	// is cut to its length so nothing appended to it could reach them.
	spare := im.spare
	if im.cur >= 0 {
		prev := &im.part.Namespaces[im.cur]
		n := len(prev.Entries)
		spare = prev.Entries[n:n]
		prev.Entries = prev.Entries[:n:n]
	}
	im.spare = nil
	im.part.Namespaces = append(im.part.Namespaces, Namespace{Name: name, Entries: spare})
	im.cur = len(im.part.Namespaces) - 1
	im.seen[name] = true
	return nil
}

// reserve makes room for rows more entries in the current namespace, or in the
// first one when none exists yet.
func (im *CSVImporter) reserve(rows int) {
	if im.Stream != nil {
		return // rows are handed over, not kept
	}
	if im.cur < 0 {
		if cap(im.spare) < rows {
			im.spare = make([]Entry, 0, rows)
		}
		return
	}
	ns := &im.part.Namespaces[im.cur]
	if cap(ns.Entries)-len(ns.Entries) < rows {
		grown := make([]Entry, len(ns.Entries), len(ns.Entries)+rows)
		copy(grown, ns.Entries)
		ns.Entries = grown
	}
}

// hexValue decodes a hex2bin value into the importer's blob buffer.
func (im *CSVImporter) hexValue(key, s string) ([]byte, error) {
	if len(s)%2 != 0 {
		return nil, fmt.Errorf("%w: %s: Invalid data length. Should be multiple of 2.", ErrValue, key)
	}
	n := len(s) / 2
	if cap(im.blobs)-len(im.blobs) < n {
		im.blobs = make([]byte, 0, max(n, 64<<10))
	}
	at := len(im.blobs)
	b := im.blobs[at : at+n : at+n]
	if _, err := hex.Decode(b, []byte(s)); err != nil {
		return nil, fmt.Errorf("%w: %s: non-hexadecimal digit found", ErrValue, key)
	}
	im.blobs = im.blobs[:at+n]
	return b, nil
}

func (im *CSVImporter) add(e Entry) error {
	if im.cur < 0 {
		return fmt.Errorf("%w: key `%s` comes before any namespace row", ErrCSV, e.Key)
	}
	version := im.Version
	if version == 0 {
		version = 2
	}
	// The key was checked with its row (addRow), or is one of the reference's own.
	if err := checkValue(&e, version); err != nil && (im.Version != 0 || !errors.Is(err, ErrTooLong)) {
		// Without a version, length limits are Encode's to check.
		return err
	}
	if im.Stream != nil {
		im.pending = append(im.pending, e)
		if len(im.pending) >= streamBatch {
			im.flush()
		}
		return nil
	}
	ns := &im.part.Namespaces[im.cur]
	ns.Entries = append(ns.Entries, e)
	return nil
}

var fillRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(blob_fill|blob_sz_fill)\(([0-9]+);(0x[0-9a-fA-F]{2})\)`)
})

func (im *CSVImporter) dataEntry(key string, enc, val *string) (Entry, error) {
	if enc == nil {
		return Entry{}, fmt.Errorf("%w: key `%s`: no encoding column", ErrCSV, key)
	}
	if val == nil {
		return Entry{}, fmt.Errorf("%w: key `%s`: no value column", ErrCSV, key)
	}
	e, v := *enc, *val
	if strings.HasPrefix(e, "blob_fill") || strings.HasPrefix(e, "blob_sz_fill") {
		return blobFill(key, e, v)
	}
	switch e {
	case "string":
		return Entry{Key: key, Type: String, Str: v}, nil
	case "hex2bin":
		b, err := im.hexValue(key, strings.TrimSpace(v))
		return Entry{Key: key, Type: Blob, Blob: b}, err
	case "base64":
		b, err := decodePyBase64(key, []byte(v))
		return Entry{Key: key, Type: Blob, Blob: b}, err
	case "binary":
		return Entry{Key: key, Type: Blob, Blob: []byte(v)}, nil
	}
	if t, ok := intType(e); ok {
		return parseInt(key, t, v)
	}
	return Entry{}, fmt.Errorf("%w: %q for key `%s`", ErrEncoding, e, key)
}

// intType reads an integer encoding, in any letter case as the reference does.
// A switch, not a map: it is looked up on every integer row.
func intType(enc string) (Type, bool) {
	switch enc {
	case "u8":
		return U8, true
	case "i8":
		return I8, true
	case "u16":
		return U16, true
	case "i16":
		return I16, true
	case "u32":
		return U32, true
	case "i32":
		return I32, true
	case "u64":
		return U64, true
	case "i64":
		return I64, true
	}
	if lower := strings.ToLower(enc); lower != enc {
		return intType(lower)
	}
	return 0, false
}

func (im *CSVImporter) fileEntry(key string, enc, val *string) (Entry, error) {
	if enc == nil || val == nil {
		return Entry{}, fmt.Errorf("%w: key `%s`: missing encoding or value column", ErrCSV, key)
	}
	name := *val
	var b []byte
	var err error
	if im.ReadFile != nil {
		if b, err = im.ReadFile(name); err != nil {
			return Entry{}, fmt.Errorf("%w: key `%s`: %v", ErrValue, key, err)
		}
		return fileValue(key, *enc, b)
	}
	if im.Files == nil {
		return Entry{}, fmt.Errorf("%w: key `%s`: file %q: no file system given", ErrValue, key, name)
	}
	clean := path.Clean(strings.TrimPrefix(name, "./"))
	if path.IsAbs(name) || !fs.ValidPath(clean) {
		return Entry{}, fmt.Errorf("%w: key `%s`: file path %q must be relative and stay inside the CSV's directory", ErrValue, key, name)
	}
	b, err = fs.ReadFile(im.Files, clean)
	if err != nil {
		return Entry{}, fmt.Errorf("%w: key `%s`: %v", ErrValue, key, err)
	}
	return fileValue(key, *enc, b)
}

// fileValue decodes a "file" row's content by its encoding.
func fileValue(key, enc string, b []byte) (Entry, error) {
	switch enc {
	case "string":
		return Entry{Key: key, Type: String, Str: string(b)}, nil
	case "hex2bin":
		h, err := decodeHex(key, strings.Trim(string(b), " \t\n\r\v\f"))
		return Entry{Key: key, Type: Blob, Blob: h}, err
	case "base64":
		d, err := decodePyBase64(key, b)
		return Entry{Key: key, Type: Blob, Blob: d}, err
	case "binary":
		return Entry{Key: key, Type: Blob, Blob: b}, nil
	}
	return Entry{}, fmt.Errorf("%w: %q for file key `%s` (want string, hex2bin, base64 or binary)", ErrEncoding, enc, key)
}

func decodeHex(key, s string) ([]byte, error) {
	if len(s)%2 != 0 {
		return nil, fmt.Errorf("%w: %s: Invalid data length. Should be multiple of 2.", ErrValue, key)
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: non-hexadecimal digit found", ErrValue, key)
	}
	return b, nil
}

// parseInt accepts what Python's int() accepts for ASCII input: surrounding
// whitespace, a sign, and single underscores between digits.
func parseInt(key string, t Type, s string) (Entry, error) {
	if v, ok := plainDecimal(s); ok {
		// Most values are plain digits in range: no trimming, no underscores, and
		// nothing to report. The rest, and every error, take the general path.
		lo, hi := intBounds(t)
		switch {
		case t.signed() && v >= lo && (v <= 0 || uint64(v) <= hi):
			return Entry{Key: key, Type: t, Int: v}, nil
		case !t.signed() && v >= 0 && uint64(v) <= hi:
			return Entry{Key: key, Type: t, Uint: uint64(v)}, nil
		}
	}
	return parseIntGeneral(key, t, s)
}

// parseIntGeneral is parseInt for any input, with the errors it reports.
func parseIntGeneral(key string, t Type, s string) (Entry, error) {
	s = strings.TrimSpace(s)
	digits := strings.TrimLeft(s, "+-")
	if len(s)-len(digits) > 1 || digits == "" || digits[0] == '_' || digits[len(digits)-1] == '_' || strings.Contains(digits, "__") {
		return Entry{}, fmt.Errorf("%w: key `%s`: %q is not a decimal integer", ErrValue, key, s)
	}
	clean := strings.ReplaceAll(s, "_", "")
	e := Entry{Key: key, Type: t}
	lo, hi := intBounds(t)
	if t.signed() {
		v, err := strconv.ParseInt(clean, 10, 64)
		if err != nil || v < lo || (v > 0 && uint64(v) > hi) {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrSyntax {
				return e, fmt.Errorf("%w: key `%s`: %q is not a decimal integer", ErrValue, key, s)
			}
			return e, fmt.Errorf("%w: key `%s`: %s out of range for %s [%d, %d]", ErrRange, key, s, t, lo, hi)
		}
		e.Int = v
		return e, nil
	}
	neg := strings.HasPrefix(clean, "-")
	v, err := strconv.ParseUint(strings.TrimLeft(clean, "+-"), 10, 64)
	if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrSyntax {
		return e, fmt.Errorf("%w: key `%s`: %q is not a decimal integer", ErrValue, key, s)
	}
	if err != nil || v > hi || (neg && v != 0) {
		return e, fmt.Errorf("%w: key `%s`: %s out of range for %s [0, %d]", ErrRange, key, s, t, hi)
	}
	e.Uint = v
	return e, nil
}

// plainDecimal reads s when it is an optional '-' and 1 to 18 ASCII digits, which
// Python's int() reads the same way and which cannot overflow an int64.
func plainDecimal(s string) (int64, bool) {
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	var v int64
	for i := 0; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		v = v*10 + int64(d)
	}
	if neg {
		v = -v
	}
	return v, true
}

// blobFill expands the blob_fill(N;0xPP) and blob_sz_fill(N;0xPP) encodings:
// the value padded to N bytes, the latter prefixed by its length as u32.
func blobFill(key, enc, val string) (Entry, error) {
	m := fillRE().FindStringSubmatch(enc)
	if m == nil {
		return Entry{}, fmt.Errorf("%w: %s: Invalid encoding format.", ErrEncoding, enc)
	}
	n, err := strconv.Atoi(m[2])
	if err != nil || n > MaxBlobV2 {
		return Entry{}, fmt.Errorf("%w: %s: length too large", ErrTooLong, enc)
	}
	pad, _ := strconv.ParseUint(m[3][2:], 16, 8)
	if len(val) > n {
		return Entry{}, fmt.Errorf("%w: %s: Value length exceeds specified length.", ErrTooLong, key)
	}
	var b []byte
	if m[1] == "blob_sz_fill" {
		b = []byte{byte(len(val)), byte(len(val) >> 8), byte(len(val) >> 16), byte(len(val) >> 24)}
	}
	b = append(b, val...)
	for i := len(val); i < n; i++ {
		b = append(b, byte(pad))
	}
	return Entry{Key: key, Type: Blob, Blob: b}, nil
}
