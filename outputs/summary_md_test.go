package outputs

import (
	"fmt"
	"strings"
	"testing"
)

func TestSummaryMarkdownMatchesTheBuild(t *testing.T) {
	b := reportBundle()
	files := renderReports(t, b)
	md := string(files["summary.md"].Data)
	if !strings.HasPrefix(md, "# sensor-node 2.4.0\n") {
		t.Errorf("title: %q", strings.SplitN(md, "\n", 2)[0])
	}
	rows := map[string]string{} // table rows by their offset cell
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "| `0x") {
			cells := strings.Split(line, " | ")
			rows[strings.Trim(cells[0], "| `")+" "+cells[2]] = line
		}
	}
	for _, r := range b.Regions {
		key := fmt.Sprintf("0x%06x %s%s", r.Offset, strings.Repeat("↳ ", r.Depth), mdText(r.Name))
		line, ok := rows[key]
		if !ok {
			t.Errorf("no flash map row %q in:\n%s", key, md)
			continue
		}
		want := fmt.Sprintf("| %s | %s | %s | %s | %s |", sizeText(r.Size), strings.Repeat("↳ ", r.Depth)+mdText(r.Name), mdText(r.Type), r.encryption(), yesNo(r.Signed))
		if !strings.Contains(line, want) {
			t.Errorf("row %s = %s, want it to hold %s", r.Name, line, want)
		}
	}
	if len(rows) != len(b.Regions) {
		t.Errorf("%d flash map rows for %d regions", len(rows), len(b.Regions))
	}
	for _, want := range []string{
		"| `0x011000` | 16K | ↳ mfg\\|nvs |", // a | in a name must not split the cell
		"Flash encryption: on; espcompose pre-encrypted bootloader, partition-table, ota\\_0, ota\\_1.",
		"Secure Boot: signed bootloader, ota\\_0.",
		"eFuse plan: efuse-plan.md",
		"- Key `flash` (xts-aes-128): fingerprint fd356b7bb4ae456f610b876ba00f4c3c",
		"public key keys/secure\\_boot.pub.pem (sha256 " + files["keys/secure_boot.pub.pem"].SHA256 + ")",
		"Free: ",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
	for _, s := range b.OTA {
		want := fmt.Sprintf("| %s | %s | `0x%x` | `%s` | 2.4.0 | `%s` |", s.OTA, mdText(s.Slot), s.Offset, s.File, files[s.File].SHA256)
		if !strings.Contains(md, want) {
			t.Errorf("no OTA row %s", want)
		}
	}
	if !strings.Contains(md, "`"+files["sensor-node-factory.bin"].SHA256+"`") {
		t.Error("the merged image's sha256 is missing")
	}
	// Free: after nvs up to at_customize, between at_customize and ota_0, after ota_1.
	if !strings.Contains(md, fmt.Sprintf("Free: %s in 3 range(s).", sizeText(0x1000+0x10000+(4<<20)-0x240000))) {
		t.Errorf("free space line wrong:\n%s", md)
	}
}

func TestSummaryWithoutSecurity(t *testing.T) {
	md := string(renderReports(t, sampleBundle())["summary.md"].Data)
	for _, want := range []string{"Secure Boot: off (nothing is signed).", "# esp32c3-firmware\n"} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "eFuse plan") {
		t.Error("an eFuse plan is mentioned for a build without one")
	}
}
