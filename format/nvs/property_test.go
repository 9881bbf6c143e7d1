package nvs

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

var allTypes = []Type{U8, I8, U16, I16, U32, I32, U64, I64, String, Blob}

func randomKey(r *rand.Rand) string {
	const alpha = "abcdefghijklmnopqrstuvwxyz0123456789._-"
	b := make([]byte, 1+r.IntN(MaxKeyLen))
	for i := range b {
		b[i] = alpha[r.IntN(len(alpha))]
	}
	return string(b)
}

func randomEntry(r *rand.Rand, version int) Entry {
	e := Entry{Key: randomKey(r), Type: allTypes[r.IntN(len(allTypes))]}
	switch {
	case e.Type.IsInteger():
		lo, hi := intBounds(e.Type)
		v := r.Uint64()
		if e.Type.signed() {
			bits := uint(e.Type.width() * 8)
			e.Int = int64(v<<(64-bits)) >> (64 - bits)
			if r.IntN(8) == 0 {
				e.Int = lo
			}
		} else {
			e.Uint = v & hi
		}
	case e.Type == String:
		n := r.IntN(300)
		if r.IntN(10) == 0 {
			n = r.IntN(MaxBlobV1)
		}
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		e.Str = string(b)
	case e.Type == Blob:
		n := r.IntN(200)
		if r.IntN(5) == 0 {
			n = r.IntN(MaxBlobV1 + 1)
			if version == 2 {
				n = r.IntN(12000)
			}
		}
		e.Blob = make([]byte, n)
		for i := range e.Blob {
			e.Blob[i] = byte(r.IntN(256))
		}
	}
	return e
}

func randomPartition(r *rand.Rand, version int) *Partition {
	p := &Partition{}
	for i := 0; i < 1+r.IntN(8); i++ {
		ns := Namespace{Name: fmt.Sprintf("%s%d", randomKey(r)[:1], i)}
		for j := 0; j < r.IntN(40); j++ {
			ns.Entries = append(ns.Entries, randomEntry(r, version))
		}
		p.Namespaces = append(p.Namespaces, ns)
	}
	return p
}

// TestPropertyRoundTrip encodes random partitions and decodes them back.
func TestPropertyRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 11))
	keys, _ := GenerateKeys(bytes.NewReader(bytes.Repeat([]byte{0x5a, 0xa5, 0x3c}, 22)))
	for i := 0; i < 150; i++ {
		version := 1 + r.IntN(2)
		p := randomPartition(r, version)
		opts := Options{Size: 0x80000, Version: version}
		if r.IntN(3) == 0 {
			opts.Keys = &keys
		}
		img, err := Encode(p, opts)
		if err != nil {
			t.Fatalf("iteration %d: encode: %v", i, err)
		}
		d, err := Decode(img, opts.Keys)
		if err != nil {
			t.Fatalf("iteration %d: decode: %v", i, err)
		}
		if s := equalPartitions(&d.Partition, p); s != "" {
			t.Fatalf("iteration %d: %s", i, s)
		}
		if d.Version != version {
			t.Fatalf("iteration %d: version %d, want %d", i, d.Version, version)
		}
	}
}

// TestReadOnlyLayout checks that sizes below 0x3000 give only the written pages.
func TestReadOnlyLayout(t *testing.T) {
	img, err := encodeCSV(hdr+"a,data,u8,1\n", Options{Size: 0x2000})
	if err != nil || len(img) != PageSize {
		t.Fatalf("got %d bytes, %v", len(img), err)
	}
	img, err = encodeCSV(hdr+"a,data,u8,1\n", Options{Size: 0x3000})
	if err != nil || len(img) != 0x3000 {
		t.Fatalf("got %d bytes, %v", len(img), err)
	}
	if _, err := encodeCSV(hdr+"b,data,hex2bin,"+strings.Repeat("00", 5000)+"\n", Options{Size: 0x1000}); err == nil {
		t.Fatal("read-only overflow accepted")
	}
}
