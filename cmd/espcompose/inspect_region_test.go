package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

type inspectJSON struct {
	Kind         string `json:"kind"`
	Chip         string `json:"chip"`
	ChipDetected string `json:"chip_detected"`
	Partitions   []struct {
		Name   string `json:"name"`
		State  string `json:"state"`
		Offset uint32 `json:"offset"`
		NVS    []struct{ Namespace, Key, Value string }
	} `json:"partitions"`
	Regions []struct {
		Name, State, Reason string
		Offset              uint32
	} `json:"regions"`
	Findings []struct{ Code, Message string } `json:"findings"`
}

func inspectRun(t *testing.T, args ...string) (int, inspectJSON, string) {
	t.Helper()
	code, stdout, stderr := runCLI(t, afero.NewOsFs(), nil, append([]string{"inspect", "--json"}, args...)...)
	var in inspectJSON
	if err := json.Unmarshal([]byte(stdout), &in); err != nil && code != 2 {
		t.Fatalf("inspect %v: %v\n%s\n%s", args, err, stdout, stderr)
	}
	return code, in, stderr
}

func TestInspectEncryptedWithoutChipAndArtifacts(t *testing.T) {
	dir := buildExample(t, "secure-production")
	key := filepath.Join(dir, "keys", "flash_encryption_key.bin")
	merged := filepath.Join(dir, "dist", "sensor-node-factory.bin")

	code, in, stderr := inspectRun(t, merged, "--key", key)
	if code != 0 || in.Chip != "esp32c3" || in.ChipDetected != "decryption" || in.Kind != "flash" {
		t.Fatalf("merged: exit %d, %+v, %s", code, in, stderr)
	}
	states := map[string]string{}
	for _, r := range in.Regions {
		states[r.Name] = r.State
		if r.Reason == "" {
			t.Errorf("region %s has no reason", r.Name)
		}
	}
	want := map[string]string{"bootloader": "ciphertext", "partition-table": "ciphertext", "nvs": "plaintext", "otadata": "ciphertext", "ota_0": "ciphertext", "ota_1": "erased", "phy_init": "erased"}
	for n, s := range want {
		if states[n] != s {
			t.Errorf("region %s: %q, want %s (all: %v)", n, states[n], s, states)
		}
	}
	_, stdout, _ := runCLI(t, afero.NewOsFs(), nil, "inspect", merged, "--key", key)
	if !strings.Contains(stdout, "chip esp32c3 (found by decrypting with the key)") || !strings.Contains(stdout, "Regions:") {
		t.Errorf("text:\n%s", stdout)
	}

	// The ota_1 artifact on its own: encrypted for 0x1f0000, found without --address.
	code, in, stderr = inspectRun(t, filepath.Join(dir, "dist", "ota", "app", "ota_1.bin"), "--key", key)
	if code != 0 || in.Kind != "region" || len(in.Partitions) != 1 || in.Partitions[0].Offset != 0x1f0000 || in.Regions[0].State != "ciphertext" {
		t.Fatalf("artifact: exit %d, %+v %s", code, in, stderr)
	}
	// The wrong address is bad input.
	code, _, stderr = inspectRun(t, filepath.Join(dir, "dist", "ota", "app", "ota_1.bin"), "--key", key, "--address", "0x20000")
	if code != 2 || !strings.Contains(stderr, "0x20000") {
		t.Errorf("wrong address: exit %d, %s", code, stderr)
	}
	// A partition dump: the NVS-encrypted nvs partition, with and without its keys.
	nvsDump := filepath.Join(dir, "dist", "partitions", "nvs.bin")
	code, in, _ = inspectRun(t, nvsDump)
	if code != 1 || !strings.Contains(in.Findings[0].Message, "--nvs-keys") {
		t.Errorf("nvs without keys: exit %d, %+v", code, in.Findings)
	}
	code, in, _ = inspectRun(t, nvsDump, "--nvs-keys", filepath.Join(dir, "keys", "nvs_keys.bin"))
	if code != 0 || len(in.Partitions[0].NVS) != 3 {
		t.Errorf("nvs with keys: exit %d, %+v", code, in.Partitions)
	}
}

func TestInspectHMACNVS(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "in.csv")
	hmacKey := filepath.Join(dir, "hmac.bin")
	writeFile(t, csv, []byte("key,type,encoding,value\nwifi,namespace,,\nssid,data,string,lab-net\n"))
	writeFile(t, hmacKey, bytes.Repeat([]byte{0x6b}, 32))
	out := filepath.Join(dir, "nvs.bin")
	if code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "nvs", "encode", csv, out, "--size", "0x3000", "--hmac-key", hmacKey); code != 0 {
		t.Fatalf("nvs encode: %d %s", code, stderr)
	}
	code, in, stderr := inspectRun(t, out, "--nvs-hmac-key", hmacKey)
	if code != 0 || len(in.Partitions) != 1 || len(in.Partitions[0].NVS) != 1 || in.Partitions[0].NVS[0].Value != "lab-net" {
		t.Fatalf("with the HMAC key: exit %d, %+v %s", code, in, stderr)
	}
	other := filepath.Join(dir, "other.bin")
	writeFile(t, other, bytes.Repeat([]byte{0x6c}, 32))
	if code, in, _ := inspectRun(t, out, "--nvs-hmac-key", other); code != 1 || len(in.Partitions[0].NVS) != 0 {
		t.Errorf("another HMAC key: exit %d, %+v", code, in.Partitions)
	}
	if code, _, _ := inspectRun(t, out, "--nvs-hmac-key", csv); code != 2 {
		t.Errorf("a key of the wrong size: exit %d", code)
	}
}
