package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/internal/testimage"
)

// dataManifest fills NVS from CSV (with a file row relative to the CSV), from blocks,
// encrypts it with HMAC-derived keys, and fills a partition with a fixed-layout record.
const dataManifest = `
espcompose { version = 1 }
target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
key "nvs_hmac" {
  algorithm = "nvs-hmac"
  file      = "keys/hmac.bin"
}
image "app" {
  file = "app.bin"
}
partition "nvs" {
  type     = "data"
  subtype  = "nvs"
  size     = "16K"
  contents = nvs.settings
}
partition "params" {
  type     = "data"
  subtype  = 0x40
  size     = "4K"
  contents = struct.factory
}
partition "factory" {
  type     = "app"
  subtype  = "factory"
  size     = "1M"
  contents = image.app
}
nvs "settings" {
  encrypt_with = key.nvs_hmac
  import_csv   = "data/settings.csv"
  namespace "extra" {
    entry "serial" {
      type  = "string"
      value = format("SN-%05d", 42)
    }
    entry "count" {
      type  = "u16"
      value = 0x1234
    }
  }
}
struct "factory" {
  size = 16
  fill = 0xff
  field "magic" {
    offset = 0
    type   = "u16"
    value  = 0xfcfc
  }
  field "cc" {
    offset = 4
    type   = "string"
    size   = 4
    value  = "DE"
  }
}
`

func TestNVSAndStructFromManifest(t *testing.T) {
	fs := afero.NewMemMapFs()
	app, _ := testimage.App(testimage.AppSpec{Chip: "esp32c3", Project: "d", Version: "1"})
	hmacKey := bytes.Repeat([]byte{0x5c}, 32)
	files := map[string][]byte{
		"/p/espcompose.hcl":    []byte(dataManifest),
		"/p/app.bin":           app,
		"/p/keys/hmac.bin":     hmacKey,
		"/p/data/settings.csv": []byte("key,type,encoding,value\nwifi,namespace,,\nssid,data,string,espcompose\ncert,file,binary,certs/ca.pem\n"),
		"/p/data/certs/ca.pem": []byte("-----BEGIN CERTIFICATE-----\n"),
	}
	for p, b := range files {
		_ = afero.WriteFile(fs, p, b, 0o600)
	}
	code, stdout, stderr := runCLI(t, fs, nil, "plan", "-f", "/p/espcompose.hcl")
	if code != 0 || !strings.Contains(stdout, "nvs.settings") || !strings.Contains(stdout, "struct.factory") {
		t.Fatalf("plan: %d %s %s", code, stdout, stderr)
	}
	if code, _, stderr = runCLI(t, fs, nil, "build", "-f", "/p/espcompose.hcl", "-o", "/out"); code != 0 {
		t.Fatal(stderr)
	}
	img, _ := afero.ReadFile(fs, "/out/partitions/nvs.bin")
	if _, err := nvs.Decode(img, nil); err == nil {
		t.Error("NVS decodes without keys: it was not encrypted")
	}
	keys, _ := nvs.DeriveHMACKeys(hmacKey)
	d, err := nvs.Decode(img, &keys)
	if err != nil {
		t.Fatalf("NVS does not decode with the HMAC-derived keys: %v", err)
	}
	var got []string
	for _, ns := range d.Partition.Namespaces {
		for _, e := range ns.Entries {
			v := e.Str
			if e.Type == nvs.Blob {
				v = string(e.Blob)
			} else if e.Type == nvs.U16 {
				v = "0x1234"
				if e.Uint != 0x1234 {
					v = "wrong"
				}
			}
			got = append(got, ns.Name+"/"+e.Key+"="+v)
		}
	}
	want := "wifi/ssid=espcompose wifi/cert=-----BEGIN CERTIFICATE-----\n extra/serial=SN-00042 extra/count=0x1234"
	if strings.Join(got, " ") != want {
		t.Errorf("NVS entries = %q\nwant        %q", strings.Join(got, " "), want)
	}
	rec, _ := afero.ReadFile(fs, "/out/partitions/params.bin")
	if !bytes.Equal(rec, []byte{0xfc, 0xfc, 0xff, 0xff, 'D', 'E', 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}) {
		t.Errorf("struct record = % x", rec)
	}
	plan, _ := afero.ReadFile(fs, "/out/efuse-plan.sh")
	if !bytes.Contains(plan, []byte("burn_key BLOCK_KEY0 'keys/hmac.bin' HMAC_UP")) {
		t.Errorf("eFuse plan lacks the NVS HMAC key:\n%s", plan)
	}
	if _, err := fs.Stat("/out/partitions/nvs_keys.bin"); err == nil {
		t.Error("the HMAC scheme needs no nvs_keys partition")
	}
}
