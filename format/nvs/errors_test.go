package nvs

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

func encodeCSV(csv string, opts Options) ([]byte, error) {
	files := fstest.MapFS{"d/f.bin": {Data: []byte{1, 2, 3}}}
	p, err := ParseCSV(strings.NewReader(csv), "in.csv", files)
	if err != nil {
		return nil, err
	}
	return Encode(p, opts)
}

const hdr = "key,type,encoding,value\nns,namespace,,\n"

func TestErrors(t *testing.T) {
	many := new(strings.Builder)
	many.WriteString("key,type,encoding,value\n")
	for i := 0; i < 255; i++ {
		fmt.Fprintf(many, "n%d,namespace,,\n", i)
	}
	cases := []struct {
		name, csv string
		opts      Options
		err       error
		contains  string
	}{
		{"key too long", hdr + "this_key_is_too_long,data,u8,1\n", Options{Size: 0x3000}, ErrKey, "in.csv:3: nvs: invalid key: length of key `this_key_is_too_long` should be <= 15 characters"},
		{"namespace too long", "key,type,encoding,value\nnamespace_too_long,namespace,,\n", Options{Size: 0x3000}, ErrKey, "in.csv:2"},
		{"too many namespaces", many.String(), Options{Size: 0x40000}, ErrTooManyNS, "in.csv:256"},
		{"u8 range", hdr + "a,data,u8,256\n", Options{Size: 0x3000}, ErrRange, "in.csv:3: nvs: value out of range: key `a`: 256 out of range for u8 [0, 255]"},
		{"i8 range", hdr + "a,data,i8,-129\n", Options{Size: 0x3000}, ErrRange, "i8"},
		{"u64 negative", hdr + "a,data,u64,-1\n", Options{Size: 0x3000}, ErrRange, "u64"},
		{"i64 overflow", hdr + "a,data,i64,9223372036854775808\n", Options{Size: 0x3000}, ErrRange, "i64"},
		{"not a number", hdr + "a,data,u32,0x10\n", Options{Size: 0x3000}, ErrValue, "not a decimal integer"},
		{"string over 4000", hdr + "s,data,string," + strings.Repeat("x", 4000) + "\n", Options{Size: 0x6000}, ErrTooLong, "exceeds max allowed length `4000` bytes"},
		{"string over v1 limit", hdr + "s,data,string," + strings.Repeat("x", 1984) + "\n", Options{Size: 0x6000, Version: 1}, ErrTooLong, "`1984` bytes"},
		{"blob over v1 limit", hdr + "b,data,hex2bin," + strings.Repeat("ab", 1985) + "\n", Options{Size: 0x6000, Version: 1}, ErrTooLong, "`1984` bytes"},
		{"string page overflow", hdr + "s,data,string," + strings.Repeat("x", 3968) + "\n", Options{Size: 0x6000}, ErrPageFull, "PageFullError"},
		{"insufficient size", hdr + "b,data,hex2bin," + strings.Repeat("ab", 9000) + "\n", Options{Size: 0x3000}, ErrInsufficientSize, "Size parameter is less than the size of data in csv: need 4 pages (0x4000 bytes incl. the reserved page)"},
		{"size not multiple", hdr, Options{Size: 0x3001}, ErrSize, "multiple of 4096"},
		{"size too small", hdr, Options{Size: 0}, ErrSize, "minimum partition size"},
		{"bad version", hdr, Options{Size: 0x3000, Version: 3}, ErrVersion, "want 1 or 2"},
		{"unknown encoding", hdr + "a,data,float,1\n", Options{Size: 0x3000}, ErrEncoding, "in.csv:3: nvs: unknown encoding: \"float\""},
		{"unknown file encoding", hdr + "a,file,u8,d/f.bin\n", Options{Size: 0x3000}, ErrEncoding, "in.csv:3"},
		{"unknown type", hdr + "a,value,u8,1\n", Options{Size: 0x3000}, ErrCSV, "type \"value\""},
		{"short row", hdr + "a\n", Options{Size: 0x3000}, ErrCSV, "in.csv:3"},
		{"missing value", hdr + "a,data,u8\n", Options{Size: 0x3000}, ErrCSV, "no value column"},
		{"bad header", "key,type,value\n", Options{Size: 0x3000}, ErrCSV, "in.csv:1"},
		{"before namespace", "key,type,encoding,value\na,data,u8,1\n", Options{Size: 0x3000}, ErrCSV, "before any namespace"},
		{"odd hex", hdr + "a,data,hex2bin,abc\n", Options{Size: 0x3000}, ErrValue, "Should be multiple of 2"},
		{"bad hex", hdr + "a,data,hex2bin,zz\n", Options{Size: 0x3000}, ErrValue, "non-hexadecimal"},
		{"bad base64", hdr + "a,data,base64,abcde\n", Options{Size: 0x3000}, ErrValue, "base64"},
		{"missing file", hdr + "a,file,binary,d/none.bin\n", Options{Size: 0x3000}, ErrValue, "in.csv:3"},
		{"escaping file", hdr + "a,file,binary,../x.bin\n", Options{Size: 0x3000}, ErrValue, "inside the CSV's directory"},
		{"fill too long", hdr + "a,data,blob_fill(2;0x00),abc\n", Options{Size: 0x3000}, ErrTooLong, "Value length exceeds specified length"},
		{"fill malformed", hdr + "a,data,blob_fill(2),abc\n", Options{Size: 0x3000}, ErrEncoding, "Invalid encoding format"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := encodeCSV(c.csv, c.opts)
			if !errors.Is(err, c.err) {
				t.Fatalf("got %v, want %v", err, c.err)
			}
			if !strings.Contains(err.Error(), c.contains) {
				t.Fatalf("%q does not contain %q", err, c.contains)
			}
		})
	}
}

