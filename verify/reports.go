package verify

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/outputs"
	"github.com/espcompose/espcompose/stages"
)

// reports reads the report files back: the SBOM decodes with the CycloneDX library
// and names every written region and artifact by the hash of the file in dist/, the
// flash map draws every region at its offset and size, the summary and the HTML page
// name every region, the page loads nothing from elsewhere, and no report holds
// the material of a key the build read.
func (c *checker) reports() {
	if cfg := c.in.Plan.Config; cfg != nil && !cfg.Output.Reports {
		// output { reports = false } (a batch's default): none was written, and one
		// that is there anyway is not ours.
		for _, name := range outputs.ReportFiles {
			if _, ok := c.files[name]; ok {
				c.fail("report", name, "written although the manifest asks for no reports")
			}
		}
		return
	}
	for _, name := range outputs.ReportFiles {
		if _, ok := c.files[name]; !ok {
			c.fail("report", name, "missing from the outputs")
		}
	}
	c.sbom()
	c.flashMap()
	c.summary()
	c.reportPage()
	c.noKeysInReports()
}

// fileSum is the SHA-256 of an output file: the digest it carries, else hashed.
func (c *checker) fileSum(name string) string {
	if s, ok := c.sums[name]; ok {
		return s
	}
	return fileSHA(c.files[name])
}

func fileSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func (c *checker) sbom() {
	const subject = "sbom.cdx.json"
	data, ok := c.files[subject]
	if !ok {
		return
	}
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		c.fail("sbom", subject, "does not decode as CycloneDX: %v", err)
		return
	}
	if bom.SpecVersion < cdx.SpecVersion1_5 || bom.Components == nil {
		c.fail("sbom", subject, "spec version %s, or no components", bom.SpecVersion)
		return
	}
	hashes := map[string]string{}
	props := map[string]map[string]string{}
	nested := map[string][]cdx.Component{}
	for _, comp := range *bom.Components {
		if comp.Components != nil {
			nested[comp.BOMRef] = *comp.Components
		}
		if comp.Hashes != nil {
			for _, h := range *comp.Hashes {
				if h.Algorithm == cdx.HashAlgoSHA256 {
					hashes[comp.BOMRef] = h.Value
				}
			}
		}
		p := map[string]string{}
		if comp.Properties != nil {
			for _, pr := range *comp.Properties {
				p[pr.Name] = pr.Value
			}
		}
		props[comp.BOMRef] = p
	}
	n := 0
	want := func(ref, file string) {
		n++
		got, ok := hashes[ref]
		if !ok {
			c.fail("sbom", subject, "no component %s with a sha256", ref)
			return
		}
		if _, ok := c.files[file]; !ok || c.fileSum(file) != got {
			c.fail("sbom", subject, "component %s has sha256 %s, not that of %s", ref, got, file)
		}
	}
	for _, r := range c.in.Plan.Regions {
		ref := "region:" + r.Name
		p, ok := props[ref]
		if !ok {
			c.fail("sbom", subject, "region %s is not a component", r.Name)
			continue
		}
		if p["espcompose:offset"] != fmt.Sprintf("0x%x", r.Offset) || p["espcompose:size"] != fmt.Sprintf("0x%x", r.Size) {
			c.fail("sbom", subject, "region %s is at %s size %s; the plan has 0x%x size 0x%x", r.Name, p["espcompose:offset"], p["espcompose:size"], r.Offset, r.Size)
		}
		if r.Stage != "" {
			want(ref, r.File)
			if st, ok := c.stage(plainStage(c, r.Stage)).(*stages.NVS); ok {
				c.sbomNVS(subject, ref, st.Content, nested[ref])
			}
		}
	}
	for _, m := range c.in.Plan.Merged {
		want("file:"+m.File, m.File)
	}
	for _, s := range c.in.Plan.OTA {
		want("file:"+s.File, s.File)
	}
	for _, p := range c.in.Plan.Packages {
		want("file:"+p.File, p.File)
	}
	c.pass("sbom", subject, "CycloneDX %s; %d regions and %d artifacts checked by hash", bom.SpecVersion, len(c.in.Plan.Regions), n)
}

