package main

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/appimage"
	"github.com/espcompose/espcompose/format/flashenc"
	"github.com/espcompose/espcompose/format/otadata"
	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/outputs"
	"github.com/espcompose/espcompose/stages"
)

// fleetProject is secure-production with anti-rollback and an otadata state set.
func fleetProject(t *testing.T, secureVersion string) (dir, mf string) {
	t.Helper()
	dir = t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "secure-production"), dir)
	mf = filepath.Join(dir, "espcompose.hcl")
	lockEditFile(t, mf, `  file = "images/app.bin"`, "  file = \"images/app.bin\"\n  secure_version = "+secureVersion)
	lockEditFile(t, mf, "  subtype = \"ota\"\n  size    = \"8K\"\n", "  subtype = \"ota\"\n  size    = \"8K\"\n  boot    = partition.ota_0\n  boot_state = \"pending_verify\"\n")
	return dir, mf
}

func TestSecureVersionPatchedSignedAndPlanned(t *testing.T) {
	dir, mf := fleetProject(t, "3")
	in, _ := os.ReadFile(filepath.Join(dir, "images", "app.bin"))
	if img, err := appimage.Decode(in); err != nil || img.AppDesc == nil || img.AppDesc.SecureVersion == 3 {
		t.Fatalf("the input app must carry another secure_version for this test to mean anything: %v", err)
	}
	dist := filepath.Join(dir, "dist")
	code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "build", "-f", mf, "-o", dist)
	if code != 0 {
		t.Fatalf("build: exit %d: %s", code, stderr)
	}
	key, _ := os.ReadFile(filepath.Join(dir, "keys", "flash_encryption_key.bin"))
	pubPEM, _ := os.ReadFile(filepath.Join(dist, "keys", "secure_boot.pub.pem"))
	pub, err := secureboot.ParsePublicKeyPEM(pubPEM)
	if err != nil {
		t.Fatal(err)
	}

	// The app region, decrypted at its offset and decoded as the bootloader reads it.
	merged, _ := os.ReadFile(filepath.Join(dist, "sensor-node-factory.bin"))
	insp, err := outputs.Inspect(merged, outputs.InspectOptions{Chip: "esp32c3", FlashKey: key})
	if err != nil {
		t.Fatal(err)
	}
	var slot0 uint32
	for _, p := range insp.Partitions {
		switch p.Name {
		case "ota_0":
			slot0 = p.Offset
			im := p.Image
			if im == nil || !im.ChecksumOK || !im.SHA256OK || im.SignedBlocks != 1 || !im.Signatures[0].Valid {
				t.Errorf("ota_0 read back: %+v %s", im, p.Problem)
			}
		case "otadata":
			if p.OTAData == nil || p.OTAData.Slot != 0 || p.OTAData.Entries[p.OTAData.Active].State != otadata.StatePendingVerify {
				t.Errorf("otadata read back: %+v %s", p.OTAData, p.Problem)
			}
		}
	}
	file, _ := os.ReadFile(filepath.Join(dist, "partitions", "ota_0.bin"))
	plain := make([]byte, len(file))
	if err := flashenc.Decrypt(plain, file, key, slot0, flashenc.Options{Scheme: flashenc.XTSAES128}); err != nil {
		t.Fatal(err)
	}
	img, err := appimage.Decode(plain)
	if err != nil {
		t.Fatal(err)
	}
	if img.AppDesc == nil || img.AppDesc.SecureVersion != 3 || !img.ChecksumValid() || !img.SHA256Valid() {
		t.Fatalf("patched app: desc %+v checksum %v sha %v", img.AppDesc, img.ChecksumValid(), img.SHA256Valid())
	}
	if blocks, err := secureboot.VerifyV2(plain, pub); err != nil || !blocks[0].Verified {
		t.Errorf("patched app signature: %v", err)
	}
	// image info, esptool image_info's text, reads it back too.
	plainPath := filepath.Join(dir, "ota_0.plain.bin")
	if err := os.WriteFile(plainPath, plain[:img.Len()], 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, afero.NewOsFs(), nil, "image", "info", "--version", "2", plainPath)
	if code != 0 || !strings.Contains(stdout, "Secure version: 3\n") || !regexp.MustCompile(`Checksum: 0x[0-9a-f]{2} \(valid\)`).MatchString(stdout) ||
		!regexp.MustCompile(`Validation hash: [0-9a-f]{64} \(valid\)`).MatchString(stdout) {
		t.Errorf("image info of the patched app: exit %d\n%s%s", code, stdout, stderr)
	}
	// Nothing but secure_version, the checksum byte and the hash changed.
	orig, _ := appimage.Decode(in)
	if img.AppDesc.ProjectName != orig.AppDesc.ProjectName || img.AppDesc.Version != orig.AppDesc.Version ||
		!bytes.Equal(plain[:32+4], in[:32+4]) || !bytes.Equal(plain[32+8:img.ChecksumOffset], in[32+8:orig.ChecksumOffset]) {
		t.Error("setting secure_version changed more than the field")
	}
	// The OTA artifact for the other slot carries it too.
	ota1, _ := os.ReadFile(filepath.Join(dist, "ota", "app", "ota_1.bin"))
	if len(ota1) == 0 {
		t.Fatal("no ota_1 artifact")
	}

	script, _ := os.ReadFile(filepath.Join(dist, "efuse-plan.sh"))
	for _, want := range []string{
		"efuse burn_efuse 'SECURE_VERSION' '0x7'",
		"efuse burn_efuse 'SECURE_BOOT_KEY_REVOKE1' '1' 'SECURE_BOOT_KEY_REVOKE2' '1'",
	} {
		if !strings.Contains(string(script), want) {
			t.Errorf("efuse-plan.sh lacks %q", want)
		}
	}
	// Both before the secure features, whose last step may shut espefuse out.
	if i, j := strings.Index(string(script), "SECURE_VERSION"), strings.Index(string(script), "DIS_DIRECT_BOOT"); i < 0 || j < 0 || i > j {
		t.Error("SECURE_VERSION is not burned before the secure features")
	}
	md, _ := os.ReadFile(filepath.Join(dist, "efuse-plan.md"))
	if !strings.Contains(string(md), "Set the anti-rollback secure version") {
		t.Error("efuse-plan.md lacks the secure version step")
	}
}

