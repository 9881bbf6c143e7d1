package parttable

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

func seedTables(f *testing.F) [][]byte {
	f.Helper()
	var out [][]byte
	csv, err := os.ReadFile("testdata/ota_mixed.csv")
	if err != nil {
		f.Fatal(err)
	}
	for _, opts := range []Options{{}, {DisableMD5: true}} {
		tb, err := ParseCSV(bytes.NewReader(csv), "seed", opts)
		if err != nil {
			f.Fatal(err)
		}
		b, err := Encode(tb, opts)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// FuzzDecode: whatever Decode accepts, Encode's writer reproduces byte for
// byte (so Decode never silently drops information).
func FuzzDecode(f *testing.F) {
	for _, b := range seedTables(f) {
		f.Add(b)
		f.Add(b[:256])
	}
	f.Add(bytes.Repeat([]byte{0xFF}, TableSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		tb, err := Decode(b)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || errors.Unwrap(err) == nil {
				t.Fatalf("unwrapped error %v", err)
			}
			return
		}
		n := len(tb.Entries) * EntrySize
		hasMD5 := len(b) >= n+2 && b[n] == md5Magic0 && b[n+1] == md5Magic0
		out := marshal(tb.Entries, hasMD5)
		if len(b) > TableSize {
			b = b[:TableSize]
		}
		if !bytes.Equal(out[:len(b)], b) {
			t.Fatalf("re-encoding differs")
		}
		_ = tb.CSV()
	})
}

// FuzzParseCSV: a CSV the tool's rules accept encodes, decodes back to the
// same partitions (names cut to 16 bytes), and, when its names survive the
// CSV dialect, binary -> CSV -> binary is the identity.
func FuzzParseCSV(f *testing.F) {
	csv, _ := os.ReadFile("testdata/ota_mixed.csv")
	f.Add(string(csv))
	f.Add("nvs, data, nvs, , 0x6000\nphy_init, data, phy, , 0x1000\nfactory, app, factory, , 1M\n")
	f.Add("a, 0x40, 0x22, , 1kk, encrypted:readonly\nb, data, 0x99, 0x200000, -0x300000\n")
	f.Add("\ufeffx, DATA, Fat, , \u0661K\r\n# c\n\ny, app, ota_3, , 64K\n")
	f.Fuzz(func(t *testing.T, in string) {
		tb, err := ParseCSV(strings.NewReader(in), "f.csv", Options{})
		if err != nil {
			return
		}
		bin, err := Encode(tb, Options{})
		if err != nil {
			if verr := tb.Validate(Options{}); verr == nil {
				t.Fatalf("Encode failed on a valid table: %v", err)
			}
			return
		}
		back, err := Decode(bin)
		if err != nil {
			if !errors.Is(err, ErrBadName) {
				t.Fatalf("Decode of our own encoding: %v", err)
			}
			return
		}
		if len(back.Entries) != len(tb.Entries) {
			t.Fatalf("entry count %d != %d", len(back.Entries), len(tb.Entries))
		}
		// Names that differ in the CSV can be equal in binary ("" and "\x00": the name
		// field is NUL-padded), as with gen_esp32part; such a binary decodes to a table
		// the tool itself refuses, so it has no CSV round trip to check.
		csvSafe := true
		seen := map[string]bool{}
		for _, g := range back.Entries {
			csvSafe = csvSafe && !seen[g.Name]
			seen[g.Name] = true
		}
		for i, e := range tb.Entries {
			g := back.Entries[i]
			e.Name, e.Line = binaryName(e.Name), 0
			if g != e {
				t.Fatalf("entry %d: %+v != %+v", i, g, e)
			}
			csvSafe = csvSafe && nameSurvivesCSV(g.Name) && g.Type != TypeBootloader && g.Type != TypePartitionTable
		}
		if !csvSafe {
			return
		}
		again, err := ParseCSV(bytes.NewReader(back.CSV()), "back.csv", Options{})
		if err != nil {
			t.Fatalf("re-parse of CSV output: %v\n%s", err, back.CSV())
		}
		bin2, err := Encode(again, Options{})
		if err != nil || !bytes.Equal(bin, bin2) {
			t.Fatalf("binary -> CSV -> binary changed the table: %v", err)
		}
	})
}

func binaryName(s string) string {
	if len(s) > nameLen {
		s = s[:nameLen]
	}
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return s
}

func nameSurvivesCSV(s string) bool {
	if !utf8.ValidString(s) || pyStrip(s) != s || strings.ContainsAny(s, ",$") || strings.HasPrefix(s, "#") {
		return false
	}
	return len(pySplitLines(s+"x")) == 1
}
