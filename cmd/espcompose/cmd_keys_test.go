package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/internal/dropin"
	"github.com/espcompose/espcompose/internal/testimage"
)

func TestKeyCommands(t *testing.T) {
	fs := afero.NewMemMapFs()
	if code, _, stderr := runCLI(t, fs, nil, "key", "generate", "--algorithm", "ecdsa-p256", "/p/sb.pem"); code != 0 {
		t.Fatal(stderr)
	}
	if st, _ := fs.Stat("/p/sb.pem"); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode())
	}
	if code, _, stderr := runCLI(t, fs, nil, "key", "generate", "--algorithm", "ecdsa-p256", "/p/sb.pem"); code != 2 || !strings.Contains(stderr, "refusing") {
		t.Fatalf("overwrite: %d %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, fs, nil, "key", "generate", "--algorithm", "xts-aes-256", "/p/fe.bin"); code != 0 {
		t.Fatal(stderr)
	}
	if b, _ := afero.ReadFile(fs, "/p/fe.bin"); len(b) != 64 {
		t.Fatal("xts-aes-256 key length")
	}
	if code, _, stderr := runCLI(t, fs, nil, "key", "public", "--version", "1", "--key", "/p/sb.pem", "/p/pub.raw"); code != 0 {
		t.Fatal(stderr)
	}
	raw, _ := afero.ReadFile(fs, "/p/pub.raw")
	pem, _ := afero.ReadFile(fs, "/p/sb.pem")
	k, _ := secureboot.ParsePrivateKeyPEM(pem)
	if want, _ := secureboot.PublicKeyV1(k.Public()); !bytes.Equal(raw, want) {
		t.Fatal("V1 public key")
	}
	if code, _, stderr := runCLI(t, fs, nil, "key", "public", "--key", "/p/sb.pem", "/p/pub.pem"); code != 0 {
		t.Fatal(stderr)
	}
	if p, _ := afero.ReadFile(fs, "/p/pub.pem"); !bytes.Contains(p, []byte("BEGIN PUBLIC KEY")) {
		t.Fatal("V2 public key")
	}

	// bootloader-digest: deterministic, and the same bytes as the drop-in's.
	boot, _ := testimage.BootloaderWith(testimage.AppSpec{Chip: "esp32"})
	_ = afero.WriteFile(fs, "/p/boot.bin", boot, 0o644)
	_ = afero.WriteFile(fs, "/p/k.bin", bytes.Repeat([]byte{5}, 32), 0o600)
	for _, out := range []string{"/p/d1.bin", "/p/d2.bin"} {
		if code, _, stderr := runCLI(t, fs, nil, "key", "bootloader-digest", "--key", "/p/k.bin", "/p/boot.bin", out); code != 0 {
			t.Fatal(stderr)
		}
	}
	d1, _ := afero.ReadFile(fs, "/p/d1.bin")
	d2, _ := afero.ReadFile(fs, "/p/d2.bin")
	if !bytes.Equal(d1, d2) || len(d1) < 0x1000+len(boot) {
		t.Fatal("not deterministic")
	}
	env := &dropin.Env{FS: fs, Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Dir: "/p",
		Write: func(p string, b []byte, m os.FileMode, _ bool) error { return afero.WriteFile(fs, p, b, m) }}
	if code := dropin.Run("espsecure", []string{"digest_secure_bootloader", "-k", "k.bin", "-o", "d3.bin", "boot.bin"}, env); code != 0 {
		t.Fatal("drop-in failed")
	}
	if d3, _ := afero.ReadFile(fs, "/p/d3.bin"); !bytes.Equal(d1, d3) {
		t.Fatal("native and drop-in digests differ")
	}
}
