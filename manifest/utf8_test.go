package manifest

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// A manifest that is not UTF-8 is refused where the bad byte is, even where HCL's own
// scanner lets it through (outside a string), and the diagnostic can show the line.
func TestParseRefusesInvalidUTF8(t *testing.T) {
	src := "espcompose {\n  version = 1\n}\n# \xe8\n"
	f, diags := ParseBytes([]byte(src), "m.hcl")
	if !diags.HasErrors() {
		t.Fatal("a manifest with a byte that is not UTF-8 parsed")
	}
	d := diags[0]
	if d.Summary != "Invalid character encoding" || d.Subject.Start.Line != 4 || d.Subject.Start.Column != 3 {
		t.Fatalf("diagnostic %q at %v, want Invalid character encoding at 4:3", d.Summary, d.Subject.Start)
	}
	if f == nil || !strings.Contains(string(f.Files()["m.hcl"].Bytes), "version = 1") {
		t.Fatal("the source is not kept for the diagnostic's snippet")
	}
}

// deviceRowsOf reads devicesCSV through a minimal manifest with a devices block.
func deviceRowsOf(t *testing.T, devicesCSV string) ([]map[string]string, hcl.Diagnostics) {
	t.Helper()
	manifest := []byte("espcompose { version = 1 }\ntarget {\n  chip = \"esp32c3\"\n  flash_size = \"4MB\"\n}\n" +
		"devices {\n  csv = \"devices.csv\"\n  id  = device.serial\n}\n")
	fs := fuzzManifestFS(manifest, devicesCSV)
	file, diags := Parse(fs, "/m/espcompose.hcl")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return DeviceRows(fs, file)
}

// A devices file that is not UTF-8 is refused where the bad byte is: its values go
// into each device's NVS and certificate, which must not get them mangled.
func TestDeviceRowsRefuseInvalidUTF8(t *testing.T) {
	rows, diags := deviceRowsOf(t, "serial,region\nMTR-1,eu868\nMTR-2,eu\xe9\n")
	if !diags.HasErrors() || rows != nil {
		t.Fatalf("rows %v from a devices file that is not UTF-8", rows)
	}
	if got := diags[0].Detail; !strings.Contains(got, "devices.csv:3: not valid UTF-8 (byte offset 34)") {
		t.Fatalf("detail %q does not say where", got)
	}
}

// A malformed row is named by the line it is on, counted as the CSV reader counts
// (a quoted value may span lines).
func TestDeviceRowsNameTheLine(t *testing.T) {
	_, diags := deviceRowsOf(t, "serial,note\nMTR-1,\"two\nlines\"\nMTR-2,a,b\n")
	if !diags.HasErrors() || !strings.Contains(diags[0].Detail, "devices.csv:4: wrong number of fields") {
		t.Fatalf("diagnostics %v, want devices.csv:4: wrong number of fields", diags)
	}
}
