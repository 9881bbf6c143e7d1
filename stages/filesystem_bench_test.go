package stages

import (
	"context"
	"fmt"
	"math/rand"
	"testing"

	"github.com/espcompose/espcompose/internal/fsimage"
)

// benchTree is a 1 MB web-UI-like tree: 64 files of 1.5 to 31.5 KB in four folders, with
// pseudo-random content (fixed seed), as the stage receives it from its sources.
func benchTree() ([]FSEntry, []Artifact, int) {
	r := rand.New(rand.NewSource(1))
	var entries []FSEntry
	var in []Artifact
	total := 0
	for d := 0; d < 4; d++ {
		dir := fmt.Sprintf("dir%d", d)
		entries = append(entries, FSEntry{Path: dir, Dir: true})
		for f := 0; f < 16; f++ {
			size := 1024*(1+(d*16+f)%31) + 512
			data := make([]byte, size)
			r.Read(data)
			entries = append(entries, FSEntry{Path: fmt.Sprintf("%s/file%02d.bin", dir, f)})
			in = append(in, NewArtifact(data))
			total += size
		}
	}
	return entries, in, total
}

// BenchmarkFilesystemStage builds the 1 MB tree into a 2 MB partition through the
// filesystem stage, as a build does when a folder changed (Must show of issue 12).
func BenchmarkFilesystemStage(b *testing.B) {
	entries, in, total := benchTree()
	if total < 1<<20 || total > 1<<20+64<<10 {
		b.Fatalf("tree is %d bytes, want about 1 MB", total)
	}
	for _, typ := range fsimage.Types {
		b.Run(typ, func(b *testing.B) {
			spec := fsimage.Defaults(typ, 2<<20)
			spec.LongNames = typ != fsimage.SPIFFS
			st := &Filesystem{Name: "bench", Partition: "storage", Spec: spec, Entries: entries}
			b.SetBytes(int64(total))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				art, err := st.Run(context.Background(), nil, in)
				if err != nil {
					b.Fatal(err)
				}
				if len(art.Data) != 2<<20 {
					b.Fatalf("%d bytes", len(art.Data))
				}
			}
		})
	}
}
