package parttable

import (
	"errors"
	"strings"
	"testing"
)

// A partition table that is not UTF-8 (and has no BOM) is refused as gen_esp32part
// refuses it, naming the line and the byte offset of the first bad byte.
func TestParseCSVNotUTF8NamesWhere(t *testing.T) {
	src := "# Name, Type, SubType, Offset, Size\nnvs, data, nvs, 0x9000, 0x6000\nf\xe9ctory, app, factory, 0x10000, 1M\n"
	_, err := ParseCSV(strings.NewReader(src), "parts.csv", Options{})
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrSyntax) {
		t.Fatalf("err = %v, want a syntax *Error", err)
	}
	if e.File != "parts.csv" || e.Line != 3 || !strings.Contains(e.Error(), "byte offset 68") {
		t.Fatalf("err = %q (line %d), want parts.csv line 3, byte offset 68", e.Error(), e.Line)
	}
}

// After a UTF-8 BOM the offset still counts from the start of the file.
func TestParseCSVNotUTF8AfterBOM(t *testing.T) {
	_, err := ParseCSV(strings.NewReader("\xef\xbb\xbfnvs, data, nvs, 0x9000, 0x6000\n\xff\n"), "parts.csv", Options{})
	var e *Error
	if !errors.As(err, &e) || e.Line != 2 || !strings.Contains(e.Error(), "byte offset 34") {
		t.Fatalf("err = %v, want line 2, byte offset 34", err)
	}
}
