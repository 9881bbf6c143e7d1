package mfg

import (
	"errors"
	"slices"
	"testing"
)

func rows(t *testing.T, s string) []Row {
	t.Helper()
	r, err := ReadRows([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Blank lines are dropped, as mfg_gen drops them, but each row keeps its file line.
func TestReadRowsKeepsFileLines(t *testing.T) {
	r := rows(t, "a,b\n\n  \nc,\"d\ne\"\nf\n")
	if len(r) != 3 || r[0].Line != 1 || r[1].Line != 4 || r[2].Line != 6 || r[1].Fields[1] != "d\ne" {
		t.Fatalf("%+v", r)
	}
}

func TestCheckAndDevices(t *testing.T) {
	conf := rows(t, "ns,namespace,\nserial,data,string\nmodel,data,string,REPEAT\n")
	values := rows(t, "id,serial,model\nA,S1,M1\n\nB,S2,\n")
	b, err := Check(conf, values, "id")
	if err != nil {
		t.Fatal(err)
	}
	devs := b.Devices(Naming{Prefix: "p", FileID: "id"})
	if len(devs) != 2 || devs[1].Stem != "p-B" || devs[1].Line != 4 {
		t.Fatalf("%+v", devs)
	}
	// REPEAT: the second device takes the first one's model.
	if got := devs[1].Rows[2]; !slices.Equal(got, []string{"model", "data", "string", "M1"}) {
		t.Errorf("row %q", got)
	}
	if !slices.Equal(devs[1].Columns, []int{-1, 1, 2}) {
		t.Errorf("columns %v", devs[1].Columns)
	}
	if got := string(devs[0].CSV()); got != "key,type,encoding,value\r\nns,namespace,,\r\nserial,data,string,S1\r\nmodel,data,string,M1\r\n" {
		t.Errorf("csv %q", got)
	}
	n := b.Devices(Naming{Prefix: "p", PrefixNum: true, PrefixStart: 9, PrefixDigits: 3})
	if n[0].Stem != "p-009-1" || n[1].Stem != "p-010-2" {
		t.Errorf("stems %s %s", n[0].Stem, n[1].Stem)
	}
}

func TestCheckErrorsNameLines(t *testing.T) {
	for _, c := range []struct {
		conf, values string
		kind         Kind
		line, index  int
	}{
		{"ns,namespace,\n\nk,data\n", "k\n1\n", MissingData, 3, 2},
		{"ns,namespace,\nk,wat,u8\n", "k\n1\n", BadType, 2, 2},
		{"ns,namespace,\nk,data,u128\n", "k\n1\n", BadEncoding, 2, 2},
		{"ns,namespace,\nk,data,u8\nz,data,u8\n", "k\n1\n", KeysMissing, 3, 0},
		{"ns,namespace,\nk,data,u8\n", "k\n\n1,2\n", ValueCount, 3, 2},
	} {
		_, err := Check(rows(t, c.conf), rows(t, c.values), "")
		var e *Error
		if !errors.As(err, &e) || e.Kind != c.kind || e.Line != c.line || (c.index != 0 && e.Index != c.index) {
			t.Errorf("%q / %q: %+v", c.conf, c.values, err)
		}
	}
}
