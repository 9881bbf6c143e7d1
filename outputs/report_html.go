package outputs

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"sync"
	"time"
)

// report.html is deterministic: it shows each stage's kind, dependencies and output
// hash but no timings and no cache hit/miss, since either would make two builds of
// the same inputs differ (and a rebuild would then never be "up to date"). The build
// command prints what ran and what was cached; docs/reports.md says so.

// reportCSS is inline: the page loads nothing from anywhere.
const reportCSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#222;background:#fff;max-width:1240px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:4px 0}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right;font-family:monospace}code,.mono{font-family:monospace;font-size:12px}
.yes{color:#8b0000;font-weight:600}.muted{color:#666}pre{background:#f7f7f7;padding:10px;overflow:auto;font-size:12px}
.map>svg{max-width:100%;height:auto}
`

type reportRegion struct {
	Region
	Indent  string
	SHA256  string
	Enc     string
	EncWhy  string
	SignWhy string
	Free    bool // a free range, not a region
}

// reportOTA is a row of the OTA artifact and flash image tables.
type reportOTA struct {
	OTA, Slot, Offset, File, Version, SHA256 string
}

type reportData struct {
	Title, Chip, FlashSize, FlashMode, FlashFreq string
	Tool, ToolVersion, Manifest, ManifestSHA     string
	Map                                          template.HTML
	Regions                                      []reportRegion
	Rows                                         []reportRegion // Regions and free space, in offset order
	Security                                     []string
	Apps                                         []Region
	OTA                                          []reportOTA
	Merged                                       []reportOTA
	Keys                                         []keyView
	Efuse                                        string
	Stages                                       []Stage
	// Timings: each stage's status and time by id, only with build --report-timings.
	Timings map[string]StageTiming
	Nested  bool
}

// reportTmpl is parsed on first use, not at package init: every espcompose process
// (even `version`) would otherwise pay for parsing it.
var reportTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Funcs(template.FuncMap{
		"ms":  func(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) },
		"hex": hex32, "size": sizeText, "join": strings.Join, "short": func(s string) string {
			if len(s) > 16 {
				return s[:16] + "…"
			}
			return s
		},
	}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}} — espcompose build report</title><style>{{.CSS}}</style></head>
<body>
<h1>{{.Title}}</h1>
<p class="muted">{{.Chip}}, {{.FlashSize}} flash (mode {{.FlashMode}}, freq {{.FlashFreq}}) · built by {{.Tool}} {{.ToolVersion}}{{if .Manifest}} from <code>{{.Manifest}}</code> (sha256 <code>{{short .ManifestSHA}}</code>){{end}}</p>

<h2 id="flash-map">Flash map</h2>
<div class="map">{{.Map}}</div>

<h2 id="partitions">Partition table{{if .Nested}}s (nested tables indented){{end}}</h2>
<table><thead><tr><th>Offset</th><th>Size</th><th>Name</th><th>Type</th><th>Contents</th><th>File</th><th>SHA-256</th></tr></thead><tbody>
{{range .Rows}}{{if .Free}}<tr class="muted"><td class="num">{{hex .Offset}}</td><td class="num">{{size .Size}}</td><td>free</td><td></td><td></td><td></td><td></td></tr>
{{else}}<tr><td class="num">{{hex .Offset}}</td><td class="num">{{size .Size}}</td><td>{{.Indent}}<span class="pname">{{.Name}}</span></td><td>{{.Type}}</td><td>{{.Source}}</td><td>{{if .File}}<code>{{.File}}</code>{{else}}<span class="muted">erased</span>{{end}}</td><td><code>{{short .SHA256}}</code></td></tr>
{{end}}{{end}}</tbody></table>

<h2 id="security">Encryption and signing</h2>
<ul>{{range .Security}}<li>{{.}}</li>{{end}}</ul>
<table><thead><tr><th>Region</th><th>Encrypted</th><th>Why</th><th>Signed</th><th>Why</th></tr></thead><tbody>
{{range .Regions}}<tr><td>{{.Name}}</td><td{{if ne .Enc "no"}} class="yes"{{end}}>{{.Enc}}</td><td>{{.EncWhy}}</td><td{{if .Signed}} class="yes"{{end}}>{{if .Signed}}yes{{else}}no{{end}}</td><td>{{.SignWhy}}</td></tr>
{{end}}</tbody></table>
{{if .Apps}}
<h2 id="apps">Images</h2>
<p class="muted">As each image describes itself (esp_app_desc_t, esp_bootloader_desc_t).</p>
<table><thead><tr><th>Region</th><th>Project</th><th>Version</th><th>ESP-IDF</th><th>secure_version</th><th>ELF SHA-256</th></tr></thead><tbody>
{{range .Apps}}<tr><td>{{.Name}}</td>{{if .App.Bootloader}}<td class="muted">bootloader</td><td>{{.App.Version}}</td><td>{{.App.IDFVersion}}</td><td></td><td></td>{{else}}<td>{{.App.Project}}</td><td>{{.App.Version}}</td><td>{{.App.IDFVersion}}</td><td class="num">{{.App.SecureVersion}}</td><td><code>{{short .App.ELFSHA256}}</code></td>{{end}}</tr>
{{end}}</tbody></table>{{end}}
{{if .OTA}}
<h2 id="ota">OTA artifacts</h2>
<table><thead><tr><th>OTA</th><th>Slot</th><th>Offset</th><th>File</th><th>Version</th><th>SHA-256</th></tr></thead><tbody>
{{range .OTA}}<tr><td>{{.OTA}}</td><td>{{.Slot}}</td><td class="num">{{.Offset}}</td><td><code>{{.File}}</code></td><td>{{.Version}}</td><td><code>{{.SHA256}}</code></td></tr>
{{end}}</tbody></table>{{end}}
{{if .Merged}}
<h2 id="images">Flash images</h2>
<table><thead><tr><th>File</th><th>SHA-256</th></tr></thead><tbody>
{{range .Merged}}<tr><td><code>{{.File}}</code></td><td><code>{{.SHA256}}</code></td></tr>
{{end}}</tbody></table>{{end}}

<h2 id="keys">Keys</h2>
{{if .Keys}}<p class="muted">Keys are named by a one-way fingerprint; no key material is in this report or in dist/.</p>
<table><thead><tr><th>Key</th><th>Algorithm</th><th>Fingerprint</th><th>Public key</th></tr></thead><tbody>
{{range .Keys}}<tr><td>{{.Name}}</td><td>{{.Algorithm}}</td><td><code>{{.Fingerprint}}</code></td><td>{{if .PublicKey}}<code>{{.PublicKey}}</code> sha256 <code>{{short .PublicKeySHA256}}</code>{{end}}</td></tr>
{{end}}</tbody></table>{{else}}<p>This build uses no keys.</p>{{end}}

<h2 id="efuse">eFuse plan</h2>
{{if .Efuse}}<p>From <code>efuse-plan.md</code>; burning eFuses is irreversible.</p><pre>{{.Efuse}}</pre>{{else}}<p>No eFuses to burn: the build uses neither flash encryption, Secure Boot nor an HMAC NVS key.</p>{{end}}

<h2 id="stages">Stages</h2>
{{if .Timings}}<p class="muted">In the order they run, with this build's status and time for each (<code>build --report-timings</code>; such a report differs on every build).</p>
<table><thead><tr><th>#</th><th>Stage</th><th>Kind</th><th>Depends on</th><th>Output SHA-256</th><th>Status</th><th>Time</th></tr></thead><tbody>
{{range $i, $s := .Stages}}{{$t := index $.Timings $s.ID}}<tr><td class="num">{{$i}}</td><td><code>{{$s.ID}}</code></td><td>{{$s.Kind}} v{{$s.Version}}</td><td><code>{{join $s.Deps ", "}}</code></td><td><code>{{short $s.Output}}</code></td><td>{{$t.Status}}</td><td class="num">{{ms $t.Took}}</td></tr>
{{end}}</tbody></table>{{else}}<p class="muted">In the order they run. Timings and cache hits are left out so the report is the same for every build of the same inputs; <code>espcompose build --report-timings</code> adds them.</p>
<table><thead><tr><th>#</th><th>Stage</th><th>Kind</th><th>Depends on</th><th>Output SHA-256</th></tr></thead><tbody>
{{range $i, $s := .Stages}}<tr><td class="num">{{$i}}</td><td><code>{{$s.ID}}</code></td><td>{{$s.Kind}} v{{$s.Version}}</td><td><code>{{join $s.Deps ", "}}</code></td><td><code>{{short $s.Output}}</code></td></tr>
{{end}}</tbody></table>{{end}}
</body></html>
`))
})

