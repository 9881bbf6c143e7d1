package nvs

import (
	"errors"
	"strings"
	"testing"
)

// A CSV that is not UTF-8 is refused, as nvs_partition_gen refuses it, with the line
// and byte offset of the first bad byte.
func TestAddStringNotUTF8NamesWhere(t *testing.T) {
	im := &CSVImporter{}
	err := im.AddString("key,type,encoding,value\nns,namespace,,\nk1,data,string,caf\xe9\n", "bad.csv")
	if !errors.Is(err, ErrCSV) || !strings.Contains(err.Error(), "bad.csv:3:") || !strings.Contains(err.Error(), "byte offset 57") {
		t.Fatalf("err = %v, want ErrCSV at bad.csv:3, byte offset 57", err)
	}
}
