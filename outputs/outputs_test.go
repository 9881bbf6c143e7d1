package outputs

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

func sampleBundle() *Bundle {
	return &Bundle{
		Chip: "esp32c3", FlashMode: "dio", FlashFreq: "80m", FlashSize: "4MB",
		Regions: []Region{
			{Name: "bootloader", Offset: 0, Size: 0x8000, File: "bootloader.bin", Data: []byte{0xE9, 1}},
			{Name: "partition-table", Offset: 0x8000, Size: 0x1000, File: "partition-table.bin", Data: []byte{0xAA, 0x50}},
			{Name: "nvs", Offset: 0x9000, Size: 0x6000}, // erased: no file
			{Name: "ota_0", Offset: 0x10000, Size: 0x100000, File: "partitions/ota_0.bin", Data: []byte{0xE9, 2}, Encrypted: true},
		},
		Merged: []Merged{{File: "x-factory.bin", Data: []byte("merged")}},
		OTA:    []OTASlot{{OTA: "app", Slot: "ota_0", Offset: 0x10000, File: "ota/app/ota_0.bin", Data: []byte{1}}},
		Record: Record{Tool: "espcompose", ToolVersion: "test"},
	}
}

func TestFilesDeterministicAndComplete(t *testing.T) {
	a, err := Files(sampleBundle())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Files(sampleBundle())
	var names []string
	for i := range a {
		names = append(names, a[i].Name)
		if a[i].Name != b[i].Name || !bytes.Equal(a[i].Data, b[i].Data) {
			t.Fatalf("%s differs between two renderings", a[i].Name)
		}
	}
	want := "SHA256SUMS bootloader.bin build.json flash-map.svg flash_args flasher_args.json ota/app/ota_0.bin ota/manifest.json partition-table.bin partitions/ota_0.bin report.html sbom.cdx.json summary.md x-factory.bin"
	if strings.Join(names, " ") != want {
		t.Errorf("files = %s", strings.Join(names, " "))
	}
	byName := map[string][]byte{}
	for _, f := range a {
		byName[f.Name] = f.Data
	}
	if got := string(byName["flash_args"]); got != "--flash_mode keep --flash_freq keep --flash_size keep\n0x0 bootloader.bin\n0x8000 partition-table.bin\n0x10000 partitions/ota_0.bin\n" {
		t.Errorf("flash_args = %q", got)
	}
	var fa map[string]any
	if err := json.Unmarshal(byName["flasher_args.json"], &fa); err != nil {
		t.Fatal(err)
	}
	if fa["ota_0"].(map[string]any)["encrypted"] != "false" || fa["ota_0"].(map[string]any)["pre_encrypted"] != true {
		t.Errorf("pre-encrypted files must not be encrypted again by esptool: %v", fa["ota_0"])
	}
	sums := string(byName["SHA256SUMS"])
	if strings.Count(sums, "\n") != len(a)-1 || strings.Contains(sums, "SHA256SUMS") {
		t.Errorf("SHA256SUMS must list every other file once:\n%s", sums)
	}
	var rec struct {
		Outputs []struct{ Path string } `json:"outputs"`
	}
	_ = json.Unmarshal(byName["build.json"], &rec)
	if len(rec.Outputs) != len(a)-2 {
		t.Errorf("build.json lists %d outputs, want %d", len(rec.Outputs), len(a)-2)
	}
}

func TestFilesRejectsBadNames(t *testing.T) {
	b := sampleBundle()
	b.Extras = []Extra{{File: "../escape", Data: []byte{1}}}
	if _, err := Files(b); err == nil {
		t.Error("a path outside dist/ was accepted")
	}
	b = sampleBundle()
	b.Extras = []Extra{{File: "bootloader.bin"}}
	if _, err := Files(b); err == nil {
		t.Error("two outputs with one name were accepted")
	}
}

// failingFs fails renames, as a full disk or a crash at the wrong moment would.
type failingFs struct{ afero.Fs }

func (f failingFs) Rename(o, n string) error { return errors.New("injected rename failure") }

