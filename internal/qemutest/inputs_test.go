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
	envInputs          = "ESPCOMPOSE_QEMU_INPUTS"
	envTimeout         = "ESPCOMPOSE_QEMU_TIMEOUT"
	envBin             = "ESPCOMPOSE_BIN"
	defaultTableOffset = 0x8000
)

// input is one image the tests boot.
type input struct {
	path        string
	data        []byte
	tableOffset uint32
	project     string   // app description project name; "" for bootloaders
	markers     []string // from known
	logs        bool     // a bootloader that prints its "Loaded app" line
	fe          bool     // a bootloader built for flash encryption
}

// findInput resolves an input from its environment variable, or else by SHA-256 in
// ESPCOMPOSE_QEMU_INPUTS and ../shared/reference-data. ok is false when neither has it.
func findInput(t *testing.T, env, offsetEnv string, cands []known) (*input, bool) {
	t.Helper()
	var path string
	var k *known
	if p := os.Getenv(env); env != "" && p != "" {
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

// plainInputs returns the device's bootloader and app, or skips.
func plainInputs(t *testing.T, d *device) (bl, app *input) {
	t.Helper()
	bl, okB := findInput(t, d.blEnv, d.offEnv, d.knownBL)
	app, okA := findInput(t, d.appEnv, "", d.knownApp)
	if !okB || !okA {
		t.Skipf("no %s bootloader/app: set %s and %s, or put the known inputs (device_test.go) in %s as <sha256>.bin",
			d.chip, d.blEnv, d.appEnv, envInputs)
	}
	if app.project == "" {
		t.Fatalf("%s has no app description", app.path)
	}
	return bl, app
}
