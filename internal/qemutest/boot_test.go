package qemutest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/espcompose/espcompose/format/parttable"
)

func projectLine(in *input) string { return "Project name:     " + in.project }

func loadedLine(off uint32) string {
	return fmt.Sprintf("Loaded app from partition at offset 0x%x", off)
}

// romRejects is what the ESP32 and ESP32-C3 ROMs print when the bootloader they read is
// garbage (here: ciphertext read without the key).
const romRejects = "invalid header"

// appMarkers is what must appear when in runs from offset off.
func appMarkers(bl, in *input, off uint32) []string {
	m := append([]string{projectLine(in)}, in.markers...)
	if bl.logs {
		m = append(m, loadedLine(off))
	}
	return m
}

func requireAll(t *testing.T, log string, markers ...string) {
	t.Helper()
	for _, m := range markers {
		if !strings.Contains(log, m) {
			t.Errorf("serial output lacks %q", m)
		}
	}
	if t.Failed() {
		t.Fatalf("serial output:\n%s", tail(log))
	}
}

func forbid(t *testing.T, log string, bad ...string) {
	t.Helper()
	for _, m := range bad {
		if strings.Contains(log, m) {
			t.Fatalf("serial output has %q:\n%s", m, tail(log))
		}
	}
}

// ptLine is the bootloader's partition table print:
// "I (15) boot:  3 ota_0            OTA app          00 10 00020000 00180000".
var ptLine = regexp.MustCompile(`boot:\s+\d+ (\S+)\s+.*\s([0-9a-f]{2}) ([0-9a-f]{2}) ([0-9a-f]{8}) ([0-9a-f]{8})\s*$`)

// checkTablePrint compares what the bootloader printed with the table espcompose wrote.
func checkTablePrint(t *testing.T, log, merged string, offset uint32) {
	t.Helper()
	img, err := os.ReadFile(merged)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := parttable.Decode(img[offset : offset+parttable.TableSize])
	if err != nil {
		t.Fatalf("table at 0x%x: %v", offset, err)
	}
	var printed []string
	for _, l := range strings.Split(log, "\n") {
		if m := ptLine.FindStringSubmatch(l); m != nil {
			printed = append(printed, strings.Join(m[1:], " "))
		}
	}
	var want []string
	for _, e := range tbl.Entries {
		want = append(want, fmt.Sprintf("%s %02x %02x %08x %08x", e.Name, e.Type, e.Subtype, e.Offset, e.Size))
	}
	if strings.Join(printed, "\n") != strings.Join(want, "\n") {
		t.Fatalf("bootloader printed the table\n%s\nwant\n%s", strings.Join(printed, "\n"), strings.Join(want, "\n"))
	}
}

// forDevices runs f once per emulated chip.
func forDevices(t *testing.T, f func(t *testing.T, d *device, qemu string)) {
	for _, d := range devices {
		t.Run(d.chip, func(t *testing.T) { f(t, d, qemuBinary(t, d)) })
	}
}

// (a) Blank otadata: the bootloader finds no factory app and boots ota_0.
func TestBootPlainBlankOtadata(t *testing.T) {
	forDevices(t, func(t *testing.T, d *device, qemu string) {
		bl, app := plainInputs(t, d)
		merged := layout{dev: d, bootloader: bl, ota0: app}.build(t)
		want := appMarkers(bl, app, ota0Offset)
		log := boot(t, d, qemu, merged, "", seen(want, romRejects))
		requireAll(t, log, want...)
		if bl.logs {
			requireAll(t, log, "No factory image, trying OTA 0")
			checkTablePrint(t, log, merged, bl.tableOffset)
		}
	})
}

// (b) otadata selects ota_1 while both slots hold a bootable app, so only the
// otadata record (sequence, CRC) can make the bootloader pick ota_1. The control
// boots the same image with the record's CRC broken and must fall back to ota_0.
func TestBootOtadataSelectsOTA1(t *testing.T) {
	forDevices(t, func(t *testing.T, d *device, qemu string) {
		bl, app := plainInputs(t, d)
		if !bl.logs {
			t.Skipf("%s does not print which partition it loads; ota_0 and ota_1 hold the same app", bl.path)
		}
		merged := layout{dev: d, bootloader: bl, ota0: app, ota1: app, boot: "ota_1"}.build(t)
		want := appMarkers(bl, app, ota1Offset)
		log := boot(t, d, qemu, merged, "", seen(want, romRejects, loadedLine(ota0Offset)))
		requireAll(t, log, want...)
		forbid(t, log, loadedLine(ota0Offset))

		t.Run("broken-crc-falls-back-to-ota_0", func(t *testing.T) {
			img, err := os.ReadFile(merged)
			if err != nil {
				t.Fatal(err)
			}
			otadata := otadataOffset(t, img, bl.tableOffset)
			img[otadata+28] ^= 0xff // esp_ota_select_entry_t.crc
			broken := filepath.Join(t.TempDir(), "broken.bin")
			if err := os.WriteFile(broken, img, 0o600); err != nil {
				t.Fatal(err)
			}
			log := boot(t, d, qemu, broken, "", seen([]string{loadedLine(ota0Offset)}, romRejects, loadedLine(ota1Offset)))
			requireAll(t, log, loadedLine(ota0Offset))
		})
	})
}

