package nvs

import (
	"strings"
	"testing"
)

func TestRevisitedNamespaceKeepsLatest(t *testing.T) {
	im := NewCSVImporter(nil)
	for i, csv := range []string{
		"key,type,encoding,value\nfirst,namespace,,\na,data,u8,1\n",
		"key,type,encoding,value\nsecond,namespace,,\nb,data,u8,2\nfirst,namespace,,\nc,data,u8,3\n",
	} {
		if err := im.Add(strings.NewReader(csv), "p.csv"); err != nil {
			t.Fatalf("file %d: %v", i, err)
		}
	}
	p := im.Partition()
	if len(p.Namespaces) != 2 || len(p.Namespaces[1].Entries) != 2 || p.Namespaces[1].Entries[1].Key != "c" {
		t.Fatalf("got %+v; nvs_partition_gen puts c into the latest namespace", p.Namespaces)
	}
}

func TestWiFiQuirkEntries(t *testing.T) {
	csv := "key,type,encoding,value\nnvs.net80211,namespace,,\nsta.ssid,data,string,x\nsta.pswd,data,string,y\n" +
		"ap.ssid,data,string,s\nap.passwd,data,string,password\nap.authmode,data,u8,3\n"
	p, err := ParseCSV(strings.NewReader(csv), "w.csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, e := range p.Namespaces[0].Entries {
		keys = append(keys, e.Key)
	}
	want := "sta.ssid sta.apinfo sta.pmk sta.apsw sta.pswd ap.ssid ap.passwd ap.pmk_info ap.authmode"
	if got := strings.Join(keys, " "); got != want {
		t.Fatalf("keys %q, want %q", got, want)
	}
	info := p.Namespaces[0].Entries[7].Blob
	if len(info) != 132 || info[0] != 0 || info[99] != 0 {
		t.Fatalf("ap.pmk_info is %d bytes", len(info))
	}
}

func TestPythonCSVDetails(t *testing.T) {
	csv := "key,type,encoding,value\r\n# comment\r\nns,namespace,,\r\n\r\n" +
		"a,data,u8, 1_0 \r\n" +
		"b,data,string,x\"y\r\n" +
		"c,data,string,\"q\"tail\r\n" +
		"d,data,base64,YW=Jj\r\n" +
		"e,data,string,\"unterminated\n# kept\nend"
	p, err := ParseCSV(strings.NewReader(csv), "c.csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	es := p.Namespaces[0].Entries
	if es[0].Uint != 10 || es[1].Str != "x\"y" || es[2].Str != "qtail" || string(es[3].Blob) != "abc" {
		t.Fatalf("got %+v", es)
	}
	// Comment lines are dropped before CSV parsing, even inside quotes.
	if es[4].Str != "unterminated\nend" {
		t.Fatalf("got %q", es[4].Str)
	}
}

func TestCSVErrorLine(t *testing.T) {
	csv := "key,type,encoding,value\n# c\nns,namespace,,\ns,data,string,\"a\nb\"\nx,data,u8,300\n"
	_, err := ParseCSV(strings.NewReader(csv), "dir/in.csv", nil)
	if err == nil || !strings.HasPrefix(err.Error(), "dir/in.csv:6:") {
		t.Fatalf("got %v, want dir/in.csv:6", err)
	}
}
