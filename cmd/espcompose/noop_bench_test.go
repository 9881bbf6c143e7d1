package main

import (
	"path/filepath"
	"testing"

	"github.com/spf13/afero"
)

// BenchmarkRebuildNoopDisk rebuilds secure-production on the real filesystem (a temp
// dir) with nothing changed: what `idf.py build` pays on every build once the images
// are published. It pays for the disk, unlike the in-memory benchmarks.
func BenchmarkRebuildNoopDisk(b *testing.B) {
	dir := b.TempDir()
	copyTree(b, filepath.Join(examplesDir, "secure-production"), dir)
	fs := afero.NewOsFs()
	args := []string{"build", "-f", filepath.Join(dir, "espcompose.hcl"), "-o", filepath.Join(dir, "dist")}
	if code, _, stderr := runCLI(b, fs, nil, args...); code != 0 {
		b.Fatalf("first build: exit %d\n%s", code, stderr)
	}
	b.ReportAllocs()
	for b.Loop() {
		if code, _, stderr := runCLI(b, fs, nil, args...); code != 0 {
			b.Fatalf("rebuild: exit %d\n%s", code, stderr)
		}
	}
}
