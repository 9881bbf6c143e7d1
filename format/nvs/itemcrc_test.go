package nvs

import (
	"hash/crc32"
	"math/rand/v2"
	"testing"
)

// TestItemCRC checks the table-driven item CRC against crc32 over the same bytes.
func TestItemCRC(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	it := make([]byte, entrySize)
	for n := 0; n < 10000; n++ {
		for i := range it {
			it[i] = byte(r.Uint32())
		}
		if n == 0 {
			clear(it)
		}
		c := crc32.Update(0xFFFFFFFF, crc32.IEEETable, it[0:4])
		if want, got := crc32.Update(c, crc32.IEEETable, it[8:32]), itemCRC(it); got != want {
			t.Fatalf("item % x: CRC %#08x, want %#08x", it, got, want)
		}
	}
}

// TestCRC checks crc against crc32 at every length around its switch-over.
func TestCRC(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	b := make([]byte, 200)
	for n := 0; n <= len(b); n++ {
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		if got, want := crc(b[:n]), crc32.Update(0xFFFFFFFF, crc32.IEEETable, b[:n]); got != want {
			t.Fatalf("%d bytes: CRC %#08x, want %#08x", n, got, want)
		}
	}
}

func BenchmarkItemCRC(b *testing.B) {
	it := make([]byte, entrySize)
	var sink uint32
	for b.Loop() {
		sink ^= itemCRC(it)
	}
	_ = sink
}
