package fatfs

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// tree1MB is about 1 MB of files of mixed sizes (tiny to 64 KiB) in a few
// folders with long names, like a web UI.
func tree1MB() []Entry {
	r := rand.New(rand.NewPCG(1, 1))
	var es []Entry
	total := 0
	for i := 0; total < 1<<20; i++ {
		size := []int{37, 512, 3000, 4096, 9000, 20000, 65536}[i%7]
		data := make([]byte, size)
		for j := range data {
			data[j] = byte(r.Uint32())
		}
		es = append(es, Entry{Path: fmt.Sprintf("www/assets_%d/file_number_%03d.js", i%6, i), Data: data})
		total += size
	}
	return es
}

func BenchmarkBuild1MB(b *testing.B) {
	es := tree1MB()
	opts := Options{Size: 2 << 20, LongNames: true}
	b.SetBytes(1 << 20)
	for i := 0; i < b.N; i++ {
		if _, err := Build(es, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode1MB(b *testing.B) {
	img, err := Build(tree1MB(), Options{Size: 2 << 20, LongNames: true})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(1 << 20)
	for i := 0; i < b.N; i++ {
		if _, err := Decode(img); err != nil {
			b.Fatal(err)
		}
	}
}
