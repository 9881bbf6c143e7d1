package nvs

import (
	"fmt"
	"strings"
	"testing"
)

// benchCSV is a 5,000-entry nvs_partition_gen CSV in ten namespaces, with the
// mix a real one has: comments, blank lines, quoted values with commas,
// doubled quotes and embedded newlines.
func benchCSV() string {
	var b strings.Builder
	b.WriteString("key,type,encoding,value\n# generated for benchmarks\n")
	for n := 0; n < 10; n++ {
		fmt.Fprintf(&b, "ns%d,namespace,,\n", n)
		for i := 0; i < 500; i++ {
			switch i % 5 {
			case 0:
				fmt.Fprintf(&b, "k%d,data,u32,%d\n", i, i*7919)
			case 1:
				fmt.Fprintf(&b, "k%d,data,string,value number %d\n", i, i)
			case 2:
				fmt.Fprintf(&b, "k%d,data,hex2bin,%x\n", i, fmt.Sprintf("blob-%06d", i))
			case 3:
				fmt.Fprintf(&b, "k%d,data,string,\"quoted, with \"\"quotes\"\" %d\"\n", i, i)
			default:
				fmt.Fprintf(&b, "k%d,data,string,\"two\nlines %d\"\n\n", i, i)
			}
		}
	}
	return b.String()
}

// BenchmarkReadCSV5000 is the CSV reader alone (lines, comments, quoting),
// as CSVImporter.Add runs it: one record at a time.
func BenchmarkReadCSV5000(b *testing.B) {
	text := benchCSV()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, fields := range csvRecords(text) {
			n += len(fields)
		}
		if n < 20000 {
			b.Fatalf("%d fields", n)
		}
	}
}

// BenchmarkReadCSV5000Oracle is the rune-at-a-time reader readCSV replaced,
// for a ratio measured in one run.
func BenchmarkReadCSV5000Oracle(b *testing.B) {
	text := benchCSV()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if recs := oracleReadCSV(text); len(recs) < 5000 {
			b.Fatalf("%d records", len(recs))
		}
	}
}

// BenchmarkParseCSV5000 is the whole import: reading, row semantics, values.
func BenchmarkParseCSV5000(b *testing.B) {
	text := benchCSV()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := ParseCSV(strings.NewReader(text), "bench.csv", nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Namespaces) != 10 {
			b.Fatalf("%d namespaces", len(p.Namespaces))
		}
	}
}
