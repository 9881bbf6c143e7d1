package compose_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/compose"
	"github.com/espcompose/espcompose/internal/testfs"
)

// diskExample lays out a benchmark project in a temp dir on the real filesystem: an
// example folder, or one of bench/examples/ (a manifest only) on top of
// examples/secure-production's images, keys and certs, as bench/run.sh does.
func diskExample(b *testing.B, name string) string {
	b.Helper()
	dir := b.TempDir()
	if _, err := os.Stat(filepath.Join(examplesDir, name)); err == nil {
		testfs.ToDir(b, filepath.Join(examplesDir, name), dir)
		return filepath.Join(dir, "espcompose.hcl")
	}
	testfs.ToDir(b, filepath.Join(examplesDir, "secure-production"), dir)
	src, err := os.ReadFile(filepath.Join("..", "bench", "examples", name, "espcompose.hcl"))
	if err != nil {
		b.Fatal(err)
	}
	mf := filepath.Join(dir, "espcompose.hcl")
	if err := os.WriteFile(mf, src, 0o644); err != nil {
		b.Fatal(err)
	}
	return mf
}

// benchDiskProjects are the builds bench/run.sh times as whole processes.
var benchDiskProjects = []string{"production", "production-16mb", "secure-production", "quickstart"}

func buildOnce(b *testing.B, opts compose.Options) *compose.Result {
	p, err := compose.Load(opts, false)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	res, err := p.Build(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return res
}

// mergedSize is the size of the published merged image, for MB/s.
func mergedSize(b *testing.B, dist string) int64 {
	m, _ := filepath.Glob(filepath.Join(dist, "*-factory.bin"))
	if len(m) != 1 {
		b.Fatalf("want one merged image in %s, found %v", dist, m)
	}
	st, err := os.Stat(m[0])
	if err != nil {
		b.Fatal(err)
	}
	return st.Size()
}

// BenchmarkBuildDisk is a cold build on the real filesystem (a temp dir): empty stage
// cache and a new output folder every iteration, so every stage runs, the cache is
// filled and the tree is written, flushed and swapped in, as `espcompose build` does
// on a developer's disk. The in-memory benchmarks (cmd/espcompose) never pay for that.
// MB/s is the merged image over the time.
func BenchmarkBuildDisk(b *testing.B) {
	for _, name := range benchDiskProjects {
		b.Run(name, func(b *testing.B) {
			mf := diskExample(b, name)
			dir := filepath.Dir(mf)
			opts := compose.Options{FS: afero.NewOsFs(), Manifest: mf, ToolVersion: "bench"}
			i := 0
			next := func() compose.Options {
				i++
				o := opts
				o.Out = filepath.Join(dir, fmt.Sprintf("dist%d", i))
				o.CacheDir = filepath.Join(dir, fmt.Sprintf("cache%d", i))
				return o
			}
			first := next()
			buildOnce(b, first)
			b.SetBytes(mergedSize(b, first.Out))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				o := next()
				buildOnce(b, o)
				b.StopTimer()
				// Removing what the iteration made keeps the temp dir from growing.
				if err := os.RemoveAll(o.Out); err != nil {
					b.Fatal(err)
				}
				if err := os.RemoveAll(o.CacheDir); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}

// BenchmarkRebuildDisk rebuilds on the real filesystem with nothing changed: what
// `idf.py build` pays on every build once the images are published ("Up to date").
func BenchmarkRebuildDisk(b *testing.B) {
	for _, name := range benchDiskProjects {
		b.Run(name, func(b *testing.B) {
			mf := diskExample(b, name)
			opts := compose.Options{FS: afero.NewOsFs(), Manifest: mf, ToolVersion: "bench",
				Out: filepath.Join(filepath.Dir(mf), "dist")}
			buildOnce(b, opts)
			b.SetBytes(mergedSize(b, opts.Out))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if res := buildOnce(b, opts); !res.UpToDate {
					b.Fatal("a rebuild with nothing changed was not up to date")
				}
			}
		})
	}
}

// BenchmarkQuickUpToDate is the rebuild the CLI answers from the up-to-date record:
// read the record, hash the inputs, stat the output tree. Compare it with
// BenchmarkRebuildDisk (the full path) and with a process start (bench/run.sh's
// noop group against `espcompose version`).
func BenchmarkQuickUpToDate(b *testing.B) {
	for _, name := range benchDiskProjects {
		b.Run(name, func(b *testing.B) {
			mf := diskExample(b, name)
			time.Sleep(60 * time.Millisecond) // inputs older than the racy margin get recorded
			opts := compose.Options{FS: afero.NewOsFs(), Manifest: mf, ToolVersion: "bench", BuildID: "bench",
				Out: filepath.Join(filepath.Dir(mf), "dist")}
			buildOnce(b, opts)
			if res := buildOnce(b, opts); !res.UpToDate {
				b.Fatal("second build not up to date")
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, ok := compose.QuickUpToDate(opts); !ok {
					b.Fatal("the record did not answer")
				}
			}
		})
	}
}
