package main

import (
	"path"
	"testing"
)

// BenchmarkBuildVerifyCost builds secure-production with a warm cache (where the
// read-back is the largest share of a build) and a cold one, with verify on (the
// default) and off: the difference is what verification adds to a build.
func BenchmarkBuildVerifyCost(b *testing.B) {
	for _, mode := range []struct {
		name  string
		extra []string
	}{{"verify", nil}, {"no-verify", []string{"--no-verify"}}} {
		for _, cold := range []bool{false, true} {
			name := mode.name + "/warm"
			if cold {
				name = mode.name + "/cold"
			}
			b.Run(name, func(b *testing.B) {
				mfs, root := memExample(b, "secure-production")
				manifest, dist := path.Join(root, "espcompose.hcl"), path.Join(root, "dist")
				build := func(cache string) {
					args := append([]string{"build", "--json", "-f", manifest, "-o", dist, "--cache-dir", cache}, mode.extra...)
					if code, _, stderr := runCLI(b, mfs, nil, args...); code != 0 {
						b.Fatalf("exit %d\n%s", code, stderr)
					}
				}
				build("/cache/warm")
				b.ResetTimer()
				for b.Loop() {
					if !cold {
						build("/cache/warm")
						continue
					}
					build("/cache/cold")
					b.StopTimer()
					if err := mfs.RemoveAll("/cache/cold"); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
			})
		}
	}
}
