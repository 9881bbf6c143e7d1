package main

import (
	"bytes"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// checkReports decodes the four report files and checks them against the decoded
// partition tables (g.entries), the flashed files (g.flashed) and the decoded apps
// (g.apps), not against the renderer's own view: sbom.cdx.json with the CycloneDX
// library, flash-map.svg with encoding/xml, summary.md and report.html as text. No
// report may hold a key file's bytes, raw or in hex.
func (g *goldenDist) checkReports() {
	g.t.Helper()
	if !g.cfg.Output.Reports { // a batch's devices, unless the manifest asks for them
		for _, name := range []string{"sbom.cdx.json", "flash-map.svg", "summary.md", "report.html"} {
			if _, err := os.Stat(filepath.Join(g.root, name)); err == nil {
				g.t.Errorf("%s written although the manifest asks for no reports", name)
			}
		}
		return
	}
	g.checkSBOM()
	g.checkFlashMapSVG()
	g.checkSummaryMD()
	g.checkReportHTML()
	for _, k := range g.cfg.Keys {
		if k.File == "" {
			continue
		}
		secret := g.readInput(k.File)
		for _, name := range []string{"sbom.cdx.json", "flash-map.svg", "summary.md", "report.html"} {
			data := g.read(name)
			if bytes.Contains(data, secret) || bytes.Contains(bytes.ToLower(data), []byte(hex.EncodeToString(secret))) {
				g.t.Errorf("%s holds the bytes of key file %s", name, k.File)
			}
		}
	}
}

func (g *goldenDist) checkSBOM() {
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(g.read("sbom.cdx.json")), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		g.t.Fatalf("sbom.cdx.json: %v", err)
	}
	if bom.SpecVersion != cdx.SpecVersion1_6 || bom.Metadata == nil || bom.Metadata.Timestamp != "" ||
		!strings.HasPrefix(bom.SerialNumber, "urn:uuid:") {
		g.t.Errorf("sbom.cdx.json: spec %s, serial %q, metadata %+v", bom.SpecVersion, bom.SerialNumber, bom.Metadata)
	}
	tools := *bom.Metadata.Tools.Components
	if len(tools) != 1 || tools[0].Name != "espcompose" || tools[0].Version == "" {
		g.t.Errorf("sbom.cdx.json: tools %+v", tools)
	}
	comps := map[string]cdx.Component{}
	byFile := map[string]string{} // dist file → sha256 listed for it
	for _, c := range *bom.Components {
		comps[c.BOMRef] = c
		p := props(c)
		if f := p["espcompose:file"]; f != "" && c.Hashes != nil {
			byFile[f] = (*c.Hashes)[0].Value
		}
	}
	for name, e := range g.entries {
		p := props(comps["region:"+name])
		if p["espcompose:offset"] != fmt.Sprintf("0x%x", e.Offset) || p["espcompose:size"] != fmt.Sprintf("0x%x", e.Size) {
			g.t.Errorf("sbom.cdx.json: partition %s at %q size %q; the table has 0x%x size 0x%x", name, p["espcompose:offset"], p["espcompose:size"], e.Offset, e.Size)
		}
	}
	for _, file := range g.flashed {
		if got := byFile[file]; got != sha256hex(g.read(file)) {
			g.t.Errorf("sbom.cdx.json: %s listed with sha256 %q", file, got)
		}
	}
	for _, p := range g.cfg.AllPartitions() {
		if p.Contents == nil || p.Contents.Kind != "image" {
			continue
		}
		app, ok := g.apps[p.Contents.Name]
		if !ok || app.img.AppDesc == nil {
			continue
		}
		c, d := comps["region:"+p.Name], app.img.AppDesc
		pp := props(c)
		if c.Version != d.Version || pp["esp-idf:project_name"] != d.ProjectName || pp["esp-idf:idf_version"] != d.IDFVersion ||
			pp["esp-idf:secure_version"] != strconv.Itoa(int(d.SecureVersion)) {
			g.t.Errorf("sbom.cdx.json: app %s = %+v, the image says %s %s %s", p.Name, pp, d.ProjectName, d.Version, d.IDFVersion)
		}
		if idf := comps["esp-idf@"+d.IDFVersion]; idf.Type != cdx.ComponentTypeFramework {
			g.t.Errorf("sbom.cdx.json: no esp-idf %s component", d.IDFVersion)
		}
	}
	for _, k := range g.cfg.Keys {
		if c, ok := comps["key:"+k.Name]; !ok || c.Type != cdx.ComponentTypeCryptographicAsset {
			g.t.Errorf("sbom.cdx.json: key %s is not a cryptographic asset", k.Name)
		}
	}
	g.claim("sbom.cdx.json")
}

