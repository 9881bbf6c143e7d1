package nvs

import (
	"strings"
	"testing"
)

// FuzzCSVRoundTrip imports arbitrary CSV text; whatever imports and encodes
// must decode back to the same partition, in clear and encrypted.
func FuzzCSVRoundTrip(f *testing.F) {
	f.Add(hdr + "a,data,u8,1\nb,data,string,hello\nc,data,hex2bin,00ff\n")
	f.Add(hdr + "a,data,i64,-5\nn2,namespace,,\nb,data,base64,AAEC\nc,data,blob_fill(40;0x11),zz\n")
	f.Add(hdr + "s,data,string,\"multi\nline\"\nb,data,hex2bin," + strings.Repeat("ab", 5000) + "\n")
	f.Add(hdr + "sta.ssid,data,string,net\nap.ssid,data,string,a\nap.passwd,data,string,b\nap.authmode,data,u8,4\n")
	keys, _ := KeysFromBytes([]byte(strings.Repeat("k", 64)))
	f.Fuzz(func(t *testing.T, csv string) {
		for _, opts := range []Options{{Size: 0x6000}, {Size: 0x2000, Version: 1, Keys: &keys}} {
			if err := sameAsEncode(nil, []csvInput{{"f.csv", []byte(csv)}}, opts); err != nil {
				t.Fatal(err)
			}
		}
		p, err := ParseCSV(strings.NewReader(csv), "f.csv", nil)
		if err != nil {
			return
		}
		for _, opts := range []Options{{Size: 0x20000}, {Size: 0x20000, Version: 1, Keys: &keys}} {
			img, err := Encode(p, opts)
			if err != nil {
				continue
			}
			d, err := Decode(img, opts.Keys)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if s := equalPartitions(&d.Partition, p); s != "" {
				t.Fatal(s)
			}
		}
	})
}

// FuzzDecode feeds arbitrary images to the decoder, which must not panic.
func FuzzDecode(f *testing.F) {
	img, _ := encodeCSV(hdr+"a,data,u8,1\nb,data,hex2bin,"+strings.Repeat("cd", 4100)+"\n", Options{Size: 0x3000})
	f.Add(img)
	f.Add(make([]byte, PageSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = Decode(b, nil)
	})
}