func TestModelErrors(t *testing.T) {
	ns := func(es ...Entry) *Partition { return &Partition{Namespaces: []Namespace{{Name: "n", Entries: es}}} }
	cases := []struct {
		p   *Partition
		err error
	}{
		{ns(Entry{Key: "a", Type: U16, Uint: 1 << 16}), ErrRange},
		{ns(Entry{Key: "a", Type: I32, Int: 1 << 31}), ErrRange},
		{ns(Entry{Key: "", Type: U8}), ErrKey},
		{ns(Entry{Key: "a", Type: Type(0x99)}), ErrType},
		{ns(Entry{Key: "a", Type: Blob, Blob: make([]byte, MaxBlobV2+1)}), ErrTooLong},
		{&Partition{Namespaces: []Namespace{{Name: "n"}, {Name: "n"}}}, ErrDuplicateNS},
	}
	for i, c := range cases {
		if _, err := Encode(c.p, Options{Size: 0x100000}); !errors.Is(err, c.err) {
			t.Errorf("case %d: got %v, want %v", i, err, c.err)
		}
	}
}

func TestKeyErrors(t *testing.T) {
	if _, err := ParseKeyPartition(make([]byte, 64)); !errors.Is(err, ErrKeyLength) {
		t.Fatalf("short key file: %v", err)
	}
	b := Keys{}.MarshalPartition()
	b[3] ^= 1
	if _, err := ParseKeyPartition(b); !errors.Is(err, ErrKeyCRC) {
		t.Fatalf("corrupt key file: %v", err)
	}
	if _, err := DeriveHMACKeys(make([]byte, 16)); !errors.Is(err, ErrKeyLength) {
		t.Fatalf("short HMAC key: %v", err)
	}
	if _, err := KeysFromBytes(make([]byte, 32)); !errors.Is(err, ErrKeyLength) {
		t.Fatalf("short raw key: %v", err)
	}
	if _, err := GenerateKeys(bytes.NewReader(make([]byte, 10))); err == nil {
		t.Fatal("short random source accepted")
	}
	k, err := GenerateKeys(bytes.NewReader(bytes.Repeat([]byte{7}, 64)))
	if err != nil || k.Encryption[0] != 7 || k.Tweak[31] != 7 {
		t.Fatalf("GenerateKeys: %v", err)
	}
}

func TestDecodeCRCErrors(t *testing.T) {
	img, err := encodeCSV(hdr+"a,data,u8,1\ns,data,string,hello\n", Options{Size: 0x3000})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		off  int
		want string
	}{
		{5, "page header at offset 0x0"},
		{0x40 + 32 + 9, "item at offset 0x60"},
		{0x40 + 3*32 + 2, "data of key \"s\" at offset 0xa0"},
	} {
		bad := bytes.Clone(img)
		bad[c.off] ^= 0x55
		_, err := Decode(bad, nil)
		if !errors.Is(err, ErrCRC) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("flip at %#x: got %v, want %q", c.off, err, c.want)
		}
	}
	if _, err := Decode(img[:100], nil); !errors.Is(err, ErrCorrupt) {
		t.Errorf("truncated image: %v", err)
	}
}
