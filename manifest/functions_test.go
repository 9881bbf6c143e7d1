package manifest

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

func TestFunctionsAndLocals(t *testing.T) {
	fs := afero.NewMemMapFs()
	_ = afero.WriteFile(fs, "/m/data/devices.csv", []byte("serial,region\nA1,eu\nB2,us\n"), 0o644)
	_ = afero.WriteFile(fs, "/m/data/cfg.json", []byte(`{"baud": 921600, "name": "acme"}`), 0o644)
	_ = afero.WriteFile(fs, "/m/data/blob.bin", []byte{0, 1, 2, 0xff}, 0o644)
	_ = afero.WriteFile(fs, "/m/espcompose.hcl", []byte(`espcompose { version = 1 }
locals {
  devices = csvdecode(file("data/devices.csv"))
  cfg     = jsondecode(file("data/cfg.json"))
  regions = concat([for d in local.devices : d.region], ["ap"])
}
target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
nvs "n" {
  namespace "f" {
    entry "serial" {
      type  = "string"
      value = format("%s-%s", local.devices[1].serial, upper(local.regions[2]))
    }
    entry "baud" {
      type  = "u32"
      value = lookup(local.cfg, "baud", 115200)
    }
    entry "missing" {
      type  = "u32"
      value = lookup(local.cfg, "nope", 115200)
    }
    entry "digest" {
      type  = "string"
      value = sha256("espcompose")
    }
    entry "b64" {
      type  = "base64"
      value = filebase64("data/blob.bin")
    }
  }
}
`), 0o644)
	f, diags := Parse(fs, "/m/espcompose.hcl")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	cfg, diags := Evaluate(f, Options{FS: fs})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	got := map[string]string{}
	for _, e := range cfg.NVS[0].Namespaces[0].Entries {
		got[e.Key] = *e.Value
	}
	want := map[string]string{
		"serial":  "B2-AP",
		"baud":    "921600",
		"missing": "115200",
		"digest":  fmt.Sprintf("%x", sha256.Sum256([]byte("espcompose"))),
		"b64":     "AAEC/w==",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestFileFunctionErrors(t *testing.T) {
	fs := afero.NewMemMapFs()
	_ = afero.WriteFile(fs, "/m/bin.dat", []byte{0xff, 0xfe, 0x00}, 0o644)
	_ = afero.WriteFile(fs, "/m/espcompose.hcl", []byte(`espcompose { version = 1 }
target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
locals {
  a = file("missing.txt")
  b = file("bin.dat")
}
`), 0o644)
	f, _ := Parse(fs, "/m/espcompose.hcl")
	_, diags := Evaluate(f, Options{FS: fs})
	var msgs []string
	for _, d := range diags {
		msgs = append(msgs, d.Subject.String()+": "+d.Detail)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{`:7,7-12: Call to function "file" failed: cannot read "missing.txt"`, `:8,7-12: Call to function "file" failed: "bin.dat" is not UTF-8 text; use filebase64()`} {
		if !strings.Contains(all, want) {
			t.Errorf("diagnostics lack %q:\n%s", want, all)
		}
	}
}
