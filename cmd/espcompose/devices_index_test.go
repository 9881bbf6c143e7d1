package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"
)

// devicesIndex is dist/devices.json.
type devicesIndex struct {
	Format  string `json:"format"`
	Devices []struct {
		ID     string `json:"id"`
		Dir    string `json:"dir"`
		Merged string `json:"merged"`
		SHA256 string `json:"sha256"`
	} `json:"devices"`
}

// checkDevicesIndex decodes dist/devices.json and checks it against the files the
// build produced: one entry per device (ids in devices CSV order), each naming the
// device's folder and merged image with that image's real digest.
func checkDevicesIndex(t *testing.T, dist string, ids []string, merged string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dist, "devices.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx devicesIndex
	if err := json.Unmarshal(raw, &idx); err != nil {
		t.Fatalf("devices.json: %v", err)
	}
	if idx.Format != "espcompose-devices/1" || len(idx.Devices) != len(ids) {
		t.Fatalf("devices.json lists %d devices (format %q); the CSV has %d:\n%s", len(idx.Devices), idx.Format, len(ids), raw)
	}
	dirs, _ := os.ReadDir(filepath.Join(dist, "devices"))
	if len(dirs) != len(idx.Devices) {
		t.Errorf("dist/devices holds %d folders, devices.json lists %d", len(dirs), len(idx.Devices))
	}
	for i, d := range idx.Devices {
		id := ids[i]
		if d.ID != id || d.Dir != "devices/"+id || d.Merged != "devices/"+id+"/"+merged {
			t.Errorf("device %d = %+v, want id %s in devices/%s with %s", i, d, id, id, merged)
		}
		data, err := os.ReadFile(filepath.Join(dist, filepath.FromSlash(d.Merged)))
		if err != nil {
			t.Errorf("device %s: %v", d.ID, err)
			continue
		}
		if got := sha256hex(data); d.SHA256 != got {
			t.Errorf("device %s: devices.json says sha256 %s, %s hashes to %s", d.ID, d.SHA256, d.Merged, got)
		}
	}
}

func TestDevicesIndexListsEveryDevice(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "manufacturing"), dir)
	cutDevices(t, dir, 3) // the example has 120; three show the behaviour
	dist := filepath.Join(dir, "dist")
	code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "build", "-f", filepath.Join(dir, "espcompose.hcl"), "-o", dist)
	if code != 0 {
		t.Fatal(stderr)
	}
	checkDevicesIndex(t, dist, deviceIDs(evalExample(t, dir)), "meter-factory.bin")
}
