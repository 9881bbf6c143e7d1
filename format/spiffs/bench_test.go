package spiffs

import (
	"fmt"
	"math/rand"
	"testing"
)

// bench1MBTree is about 1 MiB of files as a web UI might hold them: many small
// files, some of tens of KiB, two large ones, in a few folders.
func bench1MBTree() []File {
	rng := rand.New(rand.NewSource(1))
	var files []File
	total := 0
	add := func(path string, n int) {
		data := make([]byte, n)
		rng.Read(data)
		files = append(files, File{Path: path, Data: data})
		total += n
	}
	add("www/app.js", 300<<10)
	add("www/img/hero.jpg", 200<<10)
	for i := 0; total < 1<<20; i++ {
		dir := []string{"www", "www/css", "www/img", "cfg", "certs"}[i%5]
		n := 100 + rng.Intn(4<<10)
		if i%10 == 0 {
			n = 10<<10 + rng.Intn(40<<10)
		}
		add(fmt.Sprintf("%s/f%03d.bin", dir, i), min(n, 1<<20-total+1))
	}
	return files
}

// BenchmarkBuild1MB builds a ~1 MiB tree into a 2 MiB image with the defaults.
func BenchmarkBuild1MB(b *testing.B) {
	files := bench1MBTree()
	o := DefaultOptions(2 << 20)
	size := 0
	for _, f := range files {
		size += len(f.Data)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(files, o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode1MB reads the same image back.
func BenchmarkDecode1MB(b *testing.B) {
	files := bench1MBTree()
	o := DefaultOptions(2 << 20)
	img, err := Build(files, o)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(img)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(img, o); err != nil {
			b.Fatal(err)
		}
	}
}
