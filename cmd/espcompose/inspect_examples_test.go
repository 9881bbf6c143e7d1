package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"
)

// checkInspect reads a built merged image back with `inspect --json` and requires
// it to pass every check: no findings, exit 0. A flash-encrypted image is read with
// the example's own flash key.
func checkInspect(t *testing.T, merged, dist string) {
	t.Helper()
	args := []string{"inspect", "--json", merged}
	for dir := dist; dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		if key := filepath.Join(dir, "keys", "flash_encryption_key.bin"); fileExists(key) {
			args = append(args, "--key", key, "--chip", chipOf(t, dist))
			break
		}
	}
	if len(args) == 3 {
		if key := derivedFlashKeyFile(t, dist); key != "" {
			args = append(args, "--key", key, "--chip", chipOf(t, dist))
		}
	}
	code, stdout, stderr := runCLI(t, afero.NewOsFs(), nil, args...)
	var in struct {
		Findings []struct {
			Code, Message string
		} `json:"findings"`
		Partitions []json.RawMessage `json:"partitions"`
	}
	if err := json.Unmarshal([]byte(stdout), &in); err != nil {
		t.Fatalf("inspect %s: %v (exit %d, %s)", merged, err, code, stderr)
	}
	if code != 0 || len(in.Findings) != 0 || len(in.Partitions) == 0 {
		t.Errorf("inspect %s: exit %d, %d partitions, findings %+v, %s", merged, code, len(in.Partitions), in.Findings, stderr)
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func chipOf(t *testing.T, dist string) string {
	t.Helper()
	var fa struct {
		Extra struct {
			Chip string `json:"chip"`
		} `json:"extra_esptool_args"`
	}
	raw, _ := os.ReadFile(filepath.Join(dist, "flasher_args.json"))
	if err := json.Unmarshal(raw, &fa); err != nil || fa.Extra.Chip == "" {
		t.Fatalf("no chip in %s/flasher_args.json: %v", dist, err)
	}
	return fa.Extra.Chip
}
