package nvs

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/espcompose/espcompose/internal/textpos"
)

// oracleAdd is CSVImporter.Add as it was before the fast reader: the
// rune-at-a-time reader, a map per row keyed by the header, and the same
// addRow. Add must accept, reject and report exactly as it does. (Text that is not
// UTF-8 is since reported with its line and byte offset, here as there.)
func oracleAdd(im *CSVImporter, text, name string) error {
	if !utf8.ValidString(text) {
		at, _ := textpos.InvalidUTF8([]byte(text))
		return fmt.Errorf("%w: %s:%d: not valid UTF-8 (byte offset %d); nvs_partition_gen reads CSV as UTF-8", ErrCSV, name, at.Line, at.Byte)
	}
	var header []string
	for _, rec := range oracleReadCSV(text) {
		if len(rec.fields) == 0 {
			continue
		}
		pos := fmt.Sprintf("%s:%d", name, rec.line)
		if header == nil {
			header = rec.fields
			if err := checkHeader(header); err != nil {
				return &rowError{pos, err}
			}
			continue
		}
		row := map[string]*string{}
		for i, h := range header {
			if i < len(rec.fields) {
				row[h] = &rec.fields[i]
			} else if _, dup := row[h]; !dup {
				row[h] = nil
			}
		}
		if err := im.addRow(row["key"], row["type"], row["encoding"], row["value"]); err != nil {
			return &rowError{pos, err}
		}
	}
	return nil
}

var oracleFiles = fstest.MapFS{"f.bin": {Data: []byte("file bytes")}, "sub/g.txt": {Data: []byte("text")}}

// addSame reports how Add and oracleAdd differ on text, or "".
func addSame(text string) string {
	got, want := NewCSVImporter(oracleFiles), NewCSVImporter(oracleFiles)
	gerr, werr := got.Add(strings.NewReader(text), "x.csv"), oracleAdd(want, text, "x.csv")
	if fmt.Sprint(gerr) != fmt.Sprint(werr) {
		return fmt.Sprintf("error %v, oracle %v", gerr, werr)
	}
	if s := equalPartitions(got.Partition(), want.Partition()); s != "" {
		return "partition: " + s
	}
	return ""
}

func checkAddSame(t *testing.T, text string) {
	t.Helper()
	if s := addSame(text); s != "" {
		t.Fatalf("%s on %q", s, text)
	}
}

// randomImportCSV writes header and rows from pieces that hit the importer's
// paths: duplicate, missing and extra columns, short rows, every encoding,
// bad values, quoting, comments and mixed line ends.
func randomImportCSV(r *rand.Rand) string {
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	cols := []string{"key", "type", "encoding", "value"}
	r.Shuffle(len(cols), func(i, j int) { cols[i], cols[j] = cols[j], cols[i] })
	switch r.IntN(6) {
	case 0:
		cols = append(cols, pick("key", "value", "type", "extra"))
	case 1:
		cols = cols[:3]
	}
	var b strings.Builder
	nl := pick("\n", "\r\n", "\r")
	b.WriteString(strings.Join(cols, ",") + nl)
	if r.IntN(4) != 0 {
		// A namespace first, or every data row is refused.
		var f []string
		for _, c := range cols {
			f = append(f, map[string]string{"key": "ns", "type": "namespace"}[c])
		}
		b.WriteString(strings.Join(f, ",") + nl)
	}
	for range r.IntN(12) {
		var f []string
		for _, c := range cols {
			switch c {
			case "key":
				f = append(f, pick("a", "b", "c", "d", "ns2", "", "sta.ssid", "ap.ssid", "ap.passwd", "ap.authmode", "toolongkeyname_0123456"))
			case "type":
				f = append(f, pick("data", "data", "data", "data", "namespace", "file", "bogus", ""))
			case "encoding":
				f = append(f, pick("u8", "i8", "U16", "i32", "u64", "string", "hex2bin", "base64", "binary", "blob_fill(3;0x11)", "bad"))
			case "value":
				f = append(f, pick("1", "-1", "300", "0", "abc", "00ff", "0g", "AAEC", "", `"q,1"`, `"a""b"`, "\"x\ny\"", "f.bin", "sub/g.txt", "../up"))
			default:
				f = append(f, pick("", "z"))
			}
		}
		if r.IntN(6) == 0 {
			f = f[:r.IntN(len(f))] // a short row
		}
		b.WriteString(strings.Join(f, ",") + nl)
		if r.IntN(8) == 0 {
			b.WriteString(pick("#c"+nl, nl, ","+nl))
		}
	}
	return b.String()
}

func TestAddMatchesOracle(t *testing.T) {
	for _, s := range trickyCSV {
		checkAddSame(t, s)
		checkAddSame(t, hdr+s)
	}
	checkAddSame(t, benchCSV())
	checkAddSame(t, "key,type,encoding,value\n\xff\n")
	r := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		checkAddSame(t, randomImportCSV(r))
	}
}

// TestAddMatchesOracleConformance reads every conformance CSV both ways,
// with the file rows resolved in the vector's directory.
func TestAddMatchesOracleConformance(t *testing.T) {
	paths, _ := filepath.Glob("../../../shared/conformance/nvs/*/*.csv")
	if len(paths) == 0 {
		t.Fatal("no conformance CSVs")
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		fsys := os.DirFS(filepath.Dir(p))
		got, want := NewCSVImporter(fsys), NewCSVImporter(fsys)
		gerr, werr := got.Add(strings.NewReader(string(b)), p), oracleAdd(want, string(b), p)
		if fmt.Sprint(gerr) != fmt.Sprint(werr) {
			t.Fatalf("%s: error %v, oracle %v", p, gerr, werr)
		}
		if s := equalPartitions(got.Partition(), want.Partition()); s != "" {
			t.Fatalf("%s: %s", p, s)
		}
	}
}

// FuzzParseCSV compares Add with the oracle on arbitrary text: same error
// (message and line), same partition.
func FuzzParseCSV(f *testing.F) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 20 {
		f.Add(randomImportCSV(r))
	}
	f.Add(hdr + "a,data,u8,1\nb,data,string,\"multi\nline\"\n")
	f.Fuzz(func(t *testing.T, text string) {
		checkAddSame(t, text)
	})
}
