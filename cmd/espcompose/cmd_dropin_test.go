package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/testimage"
)

func TestDropinDispatchAndGuard(t *testing.T) {
	fs := afero.NewMemMapFs()
	key := make([]byte, 32)
	_ = afero.WriteFile(fs, "/p/key.bin", key, 0o600)
	_ = afero.WriteFile(fs, "/p/data.bin", make([]byte, 64), 0o644)
	code, stdout, stderr := runCLI(t, fs, nil, "espsecure", "encrypt_flash_data", "-k", "/p/key.bin", "-a", "0x1000", "-o", "/p/enc.bin", "/p/data.bin")
	if code != 0 || !strings.HasPrefix(stdout, "espsecure.py v4.8.1\nUsing 256-bit key\n") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	// Over the key file: the output guard refuses, whatever the reference would do.
	code, _, stderr = runCLI(t, fs, nil, "espsecure.py", "encrypt_flash_data", "-k", "/p/key.bin", "-a", "0x1000", "-o", "/p/key.bin", "/p/data.bin")
	if code != 2 {
		t.Fatalf("writing over the key: exit %d %s", code, stderr)
	}
	if b, _ := afero.ReadFile(fs, "/p/key.bin"); len(b) != 32 {
		t.Fatal("key file changed")
	}
	// Same file as input and output, spelled differently: the reference's message.
	code, stdout, _ = runCLI(t, fs, nil, "espsecure", "encrypt_flash_data", "-k", "/p/key.bin", "-a", "0", "-o", "/p/./data.bin", "/p/data.bin")
	if code != 2 || !strings.Contains(stdout, "should not be the same!") {
		t.Fatalf("exit %d %s", code, stdout)
	}
	// Serial sub-commands are refused.
	code, _, stderr = runCLI(t, fs, nil, "esptool.py", "--port", "/dev/ttyUSB0", "write_flash", "0x0", "/p/data.bin")
	if code != 2 || !strings.Contains(stderr, "out of scope") {
		t.Fatalf("exit %d %s", code, stderr)
	}
}

func TestBusyboxArgs(t *testing.T) {
	for _, name := range []string{"espsecure.py", "espsecure", "esptool.py", "esptool", "gen_esp32part.py", "nvs_partition_gen.py", "mfg_gen.py", "spiffsgen.py", "fatfsgen.py", "wl_fatfsgen.py"} {
		got := busyboxArgs("/opt/bin/"+name, []string{"-h"})
		if len(got) != 2 || got[0] != name || got[1] != "-h" {
			t.Errorf("%s: %v", name, got)
		}
	}
	if got := busyboxArgs("/usr/bin/espcompose", []string{"build"}); len(got) != 1 || got[0] != "build" {
		t.Errorf("espcompose itself: %v", got)
	}
}

func TestLinksNeverReplaceForeignFiles(t *testing.T) {
	dir := t.TempDir()
	foreign := filepath.Join(dir, "esptool.py")
	if err := os.WriteFile(foreign, []byte("#!/bin/sh\necho mine\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	fs := afero.NewOsFs()
	code, stdout, stderr := runCLI(t, fs, nil, "links", "--target", "/opt/espcompose", dir)
	if code != 2 || !strings.Contains(stderr, "not replacing "+foreign) {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if b, _ := os.ReadFile(foreign); string(b) != "#!/bin/sh\necho mine\n" {
		t.Fatal("foreign file replaced")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("links were created beside a foreign file: %d entries", len(entries))
	}
	_ = os.Remove(foreign)
	if code, _, stderr = runCLI(t, fs, nil, "links", "--target", "/opt/espcompose", dir); code != 0 {
		t.Fatal(stderr)
	}
	for _, name := range []string{"espsecure.py", "espsecure", "esptool.py", "esptool", "gen_esp32part.py", "nvs_partition_gen.py", "mfg_gen.py"} {
		if target, err := os.Readlink(filepath.Join(dir, name)); err != nil || target != "/opt/espcompose" {
			t.Errorf("%s: %q %v", name, target, err)
		}
	}
	// Again: its own links are recognised and left as they are.
	code, stdout, _ = runCLI(t, fs, nil, "links", "--target", "/opt/espcompose", dir)
	if code != 0 || !strings.Contains(stdout, "already links to /opt/espcompose") {
		t.Fatalf("rerun: exit %d %s", code, stdout)
	}
}

func TestPartitionTableEncodeWarnsSubtypeNames(t *testing.T) {
	fs := afero.NewMemMapFs()
	_ = afero.WriteFile(fs, "/p/t.csv", []byte("otadata,data,ota,0xd000,0x2000,\nota_1,app,ota_0,0x10000,1M,\nota_0,app,ota_1,,1M,\n"), 0o644)
	code, _, stderr := runCLI(t, fs, nil, "partition-table", "encode", "/p/t.csv", "/p/t.bin")
	if code != 0 || !strings.Contains(stderr, "WARNING: Partition has name 'ota_1' which is a partition subtype") {
		t.Fatalf("exit %d %s", code, stderr)
	}
	// --offset 0 is offset 0, not the default 0x8000.
	_ = afero.WriteFile(fs, "/p/n.csv", []byte("nvs,data,nvs,,0x4000,\n"), 0o644)
	if code, _, stderr := runCLI(t, fs, nil, "partition-table", "encode", "--offset", "0", "/p/n.csv", "/p/n.bin"); code != 0 {
		t.Fatal(stderr)
	}
	if code, stdout, _ := runCLI(t, fs, nil, "partition-table", "decode", "--offset", "0", "/p/n.bin"); code != 0 || !strings.Contains(stdout, "nvs,data,nvs,0x1000,16K,") {
		t.Fatalf("exit %d %s", code, stdout)
	}
}

func TestNativeImageInfoHexAndMergeUF2Options(t *testing.T) {
	fs := afero.NewMemMapFs()
	app, _ := testimage.App(testimage.AppSpec{Chip: "esp32c3", Project: "p", Version: "1"})
	_ = afero.WriteFile(fs, "/p/app.bin", app, 0o644)
	if code, _, stderr := runCLI(t, fs, nil, "merge", "--chip", "esp32c3", "--format", "hex", "-o", "/p/app.hex", "0x10000", "/p/app.bin"); code != 0 {
		t.Fatal(stderr)
	}
	_, fromBin, _ := runCLI(t, fs, nil, "image", "info", "/p/app.bin")
	code, fromHex, stderr := runCLI(t, fs, nil, "image", "info", "/p/app.hex")
	if code != 0 || fromHex != fromBin {
		t.Fatalf("exit %d %s\nhex:\n%s\nbin:\n%s", code, stderr, fromHex, fromBin)
	}
	if code, _, stderr := runCLI(t, fs, nil, "merge", "--chip", "esp32c3", "--format", "uf2", "--chunk-size", "256", "--md5-disable", "-o", "/p/a.uf2", "0x10000", "/p/app.bin"); code != 0 {
		t.Fatal(stderr)
	}
	u, _ := afero.ReadFile(fs, "/p/a.uf2")
	if len(u) != (len(app)+255)/256*512 {
		t.Fatalf("uf2 of %d bytes for %d bytes of data in 256-byte chunks", len(u), len(app))
	}
}
