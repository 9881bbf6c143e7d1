package qemutest

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/espcompose/espcompose/outputs"
)

// These tests need no emulator: they check the plan-to-eFuse-bits mapping the boot
// tests rely on.

// planDir writes the files an ESP32-C3 plan names (flash key relative to the manifest
// directory, the public key under dist) and returns the manifest dir, dist, the flash
// key and the public key.
func planDir(t *testing.T) (dir, dist string, key []byte, pub *rsa.PublicKey) {
	t.Helper()
	dir = t.TempDir()
	dist = filepath.Join(dir, "dist")
	if err := os.MkdirAll(filepath.Join(dist, "keys"), 0o755); err != nil {
		t.Fatal(err)
	}
	key = flashKey()
	if err := os.WriteFile(filepath.Join(dir, "flash_key.bin"), key, 0o600); err != nil {
		t.Fatal(err)
	}
	_, pub = newSBKey(t)
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	if err := os.WriteFile(filepath.Join(dist, "keys", "sb.pub.pem"), pubPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, dist, key, pub
}

func c3Plan(release, secureBoot bool) *outputs.EfusePlan {
	p := &outputs.EfusePlan{
		Chip:            "esp32c3",
		FlashEncryption: &outputs.EfuseFlashEncryption{KeyFile: "flash_key.bin", KeyBytes: 32, Release: release},
		FlashArgs:       "flash_args",
	}
	if secureBoot {
		p.SecureBoot = &outputs.EfuseSecureBoot{Version: 2, PublicKeys: []string{"keys/sb.pub.pem"}, Digests: []string{"00"}}
	}
	return p
}

func burnC3(t *testing.T, p *outputs.EfusePlan, dir, dist string, skip map[string]bool) *efuseImage {
	t.Helper()
	steps, err := parsePlan(p.Script(), dist)
	if err != nil {
		t.Fatalf("%v\n%s", err, p.Script())
	}
	data, err := applyPlan(efuseC3, steps, dir, skip)
	if err != nil {
		t.Fatalf("%v\n%s", err, p.Script())
	}
	if len(data) != c3FileSize {
		t.Fatalf("eFuse file is %d bytes, want %d", len(data), c3FileSize)
	}
	return &efuseImage{chip: efuseC3, data: data}
}

// The release-mode plan with Secure Boot V2 lands on these register words. The
// expected values are written out bit by bit from esptool's esp32c3.yaml (see
// efuse_fields_test.go), not computed with the table under test.
func TestPlanToEfuseBitsReleaseSecureBootC3(t *testing.T) {
	dir, dist, key, pub := planDir(t)
	e := burnC3(t, c3Plan(true, true), dir, dist, nil)

	wantWords := []struct {
		name string
		word int
		want uint32
	}{
		// WR_DIS: RD_DIS (bit 0, write_protect_efuse RD_DIS), DIS_ICACHE group (bit 2),
		// KEY_PURPOSE_0/1 (bits 8, 9), BLOCK_KEY0/1 (bits 23, 24).
		{"EFUSE_RD_WR_DIS", 0, 1<<0 | 1<<2 | 1<<8 | 1<<9 | 1<<23 | 1<<24},
		// RD_DIS bit 0 (BLOCK_KEY0 read-protected), DIS_USB_JTAG 9, DIS_DOWNLOAD_ICACHE 10,
		// SOFT_DIS_JTAG 16..18 = 7, DIS_PAD_JTAG 19, DIS_DOWNLOAD_MANUAL_ENCRYPT 20.
		{"EFUSE_RD_REPEAT_DATA0", 1, 1<<0 | 1<<9 | 1<<10 | 7<<16 | 1<<19 | 1<<20},
		// SPI_BOOT_CRYPT_CNT 18..20 = 7, KEY_PURPOSE_0 = 4 (XTS_AES_128_KEY) at 24,
		// KEY_PURPOSE_1 = 9 (SECURE_BOOT_DIGEST0) at 28.
		{"EFUSE_RD_REPEAT_DATA1", 2, 7<<18 | 4<<24 | 9<<28},
		// SECURE_BOOT_EN bit 20.
		{"EFUSE_RD_REPEAT_DATA2", 3, 1 << 20},
		// DIS_DIRECT_BOOT bit 1, ENABLE_SECURITY_DOWNLOAD bit 5.
		{"EFUSE_RD_REPEAT_DATA3", 4, 1<<1 | 1<<5},
		{"EFUSE_RD_REPEAT_DATA4", 5, 0},
		// BLOCK1 word 3: WAFER_VERSION_MINOR_LO = 3 (chip v0.3), untouched by the plan.
		{"EFUSE_RD_MAC_SPI_SYS_3", 9, 3 << 18},
	}
	for _, w := range wantWords {
		if got := e.word(w.word); got != w.want {
			t.Errorf("%s = %#08x, want %#08x", w.name, got, w.want)
		}
	}
	// BLOCK_KEY0 (file offset 0x70) holds the key byte-reversed; BLOCK_KEY1 (0x90) the
	// digest as is.
	if got := e.data[0x70:0x90]; !bytes.Equal(got, reversed(key)) {
		t.Errorf("BLOCK_KEY0 = %x, want the key reversed", got)
	}
	if got := e.data[0x90:0xb0]; !bytes.Equal(got, sbDigest(pub)) {
		t.Errorf("BLOCK_KEY1 = %x, want the public key digest", got)
	}
	for i := 0xb0; i < len(e.data); i++ {
		if e.data[i] != 0 {
			t.Fatalf("byte %#x = %#x past the used key blocks", i, e.data[i])
		}
	}
}

// The fields esp_get_flash_encryption_mode reads on the ESP32-C3: release mode sets
// all three, development mode none but an odd SPI_BOOT_CRYPT_CNT, and a cut plan loses
// exactly the skipped one.
func TestPlanToEfuseBitsModesC3(t *testing.T) {
	dir, dist, _, _ := planDir(t)
	type state struct{ cnt, manual, icache, padJTAG uint32 }
	read := func(e *efuseImage) state {
		return state{e.field("SPI_BOOT_CRYPT_CNT"), e.field("DIS_DOWNLOAD_MANUAL_ENCRYPT"),
			e.field("DIS_DOWNLOAD_ICACHE"), e.field("DIS_PAD_JTAG")}
	}
	for _, c := range []struct {
		name    string
		release bool
		skip    map[string]bool
		want    state
	}{
		{"release", true, nil, state{7, 1, 1, 1}},
		{"development", false, nil, state{1, 0, 0, 0}},
		{"release-without-DIS_DOWNLOAD_ICACHE", true, map[string]bool{"DIS_DOWNLOAD_ICACHE": true}, state{7, 1, 0, 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := burnC3(t, c3Plan(c.release, false), dir, dist, c.skip)
			if got := read(e); got != c.want {
				t.Fatalf("SPI_BOOT_CRYPT_CNT, DIS_DOWNLOAD_MANUAL_ENCRYPT, DIS_DOWNLOAD_ICACHE, DIS_PAD_JTAG = %v, want %v", got, c.want)
			}
			if got := e.field("KEY_PURPOSE_0"); got != 4 {
				t.Fatalf("KEY_PURPOSE_0 = %d, want 4 (XTS_AES_128_KEY)", got)
			}
		})
	}
}

// The emulated espefuse refuses what the real one refuses, so a plan in the wrong
// order or naming an unknown field fails the boot tests instead of burning nonsense.
func TestApplyPlanRefuses(t *testing.T) {
	dir, dist, _, _ := planDir(t)
	for _, c := range []struct {
		name, script, want string
	}{
		{"burn-after-write-protect", "efuse write_protect_efuse 'DIS_ICACHE'\nefuse burn_efuse 'DIS_DOWNLOAD_ICACHE' '1'\n", "write-protected"},
		{"unknown-field", "efuse burn_efuse 'NO_SUCH_FUSE' '1'\n", "not in the tables"},
		{"too-wide", "efuse burn_efuse SPI_BOOT_CRYPT_CNT 8\n", "does not fit"},
		{"purpose-mismatch", "efuse burn_key BLOCK_KEY0 flash_key.bin SECURE_BOOT_DIGEST0\n", "does not go with"},
		{"key-purpose-locked", "efuse burn_key BLOCK_KEY0 flash_key.bin XTS_AES_128_KEY\nefuse burn_key BLOCK_KEY0 flash_key.bin XTS_AES_128_KEY\n", "write-protected"},
		{"unknown-command", "efuse burn_bit BLOCK3 0\n", "not emulated"},
		{"option", "efuse burn_key BLOCK_KEY0 flash_key.bin XTS_AES_128_KEY --no-read-protect\n", "not emulated"},
	} {
		t.Run(c.name, func(t *testing.T) {
			steps, err := parsePlan([]byte(c.script), dist)
			if err == nil {
				_, err = applyPlan(efuseC3, steps, dir, nil)
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
	if _, err := parsePlan([]byte("rm -rf /\n"), dist); err == nil {
		t.Fatal("parsePlan accepted a line that is not an efuse command")
	}
}

func TestShellWords(t *testing.T) {
	got, err := shellWords(`efuse burn_key_digest BLOCK_KEY1 "$DIST"/'keys/it'\''s.pem' SECURE_BOOT_DIGEST0`, map[string]string{"DIST": "/d"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"efuse", "burn_key_digest", "BLOCK_KEY1", "/d/keys/it's.pem", "SECURE_BOOT_DIGEST0"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q, want %q", got, want)
	}
	for _, bad := range []string{"a $(b)", "a; b", `"$HOME"`, "'open"} {
		if _, err := shellWords(bad, nil); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// yamlField matches one field line of esptool's efuse_defs/<chip>.yaml.
var yamlField = regexp.MustCompile(`^\s+(\w+)\s*:\s*\{.*?\bblk\s*:\s*(\d+),\s*word\s*:\s*(\d+),\s*pos\s*:\s*(\d+),\s*len\s*:\s*(\d+),.*?\bwr_dis\s*:\s*(\w+),`)

// With ESPCOMPOSE_ESPEFUSE_DEFS naming esptool's espefuse/efuse_defs directory, every
// field of the table above is checked against esptool's own YAML.
func TestEfuseFieldsMatchEsptool(t *testing.T) {
	defs := os.Getenv("ESPCOMPOSE_ESPEFUSE_DEFS")
	if defs == "" {
		t.Skip("ESPCOMPOSE_ESPEFUSE_DEFS is not set: point it at esptool's espefuse/efuse_defs directory")
	}
	for name, chip := range efuseChips {
		b, err := os.ReadFile(filepath.Join(defs, name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]bool{}
		for _, l := range strings.Split(string(b), "\n") {
			m := yamlField.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			f, ok := chip.fields[m[1]]
			if !ok || found[m[1]] {
				continue // esptool's file lists each field twice (all, then by category)
			}
			found[m[1]] = true
			num := func(s string) int {
				if s == "null" {
					return -1
				}
				v, err := strconv.Atoi(s)
				if err != nil {
					t.Fatalf("%s: %v", l, err)
				}
				return v
			}
			want := efuseField{num(m[3]), num(m[4]), num(m[5]), num(m[6])}
			if m[2] != "0" || f != want {
				t.Errorf("%s %s: table %+v, esptool blk %s %+v", name, m[1], f, m[2], want)
			}
		}
		for n := range chip.fields {
			if !found[n] {
				t.Errorf("%s %s: not in esptool's %s.yaml", name, n, name)
			}
		}
	}
}
