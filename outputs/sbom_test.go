package outputs

import (
	"bytes"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

func decodeSBOM(t *testing.T, data []byte) *cdx.BOM {
	t.Helper()
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		t.Fatalf("sbom.cdx.json does not decode: %v", err)
	}
	return &bom
}

func prop(c cdx.Component, name string) string {
	if c.Properties == nil {
		return ""
	}
	for _, p := range *c.Properties {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

func sha(c cdx.Component) string {
	if c.Hashes == nil {
		return ""
	}
	for _, h := range *c.Hashes {
		if h.Algorithm == cdx.HashAlgoSHA256 {
			return h.Value
		}
	}
	return ""
}

func TestSBOMListsEveryArtifactByHash(t *testing.T) {
	b := reportBundle()
	files := renderReports(t, b)
	bom := decodeSBOM(t, files["sbom.cdx.json"].Data)
	if bom.SpecVersion != cdx.SpecVersion1_6 || bom.BOMFormat != "CycloneDX" {
		t.Fatalf("spec %v format %q", bom.SpecVersion, bom.BOMFormat)
	}
	tools := *bom.Metadata.Tools.Components
	if len(tools) != 1 || tools[0].Name != "espcompose" || tools[0].Version != "1.2.3" {
		t.Errorf("tools = %+v", tools)
	}
	if m := bom.Metadata.Component; m.Name != "sensor-node" || m.Version != "2.4.0" || m.Type != cdx.ComponentTypeFirmware {
		t.Errorf("metadata component = %+v", m)
	}
	if bom.Metadata.Timestamp != "" {
		t.Errorf("a timestamp without SOURCE_DATE_EPOCH: %s", bom.Metadata.Timestamp)
	}
	byRef := map[string]cdx.Component{}
	for _, c := range *bom.Components {
		byRef[c.BOMRef] = c
	}
	for _, r := range b.Regions {
		c, ok := byRef["region:"+r.Name]
		if !ok {
			t.Errorf("region %s is not a component", r.Name)
			continue
		}
		if prop(c, propOffset) != hex32(r.Offset) || prop(c, propSize) != hex32(r.Size) {
			t.Errorf("%s: offset %s size %s", r.Name, prop(c, propOffset), prop(c, propSize))
		}
		want := ""
		if r.File != "" {
			want = files[r.File].SHA256
		}
		if got := sha(c); got != want {
			t.Errorf("%s: sha256 %q, want %q (the hash of %s)", r.Name, got, want, r.File)
		}
	}
	app := byRef["region:ota_0"]
	if app.Type != cdx.ComponentTypeFirmware || app.Version != "2.4.0" || prop(app, propIDFVersion) != "v5.2.1" ||
		prop(app, propSecureVersion) != "3" || prop(app, propProject) != "sensor-node" || prop(app, propELFSHA256) == "" {
		t.Errorf("app component = %+v", app)
	}
	if bl := byRef["region:bootloader"]; bl.Type != cdx.ComponentTypeFirmware || bl.Version != "1" || prop(bl, propIDFVersion) != "v5.2.1" || prop(bl, propProject) != "" {
		t.Errorf("bootloader component = %+v", bl)
	}
	if idf := byRef["esp-idf@v5.2.1"]; idf.Type != cdx.ComponentTypeFramework || idf.Version != "v5.2.1" {
		t.Errorf("no ESP-IDF framework component: %+v", idf)
	}
	if nvs := byRef["region:nvs"]; nvs.Type != cdx.ComponentTypeData || sha(nvs) != files["partitions/nvs.bin"].SHA256 {
		t.Errorf("NVS contents are not listed by hash: %+v", nvs)
	}
	nvs := byRef["region:nvs"]
	if nvs.Components == nil || len(*nvs.Components) != 3 {
		t.Fatalf("NVS entries are not listed: %+v", nvs.Components)
	}
	for i, want := range []struct{ ref, typ, size, sha string }{
		{"region:nvs/wifi/psk", "string", "9", ""}, // short: no hash, it could be guessed
		{"region:nvs/certs/device_cert", "blob", "600", "5e" + strings.Repeat("0", 62)},
		{"region:nvs/cfg/retries", "u8", "1", ""},
	} {
		e := (*nvs.Components)[i]
		if e.BOMRef != want.ref || prop(e, propNVSType) != want.typ || prop(e, propSize) != want.size || sha(e) != want.sha {
			t.Errorf("NVS entry %d = %+v, want %+v", i, e, want)
		}
	}
	for _, f := range []string{"sensor-node-factory.bin", "ota/app/ota_0.bin", "ota/app/ota_1.bin", "ota/app/app-encrypted.bin"} {
		if got := sha(byRef["file:"+f]); got != files[f].SHA256 {
			t.Errorf("%s: sha256 %q, want %q", f, got, files[f].SHA256)
		}
	}
	flash := byRef["key:flash"]
	if flash.Type != cdx.ComponentTypeCryptographicAsset || prop(flash, propFingerprint) != "fd356b7bb4ae456f610b876ba00f4c3c" {
		t.Errorf("flash key = %+v", flash)
	}
	if sb := byRef["key:secure_boot"]; prop(sb, propPublicKeySHA) != files["keys/secure_boot.pub.pem"].SHA256 {
		t.Errorf("secure boot key = %+v", sb)
	}
	if _, ok := byRef["input:keys/flash.bin"]; ok {
		t.Error("the key file is listed as an input, by a digest of its bytes")
	}
	if in := byRef["input:images/app.bin"]; sha(in) != "cd" {
		t.Errorf("input images/app.bin = %+v", in)
	}
	if !strings.HasPrefix(bom.SerialNumber, "urn:uuid:") {
		t.Errorf("serial %q", bom.SerialNumber)
	}
	// The serial is the content's own hash: take it out and it must come back.
	bom.SerialNumber = ""
	plain, err := encodeBOM(bom)
	if err != nil {
		t.Fatal(err)
	}
	if contentUUID(plain) != decodeSBOM(t, files["sbom.cdx.json"].Data).SerialNumber {
		t.Error("the serial number is not derived from the content")
	}
}

func TestSBOMReproducible(t *testing.T) {
	a := renderReports(t, reportBundle())["sbom.cdx.json"].Data
	b := renderReports(t, reportBundle())["sbom.cdx.json"].Data
	if !bytes.Equal(a, b) {
		t.Fatal("two renderings of the same build differ")
	}
	changed := reportBundle()
	changed.Regions[2].Data = []byte("other nvs")
	c := renderReports(t, changed)["sbom.cdx.json"].Data
	if decodeSBOM(t, a).SerialNumber == decodeSBOM(t, c).SerialNumber {
		t.Error("different contents, same serial number")
	}
	epoch := int64(1700000000)
	withEpoch := reportBundle()
	withEpoch.Record.SourceDateEpoch = &epoch
	if ts := decodeSBOM(t, renderReports(t, withEpoch)["sbom.cdx.json"].Data).Metadata.Timestamp; ts != "2023-11-14T22:13:20Z" {
		t.Errorf("timestamp from SOURCE_DATE_EPOCH = %q", ts)
	}
}
