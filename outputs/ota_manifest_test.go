package outputs

import (
	"encoding/json"
	"testing"
)

// The package header does not record its scheme, so ota/manifest.json must carry the
// scheme the key selected, and refuse to guess one.
func TestOTAManifestPackageScheme(t *testing.T) {
	for _, scheme := range []string{"RSA-3072", "ECIES-P256"} {
		b := &Bundle{Chip: "esp32c3", Packages: []OTAPackage{{OTA: "app", File: "ota/app/app-encrypted.bin", Data: []byte{1}, Scheme: scheme}}}
		raw, err := otaManifest(b)
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			Packages []struct{ Format string } `json:"packages"`
		}
		if err := json.Unmarshal(raw, &m); err != nil || len(m.Packages) != 1 || m.Packages[0].Format != "esp_encrypted_img ("+scheme+")" {
			t.Errorf("%s: %v %s", scheme, err, raw)
		}
	}
	b := &Bundle{Chip: "esp32c3", Packages: []OTAPackage{{OTA: "app", File: "x", Data: []byte{1}}}}
	if _, err := otaManifest(b); err == nil {
		t.Error("a package without a scheme was labelled anyway")
	}
}
