package manifest

import (
	"strings"
	"testing"

	"github.com/spf13/afero"
)

// evalSrc parses and evaluates a manifest given as text, with one device row when it
// has a devices block.
func evalSrc(t *testing.T, src string) (*Config, string) {
	t.Helper()
	fs := afero.NewMemMapFs()
	_ = afero.WriteFile(fs, "/m/espcompose.hcl", []byte(src), 0o644)
	_ = afero.WriteFile(fs, "/m/devices.csv", []byte("serial\nA1\n"), 0o644)
	f, diags := Parse(fs, "/m/espcompose.hcl")
	if diags.HasErrors() {
		return nil, diags.Error()
	}
	var row map[string]string
	if f.Devices != nil {
		row = map[string]string{"serial": "A1"}
	}
	cfg, diags := Evaluate(f, Options{FS: fs, Device: row})
	if diags.HasErrors() {
		return nil, diags.Error()
	}
	return cfg, ""
}

const outputHead = "espcompose {\n  version = 1\n}\ntarget {\n  chip       = \"esp32c3\"\n  flash_size = \"4MB\"\n}\n"
const outputDevices = "devices {\n  csv = \"devices.csv\"\n  id  = device.serial\n}\n"

// The output block's defaults: a single build writes the merged image and the
// reports; the devices of a batch write the merged image but no reports unless asked.
func TestOutputDefaults(t *testing.T) {
	cfg, msg := evalSrc(t, outputHead)
	if msg != "" || !cfg.Output.Merged || !cfg.Output.Reports || len(cfg.Output.DeviceFiles) != 0 {
		t.Fatalf("single build: %+v %s", cfg, msg)
	}
	cfg, msg = evalSrc(t, outputHead+outputDevices)
	if msg != "" || !cfg.Output.Merged || cfg.Output.Reports {
		t.Fatalf("batch: reports by default: %+v %s", cfg.Output, msg)
	}
	cfg, msg = evalSrc(t, outputHead+outputDevices+"output {\n  reports = true\n  merged = false\n  device_files = [\"partitions/nvs.bin\", \"partitions/nvs.bin\", \"flash_args\"]\n}\n")
	if msg != "" || cfg.Output.Merged || !cfg.Output.Reports || strings.Join(cfg.Output.DeviceFiles, ",") != "partitions/nvs.bin,flash_args" {
		t.Fatalf("batch asking for reports, no merged image, two files: %+v %s", cfg.Output, msg)
	}
}

func TestOutputMistakes(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{outputHead + "output {\n  merged = false\n  hex = true\n}\n", "espcompose.hcl:10,9-13: Output needs the merged image; hex = true"},
		{outputHead + "output {\n  device_files = [\"partitions/nvs.bin\"]\n}\n", "espcompose.hcl:9,18-40: Not a device batch"},
		{outputHead + outputDevices + "output {\n  device_files = []\n}\n", "No device files"},
		{outputHead + outputDevices + "output {\n  device_files = [\"../x\"]\n}\n", `Invalid device file; "../x"`},
		{outputHead + outputDevices + "output {\n  device_files = [\"/x\"]\n}\n", `Invalid device file; "/x"`},
		{outputHead + "output {\n  reports = \"no\"\n}\n", "reports must be true or false"},
	} {
		_, msg := evalSrc(t, c.src)
		if !strings.Contains(msg, c.want) {
			t.Errorf("%q: got %q, want it to contain %q", c.src, msg, c.want)
		}
	}
}
