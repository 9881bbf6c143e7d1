package nvs

import (
	"bytes"
	"fmt"
	"io/fs"
	"strings"
	"testing"
)

type csvInput struct {
	name string
	data []byte
}

// importEncode is what `nvs encode` did before it streamed: import every file with
// the length limits of the version checked on their lines, then Encode.
func importEncode(files fs.FS, inputs []csvInput, opts Options) ([]byte, error) {
	im := NewCSVImporter(files)
	im.Version = max(opts.Version, 1)
	if opts.Version == 0 {
		im.Version = 2
	}
	for _, in := range inputs {
		if err := im.Add(bytes.NewReader(in.data), in.name); err != nil {
			return nil, err
		}
	}
	return Encode(im.Partition(), opts)
}

// streamEncode imports the files with Stream set and lays the batches out on another
// goroutine as they come, as `espcompose nvs encode` does. After every batch it
// copies the bytes Final calls final into a second buffer, and checks at the end
// that they are what the finished image holds: what a caller wrote early is right.
func streamEncode(files fs.FS, inputs []csvInput, opts Options) ([]byte, error) {
	l, err := NewLayout(opts)
	if err != nil {
		return nil, err
	}
	batches := make(chan Batch, 8)
	free := make(chan []Entry, 2) // batches laid out, for the importer to fill again
	type result struct {
		img []byte
		err error
	}
	done := make(chan result)
	go func() {
		var shadow []byte
		var lerr error
		for b := range batches {
			if lerr != nil {
				continue
			}
			if b.Begins {
				lerr = l.Namespace(b.Namespace)
			}
			for i := 0; i < len(b.Entries) && lerr == nil; i++ {
				lerr = l.Put(&b.Entries[i])
			}
			// Scribbled over, so an importer reading a batch it gave back fails.
			clear(b.Entries)
			select {
			case free <- b.Entries:
			default:
			}
			img, n := l.Final()
			if n < len(shadow) {
				lerr = fmt.Errorf("Final went back from %d to %d bytes", len(shadow), n)
			}
			shadow = append(shadow, img[len(shadow):n]...)
		}
		if lerr != nil {
			done <- result{err: lerr}
			return
		}
		img, err := l.Finish()
		if err == nil && !bytes.Equal(shadow, img[:len(shadow)]) {
			err = fmt.Errorf("bytes declared final changed: first difference at %#x", firstDiff(shadow, img))
		}
		done <- result{img, err}
	}()
	im := NewCSVImporter(files)
	im.Version = 2
	if opts.Version != 0 {
		im.Version = opts.Version
	}
	im.Stream = func(b Batch) []Entry {
		batches <- b
		select {
		case e := <-free:
			return e
		default:
			return nil
		}
	}
	var ierr error
	for _, in := range inputs {
		if ierr = im.Add(bytes.NewReader(in.data), in.name); ierr != nil {
			break
		}
	}
	close(batches)
	r := <-done
	if ierr != nil {
		return nil, ierr
	}
	return r.img, r.err
}

// sameAsEncode checks that streaming gives the bytes, or the error, of importing
// first and encoding after.
func sameAsEncode(files fs.FS, inputs []csvInput, opts Options) error {
	want, werr := importEncode(files, inputs, opts)
	got, gerr := streamEncode(files, inputs, opts)
	switch {
	case (werr == nil) != (gerr == nil):
		return fmt.Errorf("streamed: error %v, imported then encoded: error %v", gerr, werr)
	case werr != nil && werr.Error() != gerr.Error():
		return fmt.Errorf("streamed: error %q, imported then encoded: %q", gerr, werr)
	case !bytes.Equal(got, want):
		return fmt.Errorf("streamed image differs: %d bytes against %d, first difference at %#x", len(got), len(want), firstDiff(got, want))
	}
	return nil
}

func TestStreamedLayoutMatchesEncode(t *testing.T) {
	keys, _ := KeysFromBytes([]byte(strings.Repeat("k", 64)))
	big := benchCSV()
	var many strings.Builder
	many.WriteString("key,type,encoding,value\n")
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&many, "n%d,namespace,,\nk,data,u8,%d\n", i%260, i%256)
	}
	cases := map[string][]csvInput{
		"bench":            {{"a.csv", []byte(big)}},
		"two files":        {{"a.csv", []byte(big[:len(big)/2] + "\n")}, {"b.csv", []byte("key,type,encoding,value\nlate,data,u8,1\nns9,namespace,,\nz,data,string,x\n")}},
		"empty namespaces": {{"a.csv", []byte("key,type,encoding,value\na,namespace,,\nb,namespace,,\na,namespace,,\nk,data,u8,1\nc,namespace,,\n")}},
		"wifi":             {{"a.csv", []byte(hdr + "sta.ssid,data,string,net\nap.ssid,data,string,a\nap.passwd,data,string,b\nap.authmode,data,u8,4\nap.x,data,u8,1\n")}},
		"big blob":         {{"a.csv", []byte(hdr + "b,data,hex2bin," + strings.Repeat("ab", 20000) + "\nc,data,u8,1\n")}},
		"too many ns":      {{"a.csv", []byte(many.String())}},
		"row error":        {{"a.csv", []byte(big[:len(big)/2] + "\nbad,data,u8,300\n")}},
		"too long string":  {{"a.csv", []byte(hdr + "s,data,string," + strings.Repeat("x", 5000) + "\n")}},
		"before ns":        {{"a.csv", []byte("key,type,encoding,value\nk,data,u8,1\n")}},
	}
	sizes := []Options{
		{Size: 0x60000}, {Size: 0x60000, Version: 1}, {Size: 0x60000, Keys: &keys},
		{Size: 0x3000}, {Size: 0x2000}, {Size: 0x1000, Version: 1, Keys: &keys}, {Size: 0x5000},
	}
	for name, inputs := range cases {
		for _, opts := range sizes {
			if err := sameAsEncode(nil, inputs, opts); err != nil {
				t.Errorf("%s, size %#x, version %d, keys %v: %v", name, opts.Size, opts.Version, opts.Keys != nil, err)
			}
		}
	}
}

func TestLayoutChecksWhatValidateChecks(t *testing.T) {
	l, err := NewLayout(Options{Size: 0x3000})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Put(&Entry{Key: "k", Type: U8, Uint: 1}); err == nil || !strings.Contains(err.Error(), "before any namespace") {
		t.Fatalf("entry before a namespace: %v", err)
	}
	l, _ = NewLayout(Options{Size: 0x3000})
	if err := l.Namespace("ns"); err != nil {
		t.Fatal(err)
	}
	if err := l.Put(&Entry{Key: "k", Type: U8, Uint: 300}); err == nil || err.Error() != `namespace "ns": nvs: value out of range: key `+"`k`"+`: 300 does not fit u8` {
		t.Fatalf("u8 300: %v", err)
	}
	if _, err := l.Finish(); err == nil {
		t.Fatal("Finish after a failed Put succeeded")
	}
	l, _ = NewLayout(Options{Size: 0x3000})
	_ = l.Namespace("ns")
	if err := l.Namespace("ns"); err == nil {
		t.Fatal("a namespace begun twice is accepted")
	}
	if _, err := NewLayout(Options{Size: 0x3000, Version: 3}); err == nil {
		t.Fatal("version 3 accepted")
	}
	if _, err := NewLayout(Options{Size: 0x3001}); err == nil {
		t.Fatal("size 0x3001 accepted")
	}
}
