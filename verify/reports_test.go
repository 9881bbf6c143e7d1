package verify

import (
	"bytes"
	"context"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
)

// TestReportCorruptionsAreFound: each report is read back, so a report that
// disagrees with the build (or leaks a key, or loads something) is never published.
func TestReportCorruptionsAreFound(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(t *testing.T, in *Input) string
	}{
		{"sbom hash", func(t *testing.T, in *Input) string {
			r := region(t, in, "ota_0")
			sum := fileSHA(file(t, in, r.File))
			setFile(t, in, "sbom.cdx.json", bytes.ReplaceAll(file(t, in, "sbom.cdx.json"), []byte(sum), []byte(strings.Repeat("0", 64))))
			return "component region:ota_0 has sha256 " + strings.Repeat("0", 64)
		}},
		{"sbom not cyclonedx", func(t *testing.T, in *Input) string {
			setFile(t, in, "sbom.cdx.json", []byte("{"))
			return "does not decode as CycloneDX"
		}},
		{"sbom region missing", func(t *testing.T, in *Input) string {
			setFile(t, in, "sbom.cdx.json", bytes.ReplaceAll(file(t, in, "sbom.cdx.json"), []byte(`"region:nvs"`), []byte(`"region:other"`)))
			return "region nvs is not a component"
		}},
		{"sbom nvs entry", func(t *testing.T, in *Input) string {
			sbom := file(t, in, "sbom.cdx.json")
			i := bytes.Index(sbom, []byte(`"bom-ref": "region:nvs/`))
			if i < 0 {
				t.Fatal("no NVS entries in the SBOM")
			}
			j := i + bytes.Index(sbom[i:], []byte(`"name": "`)) + len(`"name": "`)
			sbom = append(append(append([]byte(nil), sbom[:j]...), 'x'), sbom[j:]...)
			setFile(t, in, "sbom.cdx.json", sbom)
			return "region:nvs: NVS entry 0 should be"
		}},
		{"svg region moved", func(t *testing.T, in *Input) string {
			r := region(t, in, "ota_0")
			svg := file(t, in, "flash-map.svg")
			x := `x="` + kibText(r.Offset) + `" y="0"`
			i := bytes.Index(svg, []byte(`data-name="ota_0"`))
			j := bytes.Index(svg[i:], []byte(x))
			if i < 0 || j < 0 {
				t.Fatalf("no rect for ota_0 at %s", x)
			}
			svg = append(append(append([]byte(nil), svg[:i+j]...), []byte(`x="1" y="0"`)...), svg[i+j+len(x):]...)
			setFile(t, in, "flash-map.svg", svg)
			return "region ota_0 is not drawn at"
		}},
		{"summary row missing", func(t *testing.T, in *Input) string {
			var kept []string
			for _, line := range strings.Split(string(file(t, in, "summary.md")), "\n") {
				if !strings.Contains(line, " otadata |") {
					kept = append(kept, line)
				}
			}
			setFile(t, in, "summary.md", []byte(strings.Join(kept, "\n")))
			return "no flash map row for region otadata"
		}},
		{"page loads a script", func(t *testing.T, in *Input) string {
			page := bytes.Replace(file(t, in, "report.html"), []byte("</head>"), []byte(`<script src="https://cdn.example/x.js"></script></head>`), 1)
			setFile(t, in, "report.html", page)
			return `src="https://cdn.example/x.js" loads something from outside the page`
		}},
		{"page drops a region", func(t *testing.T, in *Input) string {
			setFile(t, in, "report.html", bytes.ReplaceAll(file(t, in, "report.html"), []byte(`<span class="pname">nvs_keys</span>`), nil))
			return "does not show region nvs_keys"
		}},
		{"key in a report", func(t *testing.T, in *Input) string {
			key, err := in.Keys.Secret("flash")
			if err != nil {
				t.Fatal(err)
			}
			setFile(t, in, "summary.md", append(file(t, in, "summary.md"), []byte(hex.EncodeToString(key))...))
			return `holds the material of key "flash"`
		}},
		{"report missing", func(t *testing.T, in *Input) string {
			var kept = in.Files[:0:0]
			for _, f := range in.Files {
				if f.Name != "flash-map.svg" {
					kept = append(kept, f)
				}
			}
			in.Files = kept
			return "flash-map.svg: missing from the outputs"
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := built(t, "secure-production")
			want := tc.tamper(t, &in)
			got := failures(t, in)
			if !strings.Contains(got, want) {
				t.Errorf("failures do not include %q:\n%s", want, got)
			}
		})
	}
	// Untampered, the same build passes the report checks.
	rep, err := Build(context.Background(), built(t, "secure-production"))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range rep.Checks {
		// secure-production reads its flash and NVS keys; the signing key stays with its signer.
		found = found || (c.Subject == "keys" && c.OK && strings.Contains(c.Detail, "2 key(s)"))
	}
	if !found {
		t.Error("no check that the reports hold no key material")
	}
}

func kibText(v uint32) string { return strconv.FormatFloat(float64(v)/1024, 'f', -1, 64) }
