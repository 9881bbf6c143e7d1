package importer

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/manifest"
)

func memProject(t *testing.T, skip ...string) afero.Fs {
	t.Helper()
	fs := afero.NewMemMapFs()
	for name, data := range fixtureFiles(t) {
		if contains(skip, name) {
			continue
		}
		if err := afero.WriteFile(fs, filepath.Join("/p", name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return fs
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// A project whose sdkconfig (the text form, no sdkconfig.json) turns on release flash
// encryption, Secure Boot V2 with signed binaries and HMAC-protected NVS encryption.
func TestFromIDFSecurityFromSDKConfig(t *testing.T) {
	fs := memProject(t, "build/config/sdkconfig.json")
	sdk := `# Espressif IoT Development Framework (ESP-IDF) Project Configuration
CONFIG_IDF_TARGET="esp32c3"
CONFIG_ESPTOOLPY_FLASHSIZE="4MB"
CONFIG_PARTITION_TABLE_CUSTOM=y
CONFIG_PARTITION_TABLE_CUSTOM_FILENAME="partitions.csv"
CONFIG_PARTITION_TABLE_OFFSET=0x8000
CONFIG_SECURE_BOOT=y
CONFIG_SECURE_BOOT_V2_ENABLED=y
CONFIG_SECURE_SIGNED_APPS_RSA_SCHEME=y
CONFIG_SECURE_BOOT_BUILD_SIGNED_BINARIES=y
CONFIG_SECURE_BOOT_SIGNING_KEY="keys/secure_boot_signing_key.pem"
CONFIG_SECURE_FLASH_ENC_ENABLED=y
CONFIG_SECURE_FLASH_ENCRYPTION_AES256=y
# CONFIG_SECURE_FLASH_ENCRYPTION_MODE_DEVELOPMENT is not set
CONFIG_SECURE_FLASH_ENCRYPTION_MODE_RELEASE=y
CONFIG_NVS_ENCRYPTION=y
CONFIG_NVS_SEC_KEY_PROTECT_USING_HMAC=y
CONFIG_NVS_SEC_HMAC_EFUSE_KEY_ID=2
`
	_ = afero.WriteFile(fs, "/p/sdkconfig", []byte(sdk), 0o644)
	_ = afero.WriteFile(fs, "/p/build/hello-unsigned.bin", []byte("u"), 0o644)
	_ = afero.WriteFile(fs, "/p/build/bootloader/bootloader-unsigned.bin", []byte("u"), 0o644)
	res, err := FromIDF(fs, "/p/build", "/p")
	if err != nil {
		t.Fatal(err)
	}
	if res.ConfigFile != "/p/sdkconfig" {
		t.Fatalf("read %q", res.ConfigFile)
	}
	src, err := res.Manifest.Render()
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	for _, want := range []string{
		`algorithm = "xts-aes-256"`, `mode            = "release"`, "device_encrypts = true",
		`algorithm = "rsa-3072"`, `file      = "keys/secure_boot_signing_key.pem"`,
		"version = 2", "keys    = [key.secure_boot]",
		`file = "build/hello-unsigned.bin"`, `file = "build/bootloader/bootloader-unsigned.bin"`,
		"NVS_SEC_KEY_PROTECT_USING_HMAC, eFuse key block 2",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	if _, diags := manifest.ParseBytes(src, "imported.hcl"); diags.HasErrors() {
		t.Fatalf("imported manifest does not decode: %v\n%s", diags, text)
	}
}

func TestFromIDFTwoPhaseSigningAndECDSA(t *testing.T) {
	fs := memProject(t, "build/config/sdkconfig.json")
	_ = afero.WriteFile(fs, "/p/build/config/sdkconfig.json", []byte(`{"IDF_TARGET":"esp32c3","SECURE_BOOT":true,"SECURE_BOOT_V2_ENABLED":true,
"SECURE_SIGNED_APPS_ECDSA_V2_SCHEME":true,"SECURE_BOOT_ECDSA_KEY_LEN_384_BITS":true,"SECURE_BOOT_BUILD_SIGNED_BINARIES":false,
"SECURE_BOOT_VERIFICATION_KEY":"verify.pem","SECURE_FLASH_ENC_ENABLED":true}`), 0o644)
	res, err := FromIDF(fs, "/p/build", "/p")
	if err != nil {
		t.Fatal(err)
	}
	src, _ := res.Manifest.Render()
	for _, want := range []string{`algorithm  = "ecdsa-p384"`, `public_key = "verify.pem"`, `mode            = "development"`, `algorithm = "xts-aes-128"`, `file = "build/hello.bin"`} {
		if !strings.Contains(string(src), want) {
			t.Errorf("missing %q in\n%s", want, src)
		}
	}
}

func TestFromIDFErrors(t *testing.T) {
	fs := memProject(t)
	_ = afero.WriteFile(fs, "/p/build/flasher_args.json", []byte(strings.Replace(fixtureFlasherArgs, `"0x220000" : "storage.bin"`, `"0x230000" : "storage.bin"`, 1)), 0o644)
	_, err := FromIDF(fs, "/p/build", "/p")
	if err == nil || !strings.Contains(err.Error(), "storage.bin at 0x230000, where no partition") {
		t.Fatalf("got %v", err)
	}

	fs = memProject(t, "build/ota_data_initial.bin")
	if _, err := FromIDF(fs, "/p/build", "/p"); err == nil || !strings.Contains(err.Error(), "ota_data_initial.bin") {
		t.Fatalf("missing file: %v", err)
	}

	// A CSV that disagrees with the built table is reported, the built table imported.
	fs = memProject(t)
	_ = afero.WriteFile(fs, "/p/partitions.csv", []byte(strings.Replace(fixtureCSV, "0x10000,", "0x20000,", 1)), 0o644)
	res, err := FromIDF(fs, "/p/build", "/p")
	if err != nil {
		t.Fatal(err)
	}
	if c := strings.Join(res.Manifest.Table.Comment, "\n"); !strings.Contains(c, "WARNING: /p/partitions.csv line 7 (storage) differs") {
		t.Fatalf("comment %q", c)
	}
}

func TestParseSDKConfigErrorsNameLine(t *testing.T) {
	_, err := parseSDKConfig([]byte("CONFIG_A=y\nbogus line\n"), "sdkconfig")
	if err == nil || err.Error() != "sdkconfig:2: expected CONFIG_NAME=value" {
		t.Fatalf("got %v", err)
	}
	c, err := parseSDKConfig([]byte("CONFIG_N=0x8000\nCONFIG_S=\"a\\\"b\"\n# CONFIG_X is not set\n"), "s")
	if err != nil || c["N"] != "32768" || c["S"] != `a"b` || c.on("X") {
		t.Fatalf("%v %v", c, err)
	}
}
