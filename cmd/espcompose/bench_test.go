package main

import (
	"fmt"
	"path"
	"path/filepath"
	"testing"

	"github.com/espcompose/espcompose/internal/testfs"
	"github.com/spf13/afero"
)

// memExample copies one example into an in-memory filesystem under /ex, so the build
// benchmarks measure espcompose and not the disk.
func memExample(b *testing.B, name string) (afero.Fs, string) {
	b.Helper()
	src := filepath.Join(examplesDir, name)
	root := path.Join("/ex", name)
	return testfs.ToMem(b, src, root), root
}

// benchBuild runs `espcompose build` on an example. With cold set, every iteration
// starts from an empty stage cache, so every stage runs; otherwise the cache is warmed
// once and each iteration is a no-change rebuild.
func benchBuild(b *testing.B, name string, cold bool) {
	mfs, root := memExample(b, name)
	manifest, dist := path.Join(root, "espcompose.hcl"), path.Join(root, "dist")
	build := func(cacheDir string) {
		code, _, stderr := runCLI(b, mfs, nil, "build", "--json", "-f", manifest, "-o", dist, "--cache-dir", cacheDir)
		if code != 0 {
			b.Fatalf("build %s: exit %d\n%s", name, code, stderr)
		}
	}
	build("/cache/warm")
	merged, _ := afero.Glob(mfs, path.Join(dist, "*-factory.bin"))
	if len(merged) != 1 {
		b.Fatalf("want one merged image in %s, found %v", dist, merged)
	}
	img, err := afero.ReadFile(mfs, merged[0])
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(img)))
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if !cold {
			build("/cache/warm")
			continue
		}
		dir := fmt.Sprintf("/cache/cold%d", i)
		i++
		build(dir)
		// Dropping the cache keeps the in-memory filesystem from growing with b.N.
		b.StopTimer()
		if err := mfs.RemoveAll(dir); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkBuildQuickstart is a full build of the quickstart example, empty cache.
func BenchmarkBuildQuickstart(b *testing.B) { benchBuild(b, "quickstart", true) }

// BenchmarkBuildSecureProduction is a full build of the secure example (RSA-3072
// signing, XTS-AES flash encryption, encrypted NVS), empty cache.
func BenchmarkBuildSecureProduction(b *testing.B) { benchBuild(b, "secure-production", true) }

// BenchmarkRebuildCached rebuilds each example with nothing changed: every cacheable
// stage comes from the cache, outputs are written again.
func BenchmarkRebuildCached(b *testing.B) {
	for _, name := range []string{"quickstart", "secure-production"} {
		b.Run(name, func(b *testing.B) { benchBuild(b, name, false) })
	}
}