func TestSecureVersionOutOfRange(t *testing.T) {
	dir, mf := fleetProject(t, "17")
	code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "plan", "-f", mf, "-o", filepath.Join(dir, "dist"))
	if code != 2 || !strings.Contains(stderr, "secure_version out of range") || !strings.Contains(stderr, "espcompose.hcl line 57") ||
		!strings.Contains(stderr, "16-bit SECURE_VERSION") {
		t.Errorf("secure_version 17 on esp32c3: exit %d:\n%s", code, stderr)
	}
	src, _ := os.ReadFile(mf)
	os.WriteFile(mf, bytes.Replace(src, []byte(`boot_state = "pending_verify"`), []byte(`boot_state = "broken"`), 1), 0o644)
	code, _, stderr = runCLI(t, afero.NewOsFs(), nil, "validate", "-f", mf, "-o", filepath.Join(dir, "dist"))
	if code != 2 || !strings.Contains(stderr, "Unknown boot_state") {
		t.Errorf("boot_state broken: exit %d:\n%s", code, stderr)
	}
}

func TestRevokedKeyIsRevokedAndDoesNotSign(t *testing.T) {
	dir, mf := fleetProject(t, "1")
	pem, err := stages.GenerateKey("rsa-3072", rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "keys", "sb_next.pem"), pem, 0o600); err != nil {
		t.Fatal(err)
	}
	lockEditFile(t, mf, `key "secure_boot" {`, "key \"sb_next\" {\n  algorithm = \"rsa-3072\"\n  file      = \"keys/sb_next.pem\"\n}\n\nkey \"secure_boot\" {\n  revoked   = true")
	lockEditFile(t, mf, `keys    = [key.secure_boot]`, `keys    = [key.secure_boot, key.sb_next]`)
	dist := filepath.Join(dir, "dist")
	code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "build", "-f", mf, "-o", dist)
	if code != 0 {
		t.Fatalf("build: exit %d: %s", code, stderr)
	}
	script, _ := os.ReadFile(filepath.Join(dist, "efuse-plan.sh"))
	s := string(script)
	for _, want := range []string{
		"SECURE_BOOT_DIGEST0", "SECURE_BOOT_DIGEST1", // the revoked key keeps slot 0
		"efuse burn_efuse 'SECURE_BOOT_KEY_REVOKE0' '1'",
		"efuse burn_efuse 'SECURE_BOOT_KEY_REVOKE2' '1'",
		"efuse burn_efuse 'SECURE_VERSION' '0x1'",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("efuse-plan.sh lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "SECURE_BOOT_KEY_REVOKE1") {
		t.Error("the plan revokes the slot of the key that signs")
	}
	// The images carry one signature block, by the unrevoked key.
	key, _ := os.ReadFile(filepath.Join(dir, "keys", "flash_encryption_key.bin"))
	merged, _ := os.ReadFile(filepath.Join(dist, "sensor-node-factory.bin"))
	insp, err := outputs.Inspect(merged, outputs.InspectOptions{Chip: "esp32c3", FlashKey: key})
	if err != nil {
		t.Fatal(err)
	}
	nextPub, _ := os.ReadFile(filepath.Join(dist, "keys", "sb_next.pub.pem"))
	pub, err := secureboot.ParsePublicKeyPEM(nextPub)
	if err != nil {
		t.Fatal(err)
	}
	if insp.Bootloader == nil || insp.Bootloader.SignedBlocks != 1 {
		t.Fatalf("bootloader: %+v", insp.Bootloader)
	}
	for _, p := range insp.Partitions {
		if p.Name == "ota_0" && (p.Image == nil || p.Image.SignedBlocks != 1) {
			t.Errorf("ota_0: %+v", p.Image)
		}
	}
	file, _ := os.ReadFile(filepath.Join(dist, "bootloader.bin"))
	plain := make([]byte, len(file))
	if err := flashenc.Decrypt(plain, file, key, 0, flashenc.Options{Scheme: flashenc.XTSAES128}); err != nil {
		t.Fatal(err)
	}
	if blocks, err := secureboot.VerifyV2(plain, pub); err != nil || !blocks[0].Verified {
		t.Errorf("bootloader is not signed by the unrevoked key: %v", err)
	}

	// Revoking every key leaves nothing to sign with.
	lockEditFile(t, mf, "key \"sb_next\" {\n", "key \"sb_next\" {\n  revoked   = true\n")
	code, _, stderr = runCLI(t, afero.NewOsFs(), nil, "validate", "-f", mf, "-o", dist)
	if code != 2 || !strings.Contains(stderr, "Every secure boot key is revoked") {
		t.Errorf("all keys revoked: exit %d: %s", code, stderr)
	}
}
