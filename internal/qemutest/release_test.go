package qemutest

import (
	"os"
	"path/filepath"
	"testing"
)

// What an ESP-IDF app built with flash encryption prints at start-up
// (esp_flash_encryption_init_checks in components/bootloader_support/src/flash_encrypt.c,
// read at esp-idf v5.1.2 = 482a8fb2d78e; the known FE app says v5.1.2-430-gc0f7cfdb48), from what
// esp_get_flash_encryption_mode reads in eFuse. On the ESP32-C3 RELEASE needs
// SPI_BOOT_CRYPT_CNT write-protected or at its maximum, DIS_DOWNLOAD_MANUAL_ENCRYPT and
// DIS_DOWNLOAD_ICACHE (SOC_EFUSE_DIS_DOWNLOAD_ICACHE).
const (
	feRelease     = "Flash encryption mode is RELEASE"
	feDevelopment = "Flash encryption mode is DEVELOPMENT (not secure)"
	// ESP-IDF's flash_encryption example prints these itself
	// (examples/security/flash_encryption/main/flash_encrypt_main.c, same commit).
	exampleRelease     = "Flash encryption feature is enabled in RELEASE mode"
	exampleDevelopment = "Flash encryption feature is enabled in DEVELOPMENT mode"
	exampleCryptCnt7   = "FLASH_CRYPT_CNT eFuse value is 7"
)

// efuseChips are the chips whose eFuse tables efuse_fields_test.go holds.
var efuseChips = map[string]*efuseChip{"esp32c3": efuseC3}

// Release mode, proved on the emulated chip: espcompose builds a release-mode
// flash-encrypted image (and, on the ESP32-C3, one with Secure Boot V2 too), every
// step of the efuse-plan.sh it wrote is burned into the emulated eFuses, and the app,
// which asks the eFuses, must report RELEASE. The twin burns the same plan without
// DIS_DOWNLOAD_ICACHE (what the plan once left out) and must report DEVELOPMENT, so the
// pass cannot come from an emulator that ignores eFuses; with Secure Boot, an image
// signed with another key must be refused on the same eFuses. Only an app built with flash
// encryption prints its mode, so this needs the FE inputs of device_test.go.
func TestBootReleaseModePlan(t *testing.T) {
	forDevices(t, func(t *testing.T, d *device, qemu string) {
		if d.feAppEnv == "" {
			t.Skipf("no %s app built with flash encryption is known (device_test.go): only such an app prints its mode", d.chip)
		}
		chip := efuseChips[d.chip]
		if chip == nil {
			t.Skipf("no eFuse tables for %s in efuse_fields_test.go", d.chip)
		}
		bl, okB := findInput(t, d.feBlEnv, d.feOffE, d.knownFEBL)
		app, okA := findInput(t, d.feAppEnv, "", d.knownFEApp)
		if !okB || !okA {
			t.Skipf("no %s bootloader and app built with flash encryption: set %s and %s, or put the known inputs (device_test.go) in %s as <sha256>.bin",
				d.chip, d.feBlEnv, d.feAppEnv, envInputs)
		}
		cases := []struct {
			name  string
			sbKey []byte
		}{{name: "flash-encryption"}}
		if d.secureBoot {
			keyPEM, _ := newSBKey(t)
			cases = append(cases, struct {
				name  string
				sbKey []byte
			}{"flash-encryption-and-secure-boot-v2", keyPEM})
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				merged := layout{dev: d, bootloader: bl, ota0: app, encrypt: true, release: true, sbKey: c.sbKey}.build(t)
				plan := readPlan(t, merged)

				want := []string{projectLine(app), feRelease, exampleRelease, exampleCryptCnt7}
				stop := []string{feDevelopment, exampleDevelopment, romRejects, sbRejected}
				if c.sbKey != nil {
					want = append(want, sbVerified)
				}
				log := boot(t, d, qemu, merged, planFuses(t, chip, plan, merged, nil), seen(want, stop...))
				requireAll(t, log, want...)
				forbid(t, log, stop...)

				if c.sbKey != nil {
					// The same plan's eFuses must refuse an image signed with another key:
					// the ROM really checks the digest the plan burned.
					t.Run("image-signed-with-another-key", func(t *testing.T) {
						otherKey, _ := newSBKey(t)
						other := layout{dev: d, bootloader: bl, ota0: app, encrypt: true, release: true, sbKey: otherKey}.build(t)
						log := boot(t, d, qemu, other, planFuses(t, chip, plan, merged, nil),
							seen([]string{sbRejected}, sbVerified, projectLine(app)))
						requireAll(t, log, sbRejected)
						forbid(t, log, sbVerified, projectLine(app))
					})
				}
				t.Run("plan-without-DIS_DOWNLOAD_ICACHE", func(t *testing.T) {
					want := []string{projectLine(app), feDevelopment, exampleDevelopment, exampleCryptCnt7}
					stop := []string{feRelease, exampleRelease, romRejects, sbRejected}
					cut := planFuses(t, chip, plan, merged, map[string]bool{"DIS_DOWNLOAD_ICACHE": true})
					log := boot(t, d, qemu, merged, cut, seen(want, stop...))
					requireAll(t, log, want...)
					forbid(t, log, stop...)
				})
			})
		}
	})
}

// readPlan parses the efuse-plan.sh espcompose wrote next to the merged image.
func readPlan(t *testing.T, merged string) []planStep {
	t.Helper()
	dist := filepath.Dir(merged)
	steps, err := parsePlan(readFile(t, filepath.Join(dist, "efuse-plan.sh")), dist)
	if err != nil {
		t.Fatal(err)
	}
	if testing.Verbose() {
		for _, s := range steps {
			t.Logf("plan line %d: efuse %s %q", s.line, s.op, s.args)
		}
	}
	return steps
}

// planFuses burns the plan into an eFuse file for QEMU. The manifest (and the key files
// the plan names relative to it) sits in the directory above dist.
func planFuses(t *testing.T, chip *efuseChip, plan []planStep, merged string, skip map[string]bool) string {
	t.Helper()
	data, err := applyPlan(chip, plan, filepath.Dir(filepath.Dir(merged)), skip)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "efuse.bin")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
