package planner

import (
	"path"
	"path/filepath"
	"testing"

	"github.com/espcompose/espcompose/internal/testfs"
	"github.com/spf13/afero"
)

// memExample copies one example directory into an in-memory filesystem under /ex so the
// benchmark measures the front end, not the disk.
func memExample(b *testing.B, name string) (afero.Fs, string) {
	b.Helper()
	src := filepath.Join("..", "examples", name)
	root := path.Join("/ex", name)
	return testfs.ToMem(b, src, root), path.Join(root, "espcompose.hcl")
}

// BenchmarkPlan runs parse, evaluate and plan on the shipped examples: the cost paid
// by every espcompose command before any stage runs.
func BenchmarkPlan(b *testing.B) {
	for _, name := range []string{"quickstart", "secure-production"} {
		b.Run(name, func(b *testing.B) {
			mfs, manifestPath := memExample(b, name)
			if _, diags := planFile(mfs, manifestPath); diags.HasErrors() {
				b.Fatal(diags)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, diags := planFile(mfs, manifestPath); diags.HasErrors() {
					b.Fatal(diags)
				}
			}
		})
	}
}
