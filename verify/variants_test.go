package verify

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/testimage"
)

// variant is a security setup the examples do not cover; verify must pass every
// correct build of it, or it would fail builds that are right.
type variant struct {
	name     string
	chip     string
	minRev   string
	flashKey string // flash encryption algorithm; "" for none
	device   bool   // device_encrypts
	sb       int    // secure boot version; 0 for none
	sbKeys   []string
	nvsKey   string // nvs-xts or nvs-hmac; "" for plaintext NVS
}

var variants = []variant{
	{name: "esp32 AES-256, Secure Boot V2, nvs-xts", chip: "esp32", minRev: "v3.0", flashKey: "aes-256", sb: 2, sbKeys: []string{"rsa-3072"}, nvsKey: "nvs-xts"},
	{name: "esp32 AES-256, Secure Boot V1", chip: "esp32", flashKey: "aes-256", sb: 1, sbKeys: []string{"ecdsa-p256"}},
	{name: "esp32s3 XTS-AES-256, two V2 keys, nvs-hmac", chip: "esp32s3", flashKey: "xts-aes-256", sb: 2, sbKeys: []string{"rsa-3072", "rsa-3072"}, nvsKey: "nvs-hmac"},
	{name: "esp32c2 XTS-AES-128 derived, ECDSA V2", chip: "esp32c2", flashKey: "xts-aes-128-derived", sb: 2, sbKeys: []string{"ecdsa-p256"}},
	{name: "esp32c3 device encrypts", chip: "esp32c3", flashKey: "xts-aes-128", device: true},
	{name: "esp32c6 plain, ECDSA P-256 V2", chip: "esp32c6", sb: 2, sbKeys: []string{"ecdsa-p256"}, nvsKey: "nvs-hmac"},
}

func (v variant) manifest() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "espcompose {\n  version = 1\n}\ntarget {\n  chip       = %q\n  flash_size = \"4MB\"\n  flash_mode = \"dio\"\n", v.chip)
	if v.minRev != "" {
		fmt.Fprintf(&sb, "  min_revision = %q\n", v.minRev)
	}
	sb.WriteString("}\n")
	var sec []string
	if v.flashKey != "" {
		fmt.Fprintf(&sb, "key \"flash\" {\n  algorithm = %q\n  file = \"keys/flash.bin\"\n  create = true\n}\n", v.flashKey)
		sec = append(sec, fmt.Sprintf("  flash_encryption {\n    key = key.flash\n    mode = \"development\"\n    device_encrypts = %v\n  }\n", v.device))
	}
	if v.sb != 0 {
		var refs []string
		for i, alg := range v.sbKeys {
			fmt.Fprintf(&sb, "key \"sb%d\" {\n  algorithm = %q\n  file = \"keys/sb%d.pem\"\n  create = true\n}\n", i, alg, i)
			refs = append(refs, fmt.Sprintf("key.sb%d", i))
		}
		sec = append(sec, fmt.Sprintf("  secure_boot {\n    version = %d\n    keys = [%s]\n  }\n", v.sb, strings.Join(refs, ", ")))
	}
	if len(sec) > 0 {
		fmt.Fprintf(&sb, "security {\n%s}\n", strings.Join(sec, ""))
	}
	encryptWith := ""
	if v.nvsKey != "" {
		fmt.Fprintf(&sb, "key \"nvs\" {\n  algorithm = %q\n  file = \"keys/nvs.bin\"\n  create = true\n}\n", v.nvsKey)
		encryptWith = "  encrypt_with = key.nvs\n"
	}
	sb.WriteString(`image "bootloader" {
  file = "bootloader.bin"
}
image "app" {
  file = "app.bin"
}
bootloader {
  image = image.bootloader
}
partition "nvs" {
  type     = "data"
  subtype  = "nvs"
  size     = "16K"
  contents = nvs.cfg
}
partition "otadata" {
  type    = "data"
  subtype = "ota"
  size    = "8K"
  boot    = partition.ota_1
}
`)
	if v.nvsKey == "nvs-xts" {
		sb.WriteString("partition \"nvs_keys\" {\n  type = \"data\"\n  subtype = \"nvs_keys\"\n  size = \"4K\"\n  contents = key.nvs\n}\n")
	}
	sb.WriteString(`partition "ota_0" {
  type    = "app"
  subtype = "ota_0"
  size    = "1M"
}
partition "ota_1" {
  type     = "app"
  subtype  = "ota_1"
  size     = "1M"
  contents = image.app
}
partition "store" {
  type      = "data"
  subtype   = "spiffs"
  size      = "64K"
  encrypted = true
  fill      = 0xAB
}
nvs "cfg" {
`)
	sb.WriteString(encryptWith)
	sb.WriteString(`  namespace "a" {
    entry "n" {
      type  = "i8"
      value = -5
    }
    entry "s" {
      type  = "string"
      value = "hi"
    }
    entry "big" {
      type  = "u64"
      value = 18446744073709551615
    }
  }
}
ota "app" {
  image = image.app
  slots = [partition.ota_0, partition.ota_1]
}
output {
  name       = "v"
  hex        = true
  uf2        = true
  fill_flash = true
}
`)
	return sb.String()
}

// TestVariantsVerifyClean builds each variant and verifies it: no check may fail.
func TestVariantsVerifyClean(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			fs := afero.NewMemMapFs()
			app, err := testimage.App(testimage.AppSpec{Chip: v.chip, Project: "variant", Version: "1"})
			if err != nil {
				t.Fatal(err)
			}
			bl, err := testimage.BootloaderWith(testimage.AppSpec{Chip: v.chip, FlashSize: "4MB"})
			if err != nil {
				t.Fatal(err)
			}
			_ = afero.WriteFile(fs, "/p/app.bin", app, 0o600)
			_ = afero.WriteFile(fs, "/p/bootloader.bin", bl, 0o600)
			_ = afero.WriteFile(fs, "/p/espcompose.hcl", []byte(v.manifest()), 0o600)
			in := build(t, fs, "/p/espcompose.hcl")
			rep, err := Build(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[string]int{}
			for _, c := range rep.Checks {
				kinds[c.Kind]++
			}
			want := []string{"table", "nvs", "otadata", "fill", "merged", "hex", "uf2", "flash-args", "ota"}
			if v.flashKey != "" && !v.device {
				want = append(want, "decrypt")
			}
			if v.sb != 0 {
				want = append(want, "signature")
			}
			if v.sb == 1 {
				want = append(want, "digest")
			}
			if v.nvsKey == "nvs-xts" {
				want = append(want, "nvs-keys")
			}
			for _, k := range want {
				if kinds[k] == 0 {
					t.Errorf("no %s check: %v", k, kinds)
				}
			}
		})
	}
}