// flashMap parses flash-map.svg and finds each region's rect in the scaled bar,
// where one user unit is one KiB.
func (c *checker) flashMap() {
	const subject = "flash-map.svg"
	data, ok := c.files[subject]
	if !ok {
		return
	}
	type rect struct{ x, w float64 }
	drawn := map[string]rect{}
	dec := xml.NewDecoder(bytes.NewReader(data))
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			c.fail("report", subject, "is not XML: %v", err)
			return
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
	bad := 0
	for _, r := range c.in.Plan.Regions {
		d, ok := drawn[r.Name]
		if !ok || uint64(d.x*1024) != uint64(r.Offset) || uint64(d.w*1024) != uint64(r.Size) {
			c.fail("report", subject, "region %s is not drawn at 0x%x size 0x%x", r.Name, r.Offset, r.Size)
			bad++
		}
	}
	if bad == 0 {
		c.pass("report", subject, "every region drawn to scale")
	}
}

func (c *checker) summary() {
	const subject = "summary.md"
	data, ok := c.files[subject]
	if !ok {
		return
	}
	bad := 0
	for _, r := range c.in.Plan.Regions {
		row := fmt.Sprintf("| `0x%06x` |", r.Offset)
		found := false
		for _, line := range strings.Split(string(data), "\n") {
			found = found || (strings.HasPrefix(line, row) && strings.Contains(line, " "+outputs.MarkdownText(r.Name)+" |"))
		}
		if !found {
			c.fail("report", subject, "no flash map row for region %s at 0x%x", r.Name, r.Offset)
			bad++
		}
	}
	if bad == 0 {
		c.pass("report", subject, "every region listed")
	}
}

func (c *checker) reportPage() {
	const subject = "report.html"
	data, ok := c.files[subject]
	if !ok {
		return
	}
	page := string(data)
	bad := 0
	for _, m := range urlAttrs(page) {
		if !strings.HasPrefix(m.value, "#") {
			c.fail("report", subject, "%s=%q loads something from outside the page", m.name, m.value)
			bad++
		}
	}
	for _, tag := range []string{"<script", "<link", "@import"} {
		if strings.Contains(page, tag) {
			c.fail("report", subject, "holds %s; the page must be self-contained", tag)
			bad++
		}
	}
	for _, r := range c.in.Plan.Regions {
		if !strings.Contains(page, `<span class="pname">`+htmlText(r.Name)+`</span>`) {
			c.fail("report", subject, "does not show region %s", r.Name)
			bad++
		}
	}
	if bad == 0 {
		c.pass("report", subject, "self-contained; every region shown")
	}
}

func htmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// noKeysInReports looks for the material of every key the build read, raw and in
// hex, in every report: they describe keys by fingerprint only.
func (c *checker) noKeysInReports() {
	if c.in.Keys == nil {
		return
	}
	checked := 0
	lowered := map[string][]byte{} // each report lowered once, for the hex search
	for _, k := range c.cfg.Keys {
		if _, read := c.in.Result.Artifacts["key:"+k.Name]; !read {
			continue // never read by this build, so it cannot have leaked into it
		}
		secret, err := c.in.Keys.Secret(k.Name)
		if err != nil || len(secret) < 16 {
			continue
		}
		checked++
		for _, name := range outputs.ReportFiles {
			data := c.files[name]
			low, ok := lowered[name]
			if !ok {
				low = bytes.ToLower(data)
				lowered[name] = low
			}
			if bytes.Contains(data, secret) || bytes.Contains(low, []byte(hex.EncodeToString(secret))) {
				c.fail("report", name, "holds the material of key %q", k.Name)
			}
		}
	}
	if checked > 0 {
		c.pass("report", "keys", "no report holds the material of the %d key(s) the build read", checked)
	}
}

// sbomNVS checks an NVS partition's entries in the SBOM against the content the nvs
// check decoded the partition to: same entries in order, each long string or blob
// value by its hash, no short value hashed.
func (c *checker) sbomNVS(subject, ref string, content *nvs.Partition, listed []cdx.Component) {
	i := 0
	for _, ns := range content.Namespaces {
		for _, e := range ns.Entries {
			name := ns.Name + "/" + e.Key
			if i >= len(listed) || listed[i].Name != name {
				c.fail("sbom", subject, "%s: NVS entry %d should be %s", ref, i, name)
				return
			}
			var value []byte
			switch e.Type {
			case nvs.String:
				value = []byte(e.Str)
			case nvs.Blob:
				value = e.Blob
			}
			want := ""
			if len(value) >= outputs.NVSHashMin {
				want = fileSHA(value)
			}
			got := ""
			if h := listed[i].Hashes; h != nil && len(*h) > 0 {
				got = (*h)[0].Value
			}
			if got != want {
				c.fail("sbom", subject, "%s: NVS entry %s has hash %q, want %q", ref, name, got, want)
			}
			i++
		}
	}
	if i != len(listed) {
		c.fail("sbom", subject, "%s lists %d NVS entries; the partition holds %d", ref, len(listed), i)
	}
}
