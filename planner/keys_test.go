package planner

import (
	"testing"

	"github.com/spf13/afero"
)

// TestKeysAccepted: the key checks pass every well-formed key, and a key with
// create = true whose file does not exist yet plans (the build makes it).
func TestKeysAccepted(t *testing.T) {
	fs := testFS(t)
	src := `espcompose { version = 1 }
target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
key "flash" {
  algorithm = "xts-aes-128"
  file      = "keys/32.bin"
}
key "fresh" {
  algorithm = "hmac"
  file      = "keys/not-yet.bin"
  create    = true
}
key "nvs" {
  algorithm = "nvs-xts"
  file      = "keys/nvs_keys.bin"
}
key "local_sb" {
  algorithm = "ecdsa-p256"
  file      = "keys/p256.pem"
}
key "remote_sb" {
  algorithm  = "ecdsa-p256"
  public_key = "keys/p256_pub.pem"
  signer     = ["sign-tool", "{digest}"]
}
security {
  flash_encryption { key = key.flash }
}
image "app" { file = "images/c3-app.bin" }
partition "factory" {
  type     = "app"
  subtype  = "factory"
  size     = "1M"
  contents = image.app
}
`
	if err := afero.WriteFile(fs, "/p/espcompose.hcl", []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	pl, diags := planFile(fs, "/p/espcompose.hcl")
	if diags.HasErrors() || pl == nil {
		t.Fatalf("plan failed:\n%s", describe(diags))
	}
	if _, err := fs.Stat("/p/keys/not-yet.bin"); err == nil {
		t.Fatal("planning created a key")
	}
}
