package nvs

import (
	"fmt"
	"testing"
)

func benchPartition() *Partition {
	p := &Partition{}
	for n := 0; n < 10; n++ {
		ns := Namespace{Name: fmt.Sprintf("ns%d", n)}
		for i := 0; i < 500; i++ {
			key := fmt.Sprintf("k%d", i)
			switch i % 3 {
			case 0:
				ns.Entries = append(ns.Entries, Entry{Key: key, Type: U32, Uint: uint64(i)})
			case 1:
				ns.Entries = append(ns.Entries, Entry{Key: key, Type: String, Str: "value number " + key})
			default:
				ns.Entries = append(ns.Entries, Entry{Key: key, Type: Blob, Blob: []byte(key + key + key)})
			}
		}
		p.Namespaces = append(p.Namespaces, ns)
	}
	return p
}

// BenchmarkEncode5000 encodes 5,000 entries.
func BenchmarkEncode5000(b *testing.B) {
	p := benchPartition()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(p, Options{Size: 0x80000}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeEncrypted5000 encodes and encrypts 5,000 entries.
func BenchmarkEncodeEncrypted5000(b *testing.B) {
	p := benchPartition()
	k, _ := DeriveHMACKeys(make([]byte, 32))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(p, Options{Size: 0x80000, Keys: &k}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode5000(b *testing.B) {
	img, err := Encode(benchPartition(), Options{Size: 0x80000})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Decode(img, nil); err != nil {
			b.Fatal(err)
		}
	}
}
