package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/outputs"
)

func TestManufacturingPerDevice(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "manufacturing"), dir)
	cutDevices(t, dir, 3) // the example has 120; three show the behaviour
	mf := filepath.Join(dir, "espcompose.hcl")
	fs := afero.NewOsFs()
	code, stdout, stderr := runCLI(t, fs, nil, "build", "--json", "-f", mf, "-o", filepath.Join(dir, "dist"))
	if code != 0 {
		t.Fatal(stderr)
	}
	var doc struct {
		Devices []struct {
			ID     string            `json:"id"`
			Stages map[string]string `json:"stages"`
		} `json:"devices"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || len(doc.Devices) != 3 {
		t.Fatalf("devices: %v %s", err, stdout)
	}
	// A stage that does not depend on device.* runs for one device at most (whichever
	// the batch builds first: workers run in parallel) and is reused by the others.
	ranBy := map[string]string{}
	for _, d := range doc.Devices {
		for id, st := range d.Stages {
			// The device's certificate is issued for it; its esp_secure_cert partition
			// and the merged image hold its private key, so they run with status
			// "secret" (made every build, never cached).
			perDevice := strings.HasPrefix(id, "nvs:") || strings.HasPrefix(id, "merge:") ||
				strings.HasPrefix(id, "cert:") || strings.HasPrefix(id, "secure-cert:")
			made := st == "ran" || st == "recomputed"
			if !perDevice && made {
				if prev, again := ranBy[id]; again {
					t.Errorf("devices %s and %s both ran %s, which does not depend on device.*", prev, d.ID, id)
				}
				ranBy[id] = d.ID
			}
			if perDevice && !made && st != "secret" {
				t.Errorf("device %s: %s is %s; it depends on device.* and must be made for this device", d.ID, id, st)
			}
		}
	}
	for _, want := range []struct{ id, hw, region string }{{"MTR-000101", "3", "eu868"}, {"MTR-000103", "4", "us915"}} {
		img, err := os.ReadFile(filepath.Join(dir, "dist", "devices", want.id, "meter-factory.bin"))
		if err != nil {
			t.Fatal(err)
		}
		in, err := outputs.Inspect(img, outputs.InspectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, p := range in.Partitions {
			for _, e := range p.NVS {
				got[e.Key] = e.Value
			}
		}
		if got["serial"] != want.id || got["hw_rev"] != want.hw || got["region"] != want.region {
			t.Errorf("%s: NVS = %v", want.id, got)
		}
		raw, _ := os.ReadFile(filepath.Join(dir, "dist", "devices", want.id, "partitions", "factory_nvs.bin"))
		d, _ := nvs.Decode(raw, nil)
		cert := string(d.Partition.Namespaces[0].Entries[3].Blob)
		if !strings.Contains(cert, want.id) {
			t.Errorf("%s got the wrong certificate: %q", want.id, cert)
		}
	}
	// --device builds one device only.
	code, _, stderr = runCLI(t, fs, nil, "build", "-f", mf, "-o", filepath.Join(dir, "one"), "--device", "MTR-000102")
	if code != 0 {
		t.Fatal(stderr)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "one", "devices"))
	if len(entries) != 1 || entries[0].Name() != "MTR-000102" {
		t.Errorf("--device built %v", entries)
	}
	code, _, stderr = runCLI(t, fs, nil, "plan", "-f", mf, "--device", "MTR-999")
	if code != 2 || !strings.Contains(stderr, `no device with id "MTR-999"`) {
		t.Errorf("unknown --device: exit %d %s", code, stderr)
	}
}

func TestDevicesFileErrors(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "manufacturing"), dir)
	cutDevices(t, dir, 3) // the example has 120; three show the behaviour
	mf := filepath.Join(dir, "espcompose.hcl")
	csvPath := filepath.Join(dir, "devices.csv")
	for _, tc := range []struct{ csv, want string }{
		{"serial,hw_rev,region\nA,1,eu868\nA,2,eu868\n", `Two rows of the devices file have id "A"`},
		{"serial,region\nA,eu868\n", `This object does not have an attribute named "hw_rev"`},
		{"serial,hw_rev,region\n", "devices.csv lists no devices"},
		{"serial,hw_rev,region\nA b,1,eu868\n", `Device id "A b" must be`},
		{"serial,hw_rev,region\nA,1\n", "devices.csv:2: wrong number of fields"},
		{"serial,hw_rev,region\nA,1,\"eu\n868\"\nB,2\n", "devices.csv:4: wrong number of fields"},
		{"serial,hw_rev,region\nA,1,eu\xe9\n", "devices.csv:2: not valid UTF-8 (byte offset 27)"},
	} {
		_ = os.WriteFile(csvPath, []byte(tc.csv), 0o644)
		code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "validate", "-f", mf)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("csv %q: exit %d, want %q in:\n%s", tc.csv, code, tc.want, stderr)
		}
	}
}
