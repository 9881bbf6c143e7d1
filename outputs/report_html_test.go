package outputs

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

var urlAttr = regexp.MustCompile(`(?i)\b(src|href|action|srcset|poster|data)\s*=\s*["']?([^"' >]*)`)

func TestReportHTMLSelfContained(t *testing.T) {
	b := reportBundle()
	files := renderReports(t, b)
	page := string(files["report.html"].Data)
	for _, m := range urlAttr.FindAllStringSubmatch(page, -1) {
		if !strings.HasPrefix(m[2], "#") {
			t.Errorf("%s=%q refers outside the page", m[1], m[2])
		}
	}
	for _, bad := range []string{"http://", "https://", "<script", "<link", "@import", "<iframe", "<img"} {
		if bad == "http://" {
			// The one http:// allowed is the SVG namespace name, which is never fetched.
			if strings.Count(page, bad) != strings.Count(page, `xmlns="http://www.w3.org/2000/svg"`) {
				t.Error("an http:// URL other than the SVG namespace")
			}
			continue
		}
		if strings.Contains(page, bad) {
			t.Errorf("report.html contains %q", bad)
		}
	}
	for _, r := range b.Regions {
		if !strings.Contains(page, `<span class="pname">`+htmlEscape(r.Name)+`</span>`) {
			t.Errorf("partition %s is not in the table", r.Name)
		}
		if r.File != "" && !strings.Contains(page, files[r.File].SHA256[:16]) {
			t.Errorf("partition %s: no hash", r.Name)
		}
		if r.EncryptReason != "" && !strings.Contains(page, htmlEscape(r.EncryptReason)) {
			t.Errorf("partition %s: the reason %q is missing", r.Name, r.EncryptReason)
		}
	}
	for _, want := range []string{
		`<svg xmlns="http://www.w3.org/2000/svg"`, // the map, inline
		"Secure Boot: the bootloader verifies the app before it runs",
		files["ota/app/ota_0.bin"].SHA256, files["ota/app/ota_1.bin"].SHA256, files["ota/app/app-encrypted.bin"].SHA256,
		"fd356b7bb4ae456f610b876ba00f4c3c", "keys/secure_boot.pub.pem",
		"burn_key BLOCK_KEY0 &lt;flash key&gt; XTS_AES_128_KEY", // the eFuse plan, escaped
		"<code>sign:app</code>", "<code>image.app</code>", "sign v2",
		"v5.2.1", ">3</td>", // ESP-IDF version and secure_version of the app
	} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if !bytes.Equal(files["report.html"].Data, renderReports(t, reportBundle())["report.html"].Data) {
		t.Error("two renderings differ")
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

func TestReportHTMLRowsInFlashOrder(t *testing.T) {
	page := string(renderReports(t, reportBundle())["report.html"].Data)
	start := strings.Index(page, `<h2 id="partitions">`)
	end := strings.Index(page, `<h2 id="security">`)
	var offsets []string
	for _, line := range strings.Split(page[start:end], "\n") {
		if strings.HasPrefix(line, `<tr`) && strings.Contains(line, `<td class="num">`) {
			cell := strings.SplitN(strings.SplitN(line, `<td class="num">`, 2)[1], "<", 2)[0]
			free := strings.Contains(line, "<td>free</td>")
			if free {
				cell += "(free)"
			}
			offsets = append(offsets, cell)
		}
	}
	want := "0x0 0x8000 0x9000 0xf000(free) 0x10000 0x10000 0x11000 0x30000(free) 0x40000 0x140000 0x240000(free)"
	if got := strings.Join(offsets, " "); got != want {
		t.Errorf("rows:\n%s\nwant\n%s", got, want)
	}
}

func TestReportHTMLEscapesNames(t *testing.T) {
	b := reportBundle()
	b.Regions[2].Name = `<script>alert(1)</script>`
	page := string(renderReports(t, b)["report.html"].Data)
	if strings.Contains(page, "<script>") {
		t.Error("a partition name became markup")
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the name is not shown as text")
	}
}