// reportHTML renders dist/report.html: one self-contained page (inline CSS and SVG,
// no scripts, no URLs) a reviewer can open from a CI artifact.
func reportHTML(b *Bundle, files []File) ([]byte, error) {
	hashes := fileHashes(files)
	// The map goes in as markup; it is safe because writeFlashMapSVG escapes every
	// name and text it writes (xmlText), as TestFlashMapEscapesNames checks.
	var svg bytes.Buffer
	writeFlashMapSVG(&svg, b)
	title := buildName(b)
	if v := buildVersion(b); v != "" {
		title += " " + v
	}
	d := struct {
		reportData
		CSS template.CSS
	}{reportData{
		Title: title, Chip: b.Chip, FlashSize: b.FlashSize, FlashMode: b.FlashMode, FlashFreq: b.FlashFreq,
		Tool: b.Record.toolName(), ToolVersion: b.Record.ToolVersion, Manifest: b.Record.Manifest.Path, ManifestSHA: b.Record.Manifest.SHA256,
		Map: template.HTML(svg.String()), Security: securitySummary(b), Keys: keyViews(b, files),
		Efuse: string(efusePlan(b)), Stages: b.Record.Stages, Timings: b.Timings,
	}, template.CSS(reportCSS)}
	for _, r := range b.Regions {
		why := r.EncryptReason
		if r.DeviceEncrypts {
			why += "; the device encrypts it on first boot"
		}
		d.Regions = append(d.Regions, reportRegion{Region: r, Indent: strings.Repeat("↳ ", r.Depth),
			SHA256: hashes[r.File], Enc: r.encryption(), EncWhy: why, SignWhy: r.signedWhy()})
		d.Nested = d.Nested || r.Depth > 0
		if r.App != nil {
			d.Apps = append(d.Apps, r)
		}
	}
	// Free space goes before the first top-level region after it, so the table reads
	// in flash order; nested regions stay under their parent.
	free := freeSpace(b)
	for _, r := range d.Regions {
		for len(free) > 0 && r.Depth == 0 && free[0].Offset < r.Offset {
			d.Rows = append(d.Rows, reportRegion{Region: Region{Offset: free[0].Offset, Size: free[0].Size}, Free: true})
			free = free[1:]
		}
		d.Rows = append(d.Rows, r)
	}
	for _, f := range free {
		d.Rows = append(d.Rows, reportRegion{Region: Region{Offset: f.Offset, Size: f.Size}, Free: true})
	}
	for _, s := range b.OTA {
		d.OTA = append(d.OTA, reportOTA{OTA: s.OTA, Slot: s.Slot, Offset: hex32(s.Offset), File: s.File, Version: s.Version, SHA256: hashes[s.File]})
	}
	for _, p := range b.Packages {
		d.OTA = append(d.OTA, reportOTA{OTA: p.OTA, Slot: "any (" + p.Scheme + ")", File: p.File, Version: p.Version, SHA256: hashes[p.File]})
	}
	for _, m := range b.Merged {
		d.Merged = append(d.Merged, reportOTA{File: m.File, SHA256: hashes[m.File]})
	}
	var out bytes.Buffer
	if err := reportTmpl().Execute(&out, d); err != nil {
		return nil, fmt.Errorf("report.html: %w", err)
	}
	return out.Bytes(), nil
}
