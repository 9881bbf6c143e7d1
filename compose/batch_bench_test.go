package compose

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

// benchProject writes the bench/batch.sh scenario to dir: n devices, one 16 KB NVS
// partition each (serial, hw_rev, region, a certificate blob), encrypted with a
// per-device key created on the first build when enc is set.
func benchProject(b *testing.B, dir string, n int, enc, factory bool) {
	b.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "batch-encrypted-nvs.hcl"))
	if err != nil {
		b.Fatal(err)
	}
	m := string(src)
	if !enc {
		m = regexp.MustCompile(`(?s)key "nvs" \{.*?\n\}\n\n`).ReplaceAllString(m, "")
		m = strings.Replace(m, "  encrypt_with = key.nvs\n", "", 1)
	}
	if factory {
		m = strings.Replace(m, "output {\n", factoryOutput, 1)
	}
	if err := os.MkdirAll(filepath.Join(dir, "certs"), 0o755); err != nil {
		b.Fatal(err)
	}
	var csv strings.Builder
	csv.WriteString("serial,hw_rev,region\n")
	for i := 1; i <= n; i++ {
		s := serial(i)
		fmt.Fprintf(&csv, "%s,%d,eu868\n", s, i%200)
		pem := "-----BEGIN CERTIFICATE-----\n" + s + "\n-----END CERTIFICATE-----\n"
		if err := os.WriteFile(filepath.Join(dir, "certs", s+".pem"), []byte(pem), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for name, data := range map[string]string{"espcompose.hcl": m, "devices.csv": csv.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

// factoryOutput is what bench/batch.sh adds to the output block for the same files
// per device as mfg_gen: the NVS partition only (besides the record and marker).
const factoryOutput = "output {\n  merged       = false\n  device_files = [\"partitions/nvs.bin\"]\n"

// benchmarkBatch times cold batches of n devices (empty output folder, keys and
// cache each time), on disk: what bench/batch.sh measures per process, without the
// process start. Reported as devices/s besides ns/op.
func benchmarkBatch(b *testing.B, n int, enc, factory bool) {
	dir := b.TempDir()
	benchProject(b, dir, n, enc, factory)
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		for _, d := range []string{"dist", "cache", "keys"} {
			if err := os.RemoveAll(filepath.Join(dir, d)); err != nil {
				b.Fatal(err)
			}
		}
		out := filepath.Join(dir, "dist")
		b.StartTimer()
		res, err := RunBatch(context.Background(), Options{FS: afero.NewOsFs(), Manifest: filepath.Join(dir, "espcompose.hcl"),
			Out: out, CacheDir: filepath.Join(dir, "cache"), ToolVersion: "bench"}, BatchOptions{Jobs: 2})
		if err != nil {
			b.Fatal(err)
		}
		if res.Built != n {
			b.Fatalf("run %d built %d devices, want %d", i, res.Built, n)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "devices/s")
}

// Every output per device (the merged image, flash args, build.json, SHA256SUMS).
func BenchmarkBatchPlain200(b *testing.B)     { benchmarkBatch(b, 200, false, false) }
func BenchmarkBatchEncrypted200(b *testing.B) { benchmarkBatch(b, 200, true, false) }

// The NVS partition only per device: what bench/batch.sh compares with mfg_gen.
func BenchmarkBatchFactoryPlain200(b *testing.B)     { benchmarkBatch(b, 200, false, true) }
func BenchmarkBatchFactoryEncrypted200(b *testing.B) { benchmarkBatch(b, 200, true, true) }

// BenchmarkBatchRerun200 times a rerun with nothing changed: every device is checked
// against its record and skipped.
func BenchmarkBatchRerun200(b *testing.B) {
	dir := b.TempDir()
	benchProject(b, dir, 200, false, false)
	opts := Options{FS: afero.NewOsFs(), Manifest: filepath.Join(dir, "espcompose.hcl"),
		Out: filepath.Join(dir, "dist"), CacheDir: filepath.Join(dir, "cache"), ToolVersion: "bench"}
	if _, err := RunBatch(context.Background(), opts, BatchOptions{Jobs: 2}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		res, err := RunBatch(context.Background(), opts, BatchOptions{Jobs: 2})
		if err != nil {
			b.Fatal(err)
		}
		if !res.UpToDate {
			b.Fatal("the rerun was not up to date")
		}
	}
	b.ReportMetric(float64(200*b.N)/b.Elapsed().Seconds(), "devices/s")
}

// 1,000 devices: the fixed start (loading, the first device's shared stages, the
// index) weighs less, so devices/s is closer to the per-device cost.
func BenchmarkBatchFactoryPlain1000(b *testing.B)     { benchmarkBatch(b, 1000, false, true) }
func BenchmarkBatchFactoryEncrypted1000(b *testing.B) { benchmarkBatch(b, 1000, true, true) }
