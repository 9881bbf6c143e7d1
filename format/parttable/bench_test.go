package parttable

import (
	"bytes"
	"os"
	"testing"
)

func BenchmarkParseCSVEncode(b *testing.B) {
	csv, err := os.ReadFile("testdata/ota_mixed.csv")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(csv)))
	for b.Loop() {
		tb, err := ParseCSV(bytes.NewReader(csv), "bench.csv", Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Encode(tb, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	bin, err := os.ReadFile("testdata/ota_mixed.bin")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(bin)))
	for b.Loop() {
		if _, err := Decode(bin); err != nil {
			b.Fatal(err)
		}
	}
}
