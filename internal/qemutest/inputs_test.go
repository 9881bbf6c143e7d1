package qemutest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/espcompose/espcompose/format/appimage"
)

const (
	envQEMU            = "ESPCOMPOSE_QEMU_RISCV32"
	envInputs          = "ESPCOMPOSE_QEMU_INPUTS"
	envBootloader      = "ESPCOMPOSE_QEMU_C3_BOOTLOADER"
	envApp             = "ESPCOMPOSE_QEMU_C3_APP"
	envFEBootloader    = "ESPCOMPOSE_QEMU_C3_FE_BOOTLOADER"
	envFEApp           = "ESPCOMPOSE_QEMU_C3_FE_APP"
	envTableOffset     = "ESPCOMPOSE_QEMU_C3_TABLE_OFFSET"
	envFETableOffset   = "ESPCOMPOSE_QEMU_C3_FE_TABLE_OFFSET"
	envTimeout         = "ESPCOMPOSE_QEMU_TIMEOUT"
	envBin             = "ESPCOMPOSE_BIN"
	defaultTableOffset = 0x8000
)

// known is a public ESP-IDF build output the tests know how to use. The bootloader's
// partition table offset is compiled in (CONFIG_PARTITION_TABLE_OFFSET), so the
// manifest must put the table where the bootloader looks.
type known struct {
	sha256      string
	source      string
	tableOffset uint32   // bootloaders only
	markers     []string // app prints that must appear when it runs
}

var (
	knownBootloaders = []known{{
		sha256:      "2c1f59352d0ca772e4a49fc5aa4d25853f061b6d559f53ca53bf81a6599974ad",
		source:      "github.com/QGB/esp32c3-idf-hello_world@5b95ea3 build/bootloader/bootloader.bin (ESP-IDF v4.4, logs at INFO)",
		tableOffset: 0x8000,
	}}
	knownApps = []known{{
		sha256: "38bbe397939a7e8ca11ce56b1f00b96a9fe703973cdf2cafe0bfa8042edb008f",
		source: "github.com/QGB/esp32c3-idf-hello_world@5b95ea3 build/hello_world.bin (ESP-IDF v4.4)",
	}}
	knownFEBootloaders = []known{{
		sha256:      "a8bd795ef12ed297aca5c53d16fbf1070559dae57d9043795417bd0ee4a186ea",
		source:      "github.com/vAnArhist/esp-flash-encryption-test@83cdfc7 flash_encryption/build/bootloader/bootloader.bin (ESP-IDF v5.1.2, flash encryption, development mode, log level none)",
		tableOffset: 0x9000,
	}}
	knownFEApps = []known{{
		sha256: "13379d76a6eb645e95e89ab4197acc99f554684a47582d8aba91efba8efdb8d3",
		source: "github.com/vAnArhist/esp-flash-encryption-test@83cdfc7 flash_encryption/build/flash_encryption.bin (ESP-IDF v5.1.2 flash_encryption example)",
		markers: []string{
			"FLASH_CRYPT_CNT eFuse value is 1",
			"Flash encryption feature is enabled in DEVELOPMENT mode",
		},
	}}
)

// input is one image the tests boot.
type input struct {
	path        string
	data        []byte
	tableOffset uint32
	project     string   // app description project name; "" for bootloaders
	markers     []string // from knownInputs
	logs        bool     // a bootloader that prints its "Loaded app" line
}

// findInput resolves an input from its environment variable, or else by SHA-256 in
// ESPCOMPOSE_QEMU_INPUTS and ../shared/reference-data. ok is false when neither has it.
func findInput(t *testing.T, env, offsetEnv string, cands []known) (*input, bool) {
	t.Helper()
	var path string
	var k *known
	if p := os.Getenv(env); p != "" {
		path = p
	} else {
		path, k = searchKnown(cands)
		if path == "" {
			return nil, false
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%s: %v", env, err)
	}
	sum := sha256.Sum256(data)
	if k == nil {
		for i := range cands {
			if cands[i].sha256 == hex.EncodeToString(sum[:]) {
				k = &cands[i]
			}
		}
	}
	in := &input{path: path, data: data, tableOffset: defaultTableOffset}
	if k != nil {
		in.markers = k.markers
		if k.tableOffset != 0 {
			in.tableOffset = k.tableOffset
		}
	}
	if offsetEnv != "" && os.Getenv(offsetEnv) != "" {
		v, err := strconv.ParseUint(os.Getenv(offsetEnv), 0, 32)
		if err != nil {
			t.Fatalf("%s: %v", offsetEnv, err)
		}
		in.tableOffset = uint32(v)
	}
	img, err := appimage.Decode(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if img.AppDesc != nil {
		in.project = img.AppDesc.ProjectName
	}
	in.logs = bytes.Contains(data, []byte("Loaded app from partition at offset"))
	return in, true
}

func searchKnown(cands []known) (string, *known) {
	dirs := []string{os.Getenv(envInputs), filepath.Join("..", "..", "..", "shared", "reference-data")}
	for i := range cands {
		for _, d := range dirs {
			if d == "" {
				continue
			}
			p := filepath.Join(d, cands[i].sha256+".bin")
			b, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) == cands[i].sha256 {
				return p, &cands[i]
			}
		}
	}
	return "", nil
}

// plainInputs returns the bootloader and app for the unencrypted cases, or skips.
func plainInputs(t *testing.T) (bl, app *input) {
	t.Helper()
	bl, okB := findInput(t, envBootloader, envTableOffset, knownBootloaders)
	app, okA := findInput(t, envApp, "", knownApps)
	if !okB || !okA {
		t.Skipf("no esp32c3 bootloader/app: set %s and %s, or put the known inputs (see knownBootloaders/knownApps) in %s",
			envBootloader, envApp, envInputs)
	}
	if app.project == "" {
		t.Fatalf("%s has no app description", app.path)
	}
	return bl, app
}
