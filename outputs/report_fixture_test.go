package outputs

import (
	"strings"
	"testing"
)

// reportBundle is a build with everything the reports show: a signed, pre-encrypted
// app with an app description, an NVS partition, a nested table, free space, OTA
// artifacts and a package, keys and an eFuse plan.
func reportBundle() *Bundle {
	app := &AppInfo{Image: "app", Project: "sensor-node", Version: "2.4.0", IDFVersion: "v5.2.1", SecureVersion: 3,
		ELFSHA256: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"}
	return &Bundle{
		Chip: "esp32c3", FlashMode: "dio", FlashFreq: "80m", FlashSize: "4MB", FlashBytes: 4 << 20,
		Regions: []Region{
			{Name: "bootloader", Kind: "bootloader", Type: "bootloader", Offset: 0, Size: 0x8000, File: "bootloader.bin", Data: []byte{0xE9, 1},
				Encrypted: true, EncryptReason: "the bootloader is always encrypted", Signed: true, Source: "image.bootloader",
				App: &AppInfo{Image: "bootloader", Bootloader: true, Version: "1", IDFVersion: "v5.2.1"}},
			{Name: "partition-table", Kind: "partition-table", Type: "table", Offset: 0x8000, Size: 0x1000, File: "partition-table.bin", Data: []byte{0xAA, 0x50},
				Encrypted: true, EncryptReason: "the partition table is always encrypted", Source: "generated"},
			{Name: "nvs", Kind: "partition", Type: "data/nvs", Offset: 0x9000, Size: 0x6000, File: "partitions/nvs.bin", Data: []byte("nvs-page"),
				EncryptReason: "NVS is never flash-encrypted; NVS encryption protects it", Source: "nvs.device",
				NVS: []NVSItem{{Namespace: "wifi", Key: "psk", Type: "string", Size: 9},
					{Namespace: "certs", Key: "device_cert", Type: "blob", Size: 600, SHA256: "5e" + strings.Repeat("0", 62)},
					{Namespace: "cfg", Key: "retries", Type: "u8", Size: 1}}},
			{Name: "at_customize", Kind: "partition", Type: "0x40/0x00", Offset: 0x10000, Size: 0x20000, Source: "secondary table"},
			{Name: "at_customize (table)", Kind: "secondary-table", Type: "table", Offset: 0x10000, Size: 0x1000, Depth: 1,
				File: "partitions/at_customize.table.bin", Data: []byte{0xAA, 0x50, 2}, Source: "generated: secondary table"},
			{Name: "mfg|nvs", Kind: "partition", Type: "data/nvs", Offset: 0x11000, Size: 0x4000, Depth: 1, File: "partitions/mfg_nvs.bin", Data: []byte("mfg"), Source: "nvs.mfg"},
			{Name: "ota_0", Kind: "partition", Type: "app/ota_0", Offset: 0x40000, Size: 0x100000, File: "partitions/ota_0.bin", Data: []byte{0xE9, 2},
				Encrypted: true, EncryptReason: "app partitions are always encrypted", Signed: true, Source: "image.app", App: app},
			{Name: "ota_1", Kind: "partition", Type: "app/ota_1", Offset: 0x140000, Size: 0x100000, Encrypted: true,
				EncryptReason: "app partitions are always encrypted", Source: "erased"},
		},
		Merged:   []Merged{{File: "sensor-node-factory.bin", Data: []byte("merged")}},
		OTA:      []OTASlot{{OTA: "app", Slot: "ota_0", Offset: 0x40000, File: "ota/app/ota_0.bin", Data: []byte{1}, Encrypted: true, Project: "sensor-node", Version: "2.4.0"}, {OTA: "app", Slot: "ota_1", Offset: 0x140000, File: "ota/app/ota_1.bin", Data: []byte{2}, Encrypted: true, Project: "sensor-node", Version: "2.4.0"}},
		Packages: []OTAPackage{{OTA: "app", File: "ota/app/app-encrypted.bin", Data: []byte{3}, Scheme: "RSA-3072", Project: "sensor-node", Version: "2.4.0"}},
		Extras: []Extra{
			{File: "efuse-plan.md", Data: []byte("# eFuse plan\n\n1. burn_key BLOCK_KEY0 <flash key> XTS_AES_128_KEY\n")},
			{File: "keys/secure_boot.pub.pem", Data: []byte("-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n")},
		},
		Record: Record{Tool: "espcompose", ToolVersion: "1.2.3",
			Manifest: Input{Path: "espcompose.hcl", SHA256: "ab"},
			Inputs:   []Input{{Path: "images/app.bin", SHA256: "cd"}, {Path: "keys/flash.bin", SHA256: "ef"}},
			Keys: []KeyRef{{Name: "flash", Algorithm: "xts-aes-128", File: "keys/flash.bin", Fingerprint: "fd356b7bb4ae456f610b876ba00f4c3c"},
				{Name: "secure_boot", Algorithm: "rsa-3072", File: "keys/sb.pem"}},
			Stages: []Stage{{ID: "image.app", Kind: "source", Version: 1, Output: "aa"}, {ID: "sign:app", Kind: "sign", Version: 2, Deps: []string{"image.app"}, Output: "bb"}},
		},
	}
}

// renderReports renders dist/ for b and returns its files by name.
func renderReports(t *testing.T, b *Bundle) map[string]File {
	t.Helper()
	files, err := Files(b)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]File{}
	for _, f := range files {
		m[f.Name] = f
	}
	return m
}
