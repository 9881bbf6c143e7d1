package stages

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/spf13/afero"
)

// The vectors were computed outside Go (Python's hmac and hashlib, RFC 5869 written
// out), so they pin the documented derivation, not this implementation.
func TestDeriveKeyVectors(t *testing.T) {
	master := make([]byte, 32)
	for i := range master {
		master[i] = byte(i)
	}
	for alg, want := range map[string]string{
		"xts-aes-128":         "ff8706ed5263ff46508fcb5894b2e966c106782dc239a5d8619a8d7ad932f1e0",
		"xts-aes-256":         "ebaaebd1b974fdb4bb8fd2e81cd35a00ea9024d53b1e5376b2b7bdb128f593aa1a313a17af04116accaab5a20f89d3f642eed4c7661d8c0b9feb7345923b547b",
		"aes-256":             "8bd433bdf9c0ef77fc2bf74ac34ba295e3db4a20d22d8b1d3cc0676db38338c9",
		"xts-aes-128-derived": "4eba1c0c47e315afec4e90c302930e3d",
		"aes-192":             "8596b538b25fabdc7d80d2d07656658421e28d7181fe85c0",
	} {
		got, err := DeriveKey(master, alg, "flash", "MTR-000101")
		if err != nil {
			t.Fatal(alg, err)
		}
		if hex.EncodeToString(got) != want {
			t.Errorf("%s: derived %x, want %s", alg, got, want)
		}
		if len(got) != FlashKeyLen(alg) {
			t.Errorf("%s: %d bytes, the eFuse takes %d", alg, len(got), FlashKeyLen(alg))
		}
	}
}

// Every input separates keys: device, key block name, algorithm and master.
func TestDeriveKeyDistinct(t *testing.T) {
	master := bytes.Repeat([]byte{7}, 32)
	base, _ := DeriveKey(master, "xts-aes-256", "flash", "D-1")
	again, _ := DeriveKey(master, "xts-aes-256", "flash", "D-1")
	if !bytes.Equal(base, again) {
		t.Fatal("the same inputs derived two keys")
	}
	other := bytes.Repeat([]byte{8}, 32)
	for name, k := range map[string][]byte{
		"device":    must2(DeriveKey(master, "xts-aes-256", "flash", "D-2")),
		"key name":  must2(DeriveKey(master, "xts-aes-256", "flash2", "D-1")),
		"algorithm": must2(DeriveKey(master, "xts-aes-128", "flash", "D-1")),
		"master":    must2(DeriveKey(other, "xts-aes-256", "flash", "D-1")),
	} {
		if bytes.Equal(k, base[:len(k)]) {
			t.Errorf("a different %s derived the same key", name)
		}
	}
	// Not the cert block's stream either: its salt differs.
	ec, err := DeriveECDSAP256(master, "flash", "D-1")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(ec.D.FillBytes(make([]byte, 32)), base[:32]) {
		t.Error("a flash key equals a device certificate key")
	}
}

func must2(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestDeriveKeyRefuses(t *testing.T) {
	m := bytes.Repeat([]byte{1}, 32)
	for name, f := range map[string]func() ([]byte, error){
		"signing algorithm": func() ([]byte, error) { return DeriveKey(m, "ecdsa-p256", "k", "D") },
		"hmac":              func() ([]byte, error) { return DeriveKey(m, "hmac", "k", "D") },
		"short master":      func() ([]byte, error) { return DeriveKey(m[:15], "xts-aes-128", "k", "D") },
		"no device":         func() ([]byte, error) { return DeriveKey(m, "xts-aes-128", "k", "") },
	} {
		if k, err := f(); err == nil || k != nil {
			t.Errorf("%s: derived a key", name)
		}
	}
}

// FileKeys derives a key from its master file on demand and never writes it.
func TestFileKeysDerived(t *testing.T) {
	fs := afero.NewMemMapFs()
	master := bytes.Repeat([]byte{3}, 32)
	if err := afero.WriteFile(fs, "/k/master.bin", master, 0o600); err != nil {
		t.Fatal(err)
	}
	keys := &FileKeys{FS: fs, Validate: ValidateKey, Specs: map[string]KeySpec{
		"master": {Name: "master", Algorithm: "hmac", Path: "/k/master.bin", Rel: "master.bin"},
		"flash":  {Name: "flash", Algorithm: "xts-aes-128", Derive: "master", DeviceID: "D-7"},
	}}
	got, err := keys.Secret("flash")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := DeriveKey(master, "xts-aes-128", "flash", "D-7")
	if !bytes.Equal(got, want) {
		t.Fatal("the key store derived another key than DeriveKey")
	}
	files, _ := afero.ReadDir(fs, "/k")
	if len(files) != 1 {
		t.Errorf("the key store wrote %d files beside the master", len(files)-1)
	}
	keys.Wipe()
	if !bytes.Equal(got, make([]byte, len(got))) {
		t.Error("Wipe left the derived key in memory")
	}
}