func otadataOffset(t *testing.T, img []byte, tableOffset uint32) uint32 {
	t.Helper()
	tbl, err := parttable.Decode(img[tableOffset : tableOffset+parttable.TableSize])
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range tbl.Entries {
		if e.Type == parttable.TypeData && e.Name == "otadata" {
			return e.Offset
		}
	}
	t.Fatal("no otadata partition")
	return 0
}

// (c) Flash encryption: espcompose encrypts bootloader, table, otadata and apps with
// the key for their offsets; the emulated eFuses hold that key and enable encryption,
// so the ROM and cache decrypt on read. otadata selects ota_1, so this also proves
// the encrypted otadata. Without the key the ROM must reject the bootloader, which
// shows the image really is ciphertext. Each available bootloader is tried: one built
// for flash encryption, and a plain one (which reads through the decrypting cache too).
func TestBootFlashEncrypted(t *testing.T) {
	forDevices(t, func(t *testing.T, d *device, qemu string) {
		var bootloaders []*input
		if bl, ok := findInput(t, d.feBlEnv, d.feOffE, d.knownFEBL); ok {
			bl.fe = true
			bootloaders = append(bootloaders, bl)
		}
		if bl, ok := findInput(t, d.blEnv, d.offEnv, d.knownBL); ok {
			bootloaders = append(bootloaders, bl)
		}
		feApp, okFE := findInput(t, d.feAppEnv, "", d.knownFEApp)
		plainApp, okPlain := findInput(t, d.appEnv, "", d.knownApp)
		if len(bootloaders) == 0 || (!okFE && !okPlain) {
			t.Skipf("no %s bootloader/app: set %s and %s, or put the known inputs (device_test.go) in %s as <sha256>.bin",
				d.chip, d.blEnv, d.appEnv, envInputs)
		}
		app, other := feApp, plainApp
		if !okFE {
			app, other = plainApp, plainApp
		} else if !okPlain {
			other = feApp
		}
		for _, bl := range bootloaders {
			name := "silent-bootloader"
			if bl.logs {
				name = "logging-bootloader"
			}
			t.Run(name, func(t *testing.T) {
				merged := layout{dev: d, bootloader: bl, ota0: other, ota1: app, boot: "ota_1", encrypt: true}.build(t)
				want := appMarkers(bl, app, ota1Offset)
				var bad []string
				if other.project != app.project {
					bad = append(bad, projectLine(other))
				}
				log := boot(t, d, qemu, merged, efuseFile(t, d, fuses{flashKey: flashKey()}), seen(want, append(bad, romRejects)...))
				requireAll(t, log, want...)
				forbid(t, log, bad...)

				t.Run("without-key", func(t *testing.T) {
					log := boot(t, d, qemu, merged, efuseFile(t, d, fuses{}), seen([]string{romRejects}, projectLine(app)))
					requireAll(t, log, romRejects)
					forbid(t, log, projectLine(app))
				})
			})
			if !bl.fe {
				continue
			}
			// device_encrypts: espcompose leaves everything plaintext and the bootloader
			// makes a key, burns it and encrypts in place on first boot, then resets.
			t.Run(name+"-device-encrypts", func(t *testing.T) {
				merged := layout{dev: d, bootloader: bl, ota0: other, ota1: app, boot: "ota_1", encrypt: true, deviceEncrypts: true}.build(t)
				want := append(appMarkers(bl, app, ota1Offset), firstBootReset)
				efuse := efuseFile(t, d, fuses{})
				var bad []string
				if other.project != app.project {
					bad = append(bad, projectLine(other))
				}
				log := boot(t, d, qemu, merged, efuse, seen(want, append(bad, romRejects)...))
				requireAll(t, log, want...)
				forbid(t, log, bad...)
				if fuses := d.efuse(fuses{}); bytes.Equal(readFile(t, efuse), fuses) {
					t.Fatal("the bootloader burned no eFuse")
				}
			})
		}
	})
}

// firstBootReset is the ROM's banner after the bootloader's reset that follows
// encrypting the flash in place.
const firstBootReset = "rst:0x3 (RTC_SW_SYS_RST)"

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
