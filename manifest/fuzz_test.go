package manifest

import (
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/afero"
)

// fuzzManifestFS is the in-memory project every fuzzed manifest is evaluated in:
// the files the seed manifests name exist, so evaluation goes past file loading.
func fuzzManifestFS(src []byte, devices string) afero.Fs {
	fs := afero.NewMemMapFs()
	_ = afero.WriteFile(fs, "/m/espcompose.hcl", src, 0o644)
	_ = afero.WriteFile(fs, "/m/devices.csv", []byte(devices), 0o644)
	_ = afero.WriteFile(fs, "/m/certs/client_cert_00.crt", []byte("-----BEGIN CERTIFICATE-----\n"), 0o644)
	_ = afero.WriteFile(fs, "/m/certs/ca.crt", []byte("-----BEGIN CERTIFICATE-----\n"), 0o644)
	_ = afero.WriteFile(fs, "/m/mfg_nvs.csv", []byte("key,type,encoding,value\nns,namespace,,\nk,data,u8,1\n"), 0o644)
	return fs
}

const fuzzSmallManifest = `espcompose { version = 1 }
variable "v" {
  type    = string
  default = "1.0.0"
}
locals { half = 0x3000 }
target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
image "app" {
  file = "build/app.bin"
  expect { version = var.v }
}
partition "nvs" {
  type     = "data"
  subtype  = "nvs"
  size     = local.half * 2
  contents = nvs.cfg
}
partition "ota_0" {
  type     = "app"
  subtype  = "ota_0"
  size     = "1536K"
  contents = image.app
}
partition "at_customize" {
  type    = 0x40
  subtype = 0
  size    = "256K"
  table {
    partition "fs" {
      type    = "data"
      subtype = "spiffs"
      size    = "64K"
    }
  }
}
nvs "cfg" {
  namespace "config" {
    entry "region" {
      type  = "string"
      value = "eu868"
    }
  }
}
`

// FuzzLoadEvaluate parses and evaluates arbitrary manifests. Invariants: no panic;
// every error diagnostic says where it is (a file name and a line) unless it is
// about the command line; evaluation is deterministic (twice gives the same
// Config); a manifest that evaluates cleanly has a target.
func FuzzLoadEvaluate(f *testing.F) {
	f.Add([]byte(fuzzSmallManifest), "")
	for _, p := range []string{"testdata/full.hcl", "../examples/quickstart/espcompose.hcl", "../examples/esp-at/espcompose.hcl",
		"../examples/secure-production/espcompose.hcl", "../examples/manufacturing/espcompose.hcl"} {
		if src, err := os.ReadFile(p); err == nil {
			f.Add(src, "4.2.0")
		}
	}
	f.Add([]byte(`espcompose { version = 2 }`), "")
	f.Add([]byte(`partition "p" { size = partition.p.size }`), "")
	f.Add([]byte("locals {\n a = local.b\n b = local.a\n}\n"), "")
	f.Fuzz(func(t *testing.T, src []byte, version string) {
		if len(src) > 1<<16 {
			return
		}
		defer watchdog(t, 10*time.Second)()
		fs := fuzzManifestFS(src, "serial,hw_rev,region\nMTR-1,3,eu868\n")
		file, diags := Parse(fs, "/m/espcompose.hcl")
		checkDiags(t, diags)
		if diags.HasErrors() {
			return
		}
		vars := map[string]string{}
		for _, v := range file.Variables {
			vars[v.Name] = version
		}
		rows, diags := DeviceRows(fs, file)
		checkDiags(t, diags)
		var row map[string]string
		if len(rows) > 0 {
			row = rows[0]
		}
		cfg, diags := Evaluate(file, Options{FS: fs, Vars: vars, Device: row})
		checkDiags(t, diags)
		again, diags2 := Evaluate(file, Options{FS: fs, Vars: vars, Device: row})
		if diags.Error() != diags2.Error() {
			t.Fatalf("evaluation is not deterministic:\n%v\n---\n%v", diags, diags2)
		}
		if diags.HasErrors() {
			return
		}
		if cfg == nil || cfg.Target.Chip == "" {
			t.Fatalf("a clean evaluation has no target: %+v", cfg)
		}
		if a, b := cfg.AllPartitions(), again.AllPartitions(); !reflect.DeepEqual(a, b) {
			t.Fatalf("evaluation is not deterministic: partitions differ:\n%s\n---\n%s", partitionsText(a), partitionsText(b))
		}
	})
}