func TestPublishIsAtomic(t *testing.T) {
	fs := afero.NewMemMapFs()
	files, _ := Files(sampleBundle())
	if err := Publish(fs, "/dist", files, PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	before, _ := afero.ReadFile(fs, "/dist/SHA256SUMS")
	b := sampleBundle()
	b.Merged[0].Data = []byte("changed")
	changed, _ := Files(b)
	if err := Publish(failingFs{fs}, "/dist", changed, PublishOptions{}); err == nil {
		t.Fatal("publish succeeded despite failing renames")
	}
	after, _ := afero.ReadFile(fs, "/dist/SHA256SUMS")
	if !bytes.Equal(before, after) {
		t.Error("a failed publish changed dist/")
	}
	entries, _ := afero.ReadDir(fs, "/")
	for _, e := range entries {
		if e.Name() != "dist" {
			t.Errorf("a failed publish left %s behind", e.Name())
		}
	}
}

func TestEfusePlanOrder(t *testing.T) {
	p := &EfusePlan{Chip: "esp32c3",
		FlashEncryption: &EfuseFlashEncryption{KeyFile: "keys/fe.bin", KeyBytes: 32, Release: true},
		SecureBoot:      &EfuseSecureBoot{Version: 2, PublicKeys: []string{"pub.pem"}, Digests: []string{"ab"}}}
	s := string(p.Script())
	order := []string{"write_flash", "burn_key BLOCK_KEY0 'keys/fe.bin' XTS_AES_128_KEY", `burn_key_digest BLOCK_KEY1 "$DIST"/'pub.pem' SECURE_BOOT_DIGEST0`,
		"SPI_BOOT_CRYPT_CNT 7", "SECURE_BOOT_EN 1", "DIS_DOWNLOAD_MANUAL_ENCRYPT"}
	last := -1
	for _, step := range order {
		i := strings.Index(s, step)
		if i < 0 || i < last {
			t.Fatalf("%q missing or out of order in:\n%s", step, s)
		}
		last = i
	}
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(line, "#") && strings.Contains(line, "--do-not-confirm") {
			t.Error("the script must let espefuse ask before burning")
		}
	}
}

func TestEfusePlanESP32C2SharesOneBlock(t *testing.T) {
	p := &EfusePlan{Chip: "esp32c2",
		FlashEncryption: &EfuseFlashEncryption{KeyFile: "k.bin", KeyBytes: 16},
		SecureBoot:      &EfuseSecureBoot{Version: 2, PublicKeys: []string{"pub.pem"}, Digests: []string{"ab"}}}
	s := string(p.Script())
	for _, want := range []string{"burn_key BLOCK_KEY0 'k.bin' XTS_AES_128_KEY_DERIVED_FROM_128_EFUSE_BITS", `burn_key_digest BLOCK_KEY0 "$DIST"/'pub.pem' SECURE_BOOT_DIGEST` + "\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("C2 plan lacks %q:\n%s", want, s)
		}
	}
}

// A digest the bundle carries (the stage artifact's, made once) is what SHA256SUMS,
// build.json and ota/manifest.json say; Files does not hash that data again. Data
// without one is hashed here.
func TestFilesReuseKnownDigests(t *testing.T) {
	b := sampleBundle()
	known := strings.Repeat("ab", 32) // not the data's digest: proves it was not recomputed
	b.Merged[0].SHA256 = known
	b.Regions[0].SHA256 = known
	b.OTA[0].SHA256 = known
	files, err := Files(b)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]File{}
	for _, f := range files {
		byName[f.Name] = f
	}
	for _, name := range []string{"x-factory.bin", "bootloader.bin", "ota/app/ota_0.bin"} {
		if got := byName[name].SHA256; got != known {
			t.Errorf("%s: digest %s, want the bundle's %s", name, got, known)
		}
	}
	if got, want := byName["partition-table.bin"].SHA256, digest(b.Regions[1].Data); got != want {
		t.Errorf("partition-table.bin without a known digest: %s, want %s", got, want)
	}
	if sums := string(byName["SHA256SUMS"].Data); !strings.Contains(sums, known+"  x-factory.bin\n") {
		t.Errorf("SHA256SUMS does not use the known digest:\n%s", sums)
	}
	if om := string(byName["ota/manifest.json"].Data); !strings.Contains(om, known) {
		t.Errorf("ota/manifest.json does not use the known digest:\n%s", om)
	}
}
