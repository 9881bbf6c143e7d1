package verify

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/testimage"
)

// withUF2 turns on every merged format and fill_flash in the quickstart manifest.
func withUF2(src string) string {
	return strings.Replace(src, "hex  = true", "hex = true\n  uf2 = true\n  fill_flash = true", 1)
}

// v1Example is an ESP32 with Secure Boot V1: signed apps and the reflashable
// bootloader digest.
func v1Example(tb testing.TB) (afero.Fs, string) {
	tb.Helper()
	fs := afero.NewMemMapFs()
	app, err := testimage.App(testimage.AppSpec{Chip: "esp32", Project: "v1", Version: "1"})
	if err != nil {
		tb.Fatal(err)
	}
	bl, err := testimage.BootloaderWith(testimage.AppSpec{Chip: "esp32", FlashSize: "4MB"})
	if err != nil {
		tb.Fatal(err)
	}
	_ = afero.WriteFile(fs, "/v1/app.bin", app, 0o600)
	_ = afero.WriteFile(fs, "/v1/bootloader.bin", bl, 0o600)
	m := `espcompose { version = 1 }
target {
  chip       = "esp32"
  flash_size = "4MB"
}
key "sb" {
  algorithm = "ecdsa-p256"
  file      = "keys/sb.pem"
  create    = true
}
security {
  secure_boot {
    version = 1
    keys    = [key.sb]
  }
}
image "bootloader" { file = "bootloader.bin" }
image "app" { file = "app.bin" }
bootloader { image = image.bootloader }
partition "factory" {
  type     = "app"
  subtype  = "factory"
  size     = "1M"
  contents = image.app
}
partition "storage" {
  type    = "data"
  subtype = "spiffs"
  size    = "64K"
  fill    = 0x00
}
`
	_ = afero.WriteFile(fs, "/v1/espcompose.hcl", []byte(m), 0o600)
	return fs, "/v1/espcompose.hcl"
}

var (
	builtMu sync.Mutex
	builts  = map[string]Input{}
)

// built builds a fixture once per test binary; each test gets its own copy of the
// file list to tamper with.
func built(tb testing.TB, name string) Input {
	tb.Helper()
	builtMu.Lock()
	defer builtMu.Unlock()
	in, ok := builts[name]
	if !ok {
		var fs afero.Fs
		var file string
		switch name {
		case "quickstart+uf2":
			fs, file = example(tb, "quickstart", withUF2)
		case "v1":
			fs, file = v1Example(tb)
		default:
			fs, file = example(tb, name, nil)
		}
		in = build(tb, fs, file)
		builts[name] = in
	}
	return in
}

// TestExamplesVerifyClean: every example (and the V1 and all-formats fixtures) reads
// back clean, and the checks that matter for each were actually made.
func TestExamplesVerifyClean(t *testing.T) {
	want := map[string][]string{
		"quickstart":              {"table", "image", "otadata", "merged", "hex", "flash-args"},
		"quickstart+uf2":          {"table", "merged", "hex", "uf2", "flash-args"},
		"secure-production":       {"decrypt", "table", "nvs", "nvs-keys", "signature", "otadata", "merged", "flash-args", "ota"},
		"esp-at":                  {"decrypt", "table", "nvs", "otadata", "merged", "ota"},
		"manufacturing":           {"table", "nvs", "secure-cert", "merged"},
		"manufacturing-encrypted": {"decrypt", "table", "nvs", "secure-cert", "merged"},
		"v1":                      {"digest", "signature", "fill", "merged"},
		"webui":                   {"table", "image", "filesystem", "merged", "flash-args"},
		"release/v1":              {"table", "image", "nvs", "otadata", "merged", "flash-args", "ota"},
		"release/v2":              {"table", "image", "nvs", "otadata", "merged", "flash-args", "ota"},
	}
	entries, err := os.ReadDir("../examples")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if name == "release" { // a product's two releases, one folder deeper
			name = "release/v1"
		}
		if _, ok := want[name]; !ok && name != "remote-signing" {
			t.Errorf("example %s has no verify expectations here", e.Name())
		}
	}
	for name, kinds := range want {
		if !strings.HasPrefix(name, "manufacturing") { // a batch's devices get no reports unless asked
			kinds = append(kinds, "sbom", "report") // every other build writes the reports
		}
		t.Run(name, func(t *testing.T) {
			in := built(t, name)
			rep, err := Build(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]int{}
			for _, c := range rep.Checks {
				seen[c.Kind]++
			}
			for _, k := range kinds {
				if seen[k] == 0 {
					t.Errorf("no %s check was made: %v", k, seen)
				}
			}
		})
	}
}

// corruption is one way an output can go wrong and the message that must name it.
type corruption struct {
	name    string
	fixture string
	tamper  func(t *testing.T, in *Input) string // returns the expected message
}

func TestCorruptionsAreFound(t *testing.T) {
	for _, tc := range corruptions {
		t.Run(tc.name, func(t *testing.T) {
			in := built(t, tc.fixture)
			// A fresh plan for cases that change it.
			want := tc.tamper(t, &in)
			got := failures(t, in)
			t.Logf("failures:\n%s", got)
			if !strings.Contains(got, want) {
				t.Errorf("failures do not include %q:\n%s", want, got)
			}
			_, err := Build(context.Background(), in)
			if !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "nothing was published") {
				t.Errorf("error %v does not wrap ErrMismatch", err)
			}
		})
	}
}

// flip returns b with one byte inverted.
func flip(b []byte, i int) []byte {
	b[i] ^= 0xFF
	return b
}

func mergedFile(t *testing.T, in *Input) string {
	t.Helper()
	return in.Plan.Merged[0].File
}

// BenchmarkVerify measures the read-back alone, which every build now pays before
// publishing.
func BenchmarkVerify(b *testing.B) {
	for _, name := range []string{"quickstart", "secure-production", "esp-at"} {
		b.Run(name, func(b *testing.B) {
			in := built(b, name)
			total := 0
			for _, f := range in.Files {
				total += len(f.Data)
			}
			b.SetBytes(int64(total))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := Build(context.Background(), in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
