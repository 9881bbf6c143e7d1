package nvs

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
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

// sameRecords reports how readCSV and the oracle differ on text, or "".
func sameRecords(text string) string {
	got, want := readCSV(text), oracleReadCSV(text)
	if len(got) != len(want) {
		return "record count differs"
	}
	for i := range got {
		if got[i].line != want[i].line || !reflect.DeepEqual(got[i].fields, want[i].fields) {
			return fmt.Sprintf("record %d differs", i)
		}
	}
	return ""
}

func checkSame(t *testing.T, text string) {
	t.Helper()
	if s := sameRecords(text); s != "" {
		t.Fatalf("%s on %q:\n got  %+v\n want %+v", s, text, readCSV(text), oracleReadCSV(text))
	}
}

// Tricky inputs for csv.reader's non-strict quirks, line endings and the
// comment filter.
var trickyCSV = []string{
	"", "\n", "\n\n", ",", ",\n", "a", "a,", "a,\n", "a,b\n", "a,b", ",,,\n,,",
	`"`, `""`, `"""`, `""""`, `"a"`, `"a"b`, `"a"b,c`, `"a""b"`, `a"b"c`, `a"`, `"a,b",c`,
	"\"a\nb\"\n", "\"a\n#c\nb\"\n", "#x\n#y", "#\"\na,b\n", "a\r\nb\rc\n\r\n", "\"a\r\nb\"\r\n",
	"\"open\n", "\"open", "\"a\"\n", "\"a\"", "\"a\",", "\"a\",\n", "x,\"a\"\"\"\n",
	"x,\"\"\"\n\"\"\",y\n", "é,\"ü\"ß,\"€\n☃\"\n", "a,\"\n\n\",b\n\n\nc",
	"key,type,encoding,value\nns,namespace,,\nk,data,string,\"v, \"\"q\"\"\"\n",
	" a , \" b \" ,\"c\" \n", "\"\"x\"\"\n", "\"a\"\"\n", "a,\"b\n", "\n#\n\n",
}

func TestReadCSVMatchesOracleTricky(t *testing.T) {
	for _, s := range trickyCSV {
		checkSame(t, s)
	}
}

func TestReadCSVMatchesOracleConformance(t *testing.T) {
	paths, _ := filepath.Glob("../../../shared/conformance/nvs/*/*.csv")
	more, _ := filepath.Glob("testdata/*.csv")
	paths = append(paths, more...)
	if len(paths) < 2 {
		t.Fatalf("found %d CSV files; conformance vectors missing?", len(paths))
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		checkSame(t, string(b))
	}
	checkSame(t, benchCSV())
}

// randomCSV draws text from an alphabet weighted towards the bytes the
// reader cares about.
func randomCSV(r *rand.Rand, n int) string {
	alphabet := []string{",", "\"", "\n", "\r", "\r\n", "#", "a", "b", " ", "é", "\"\"", ",\"", "\"\n"}
	var b strings.Builder
	for range n {
		b.WriteString(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

func TestReadCSVMatchesOracleRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		checkSame(t, randomCSV(r, i%60))
	}
}

// FuzzCSV compares the fast reader with the oracle. Add rejects invalid UTF-8
// before reading, so only valid text is compared (the oracle would turn bad
// bytes into U+FFFD, the fast reader keeps them).
func FuzzCSV(f *testing.F) {
	for _, s := range trickyCSV {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			return
		}
		checkSame(t, text)
	})
}

// TestIndexEither checks the word-at-a-time search against a byte loop, on
// strings long enough to use whole words, with the targets rare, at every
// position, repeated, and next to bytes that differ from them by one bit.
func TestIndexEither(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	near := []byte{'"', '\n', '"' ^ 1, '\n' ^ 1, '"' ^ 0x80, 0, 0xff, 'a', 0x0b, '#'}
	for range 50000 {
		b := make([]byte, r.IntN(40))
		for j := range b {
			b[j] = near[2+r.IntN(len(near)-2)]
			if r.IntN(20) == 0 {
				b[j] = near[r.IntN(2)]
			}
		}
		s := string(b)
		from := r.IntN(len(s) + 1)
		want := len(s)
		for j := from; j < len(s); j++ {
			if s[j] == '"' || s[j] == '\n' {
				want = j
				break
			}
		}
		if got := indexEither(s, from, '"', '\n'); got != want {
			t.Fatalf("indexEither(%q, %d) = %d, want %d", s, from, got, want)
		}
	}
}