func partitionsText(ps []*Partition) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%s %d/%d size %#x\n", p.Name, p.Type, p.Subtype, p.Size)
	}
	return b.String()
}

// watchdog fails the test with every goroutine's stack when the returned stop
// function is not called in time: the fuzzer then keeps the input that hangs.
func watchdog(t *testing.T, d time.Duration) (stop func()) {
	timer := time.AfterFunc(d, func() {
		buf := make([]byte, 1<<20)
		panic(fmt.Sprintf("no result after %v:\n%s", d, buf[:runtime.Stack(buf, true)]))
	})
	return func() { timer.Stop() }
}

// checkDiags: an error about the manifest names its place in the manifest.
func checkDiags(t *testing.T, diags hcl.Diagnostics) {
	t.Helper()
	for _, d := range diags {
		if d.Severity != hcl.DiagError || d.Subject == nil {
			continue
		}
		if d.Subject.Filename == "" || d.Subject.Start.Line < 1 {
			t.Fatalf("diagnostic %q has no file:line (%+v)", d.Summary, d.Subject)
		}
		if strings.TrimSpace(d.Summary) == "" {
			t.Fatalf("diagnostic without a summary at %v", d.Subject)
		}
	}
}

// FuzzDeviceRows reads arbitrary devices CSV files. Invariants: no panic; rows come
// back only without errors, every row has every header column, values are
// trimmed; an error names the CSV file.
func FuzzDeviceRows(f *testing.F) {
	if src, err := os.ReadFile("../examples/manufacturing/devices.csv"); err == nil {
		f.Add(src)
	}
	f.Add([]byte("serial,hw_rev,region\nMTR-1,3,eu868\n"))
	f.Add([]byte("serial\n"))
	f.Add([]byte("a,b\n1\n"))
	f.Add([]byte("\"a\nb\",c\n\"x\",\"y\"\"z\"\n"))
	f.Add([]byte(" serial , region \r\n A , B \r\n"))
	manifest := []byte("espcompose { version = 1 }\ntarget {\n  chip = \"esp32c3\"\n  flash_size = \"4MB\"\n}\n" +
		"devices {\n  csv = \"devices.csv\"\n  id  = device.serial\n}\n")
	f.Fuzz(func(t *testing.T, csvSrc []byte) {
		fs := fuzzManifestFS(manifest, string(csvSrc))
		file, diags := Parse(fs, "/m/espcompose.hcl")
		if diags.HasErrors() {
			t.Fatalf("seed manifest: %v", diags)
		}
		rows, diags := DeviceRows(fs, file)
		checkDiags(t, diags)
		if diags.HasErrors() {
			if rows != nil {
				t.Fatal("rows returned with errors")
			}
			if !strings.Contains(diags.Error(), "devices.csv") {
				t.Fatalf("error does not name the CSV: %v", diags)
			}
			return
		}
		if len(rows) == 0 {
			t.Fatal("no rows and no error")
		}
		for _, row := range rows {
			if len(row) != len(rows[0]) {
				t.Fatalf("rows have different columns: %v vs %v", row, rows[0])
			}
			for k, v := range row {
				if strings.TrimSpace(k) != k || k == "" || strings.TrimSpace(v) != v {
					t.Fatalf("untrimmed or empty column %q = %q", k, v)
				}
			}
		}
	})
}

// FuzzParseSize: sizes are never negative or above 1 TiB, and every accepted size
// reads back the same when written in bytes, in hex, and (when whole) with K or M.
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"4MB", "56K", "1856K", "0x1000", "4096", " 16M ", "0", "1k", "0X8000", "4mb", "1099511627776", "1TB", "0x10K", "", "-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err != nil {
			if !strings.Contains(err.Error(), "size") && !strings.Contains(err.Error(), "large") {
				t.Fatalf("error %q does not say what is wrong", err)
			}
			return
		}
		if n > 1<<40 {
			t.Fatalf("%q = %d, above 1 TiB", s, n)
		}
		forms := []string{fmt.Sprint(n), fmt.Sprintf("0x%x", n)}
		if n%(1<<10) == 0 {
			forms = append(forms, fmt.Sprintf("%dK", n>>10))
		}
		if n%(1<<20) == 0 {
			forms = append(forms, fmt.Sprintf("%dMB", n>>20), FlashSizeName(n))
		}
		for _, form := range forms {
			if m, err := ParseSize(form); err != nil || m != n {
				t.Fatalf("%q = %d, but %q = %d (%v)", s, n, form, m, err)
			}
		}
	})
}