func props(c cdx.Component) map[string]string {
	m := map[string]string{}
	if c.Properties != nil {
		for _, p := range *c.Properties {
			m[p.Name] = p.Value
		}
	}
	return m
}

func (g *goldenDist) checkFlashMapSVG() {
	dec := xml.NewDecoder(bytes.NewReader(g.read("flash-map.svg")))
	type rect struct{ x, w float64 }
	drawn := map[string]rect{}
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			g.t.Fatalf("flash-map.svg: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			a := map[string]string{}
			for _, at := range el.Attr {
				a[at.Name.Local] = at.Value
			}
			if el.Name.Local == "svg" {
				depth++
			}
			if el.Name.Local == "rect" && depth == 2 && strings.HasPrefix(a["class"], "region ") {
				x, _ := strconv.ParseFloat(a["x"], 64)
				w, _ := strconv.ParseFloat(a["width"], 64)
				drawn[a["data-name"]] = rect{x, w}
			}
		case xml.EndElement:
			if el.Name.Local == "svg" {
				depth--
			}
		}
	}
	for name, e := range g.entries {
		// One user unit of the bar is one KiB of flash.
		if r, ok := drawn[name]; !ok || uint32(r.x*1024) != e.Offset || uint32(r.w*1024) != e.Size {
			g.t.Errorf("flash-map.svg: partition %s drawn at %+v, the table has 0x%x size 0x%x", name, drawn[name], e.Offset, e.Size)
		}
	}
	g.claim("flash-map.svg")
}

func (g *goldenDist) checkSummaryMD() {
	md := string(g.read("summary.md"))
	for name, e := range g.entries {
		row := fmt.Sprintf("| `0x%06x` |", e.Offset)
		esc := strings.NewReplacer("_", "\\_", "|", "\\|").Replace(name)
		found := false
		for _, line := range strings.Split(md, "\n") {
			found = found || (strings.HasPrefix(line, row) && strings.Contains(line, " "+esc+" |"))
		}
		if !found {
			g.t.Errorf("summary.md has no row for partition %s at 0x%x", name, e.Offset)
		}
	}
	if len(g.cfg.OTAs) > 0 && !strings.Contains(md, "## OTA artifacts") {
		g.t.Error("summary.md lists no OTA artifacts")
	}
	g.claim("summary.md")
}

var externalRef = regexp.MustCompile(`(?i)\s(src|href|srcset|action|poster)\s*=\s*["']?([^"' >]*)`)

func (g *goldenDist) checkReportHTML() {
	page := string(g.read("report.html"))
	for _, m := range externalRef.FindAllStringSubmatch(page, -1) {
		if !strings.HasPrefix(m[2], "#") {
			g.t.Errorf("report.html: %s=%q", m[1], m[2])
		}
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "https://") {
		g.t.Error("report.html has a script or an https URL")
	}
	for name := range g.entries {
		if !strings.Contains(page, `<span class="pname">`+name+`</span>`) {
			g.t.Errorf("report.html does not show partition %s", name)
		}
	}
	for _, file := range g.flashed {
		if !strings.Contains(page, sha256hex(g.read(file))[:16]) {
			g.t.Errorf("report.html does not show the hash of %s", file)
		}
	}
	g.claim("report.html")
}
