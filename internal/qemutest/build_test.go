package qemutest

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// Apps always land here: the layout below keeps everything before them under 0x20000.
const (
	ota0Offset = 0x20000
	ota1Offset = 0x1a0000
	flashSize  = 4 << 20
)

// layout is one device build. The partitions are those of ESP-IDF's flash_encryption
// example (it asserts "storage" and opens "custom_nvs") plus two OTA slots, so every
// input app finds what it needs.
type layout struct {
	dev                    *device
	bootloader, ota0, ota1 *input
	boot                   string // "", "ota_0" or "ota_1": what otadata selects
	encrypt                bool
	deviceEncrypts         bool   // with encrypt: plaintext image, the bootloader encrypts it
	release                bool   // with encrypt: flash encryption mode "release"
	sbKey                  []byte // PEM of an RSA-3072 key: Secure Boot V2 when set
}

// flashKey is the flash encryption key the encrypted builds use: 256 bits, which is
// an XTS-AES-128 key (two halves) on the ESP32-C3 and an AES-256 key on the ESP32.
func flashKey() []byte {
	k := sha256.Sum256([]byte("espcompose qemutest flash encryption key"))
	return k[:]
}

func (l layout) manifest() string {
	var b strings.Builder
	b.WriteString("espcompose {\n  version = 1\n}\n\n")
	fmt.Fprintf(&b, "target {\n  chip       = %q\n  flash_size = \"4MB\"\n  flash_mode = \"dio\"\n  flash_freq = %q\n}\n\n",
		l.dev.chip, l.dev.flashFreq)
	if l.encrypt {
		fmt.Fprintf(&b, "key \"flash\" {\n  algorithm = %q\n  file      = \"flash_key.bin\"\n}\n\n", l.dev.keyAlgo)
	}
	if l.sbKey != nil {
		b.WriteString("key \"sb\" {\n  algorithm = \"rsa-3072\"\n  file      = \"sb_key.pem\"\n}\n\n")
	}
	if l.encrypt || l.sbKey != nil {
		b.WriteString("security {\n")
		if l.encrypt {
			mode := "development"
			if l.release {
				mode = "release"
			}
			fmt.Fprintf(&b, "  flash_encryption {\n    key             = key.flash\n    mode            = %q\n    device_encrypts = %t\n  }\n",
				mode, l.deviceEncrypts)
		}
		if l.sbKey != nil {
			b.WriteString("  secure_boot {\n    version = 2\n    keys    = [key.sb]\n  }\n")
		}
		b.WriteString("}\n\n")
	}
	b.WriteString("image \"bootloader\" {\n  file = \"bootloader.bin\"\n}\n\n")
	for _, s := range []struct {
		name string
		in   *input
	}{{"ota_0", l.ota0}, {"ota_1", l.ota1}} {
		if s.in != nil {
			fmt.Fprintf(&b, "image %q {\n  file = %q\n}\n\n", "app_"+s.name, s.name+".bin")
		}
	}
	b.WriteString("bootloader {\n  image = image.bootloader\n}\n\n")
	fmt.Fprintf(&b, "partition_table {\n  offset = 0x%x\n}\n\n", l.bootloader.tableOffset)
	part := func(name, typ, subtype, size string, extra ...string) {
		fmt.Fprintf(&b, "partition %q {\n  type    = %s\n  subtype = %s\n  size    = %q\n", name, typ, subtype, size)
		for _, e := range extra {
			b.WriteString("  " + e + "\n")
		}
		b.WriteString("}\n\n")
	}
	part("nvs", `"data"`, `"nvs"`, "24K")
	part("storage", `"data"`, "0xff", "4K", "encrypted = true")
	if l.boot != "" {
		part("otadata", `"data"`, `"ota"`, "8K", "boot = partition."+l.boot)
	} else {
		part("otadata", `"data"`, `"ota"`, "8K")
	}
	part("phy_init", `"data"`, `"phy"`, "4K")
	part("nvs_key", `"data"`, `"nvs_keys"`, "4K", "encrypted = true")
	part("custom_nvs", `"data"`, `"nvs"`, "24K")
	for _, s := range []struct {
		name string
		in   *input
	}{{"ota_0", l.ota0}, {"ota_1", l.ota1}} {
		if s.in != nil {
			part(s.name, `"app"`, `"`+s.name+`"`, "1536K", "contents = image.app_"+s.name)
		} else {
			part(s.name, `"app"`, `"`+s.name+`"`, "1536K")
		}
	}
	b.WriteString("output {\n  name       = \"qemu\"\n  fill_flash = true\n}\n")
	return b.String()
}

// build composes l with the espcompose CLI and returns the merged flash image's path.
func (l layout) build(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, data []byte, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(dir, name), data, mode); err != nil {
			t.Fatal(err)
		}
	}
	write("espcompose.hcl", []byte(l.manifest()), 0o644)
	write("bootloader.bin", l.bootloader.data, 0o644)
	if l.ota0 != nil {
		write("ota_0.bin", l.ota0.data, 0o644)
	}
	if l.ota1 != nil {
		write("ota_1.bin", l.ota1.data, 0o644)
	}
	if l.encrypt {
		write("flash_key.bin", flashKey(), 0o600)
	}
	if l.sbKey != nil {
		write("sb_key.pem", l.sbKey, 0o600)
	}
	dist := filepath.Join(dir, "dist")
	cmd := exec.Command(espcompose(t), "build", "-f", filepath.Join(dir, "espcompose.hcl"), "-o", dist)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("espcompose build: %v\n%s\nmanifest:\n%s", err, out, l.manifest())
	}
	merged := filepath.Join(dist, "qemu-factory.bin")
	fi, err := os.Stat(merged)
	if err != nil {
		t.Fatalf("no merged image: %v\n%s", err, out)
	}
	if fi.Size() != flashSize {
		t.Fatalf("merged image is %d bytes, want %d (fill_flash)", fi.Size(), flashSize)
	}
	return merged
}

var cli struct {
	once sync.Once
	path string
	err  error
	out  []byte
}

// espcompose returns the CLI to run: ESPCOMPOSE_BIN, or one built from this module once
// per test binary.
func espcompose(t *testing.T) string {
	t.Helper()
	if p := os.Getenv(envBin); p != "" {
		return p
	}
	cli.once.Do(func() {
		dir, err := os.MkdirTemp("", "espcompose-qemutest-")
		if err != nil {
			cli.err = err
			return
		}
		cli.path = filepath.Join(dir, "espcompose")
		goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, err := os.Stat(goTool); err != nil {
			goTool = "go"
		}
		cmd := exec.Command(goTool, "build", "-o", cli.path, "github.com/espcompose/espcompose/cmd/espcompose")
		cmd.Dir = filepath.Join("..", "..")
		cli.out, cli.err = cmd.CombinedOutput()
	})
	if cli.err != nil {
		t.Fatalf("building espcompose: %v\n%s", cli.err, cli.out)
	}
	return cli.path
}
