package planner

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"
)

// memExample copies one example directory into an in-memory filesystem under /ex so the
// benchmark measures the front end, not the disk.
func memExample(b *testing.B, name string) (afero.Fs, string) {
	b.Helper()
	src := filepath.Join("..", "examples", name)
	mfs := afero.NewMemMapFs()
	root := path.Join("/ex", name)
	err := fs.WalkDir(os.DirFS(src), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".espcompose" || d.Name() == "dist" {
				return fs.SkipDir
			}
			return mfs.MkdirAll(path.Join(root, p), 0o755)
		}
		data, err := os.ReadFile(filepath.Join(src, filepath.FromSlash(p)))
		if err != nil {
			return err
		}
		return afero.WriteFile(mfs, path.Join(root, p), data, 0o600)
	})
	if err != nil {
		b.Fatal(err)
	}
	return mfs, path.Join(root, "espcompose.hcl")
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
