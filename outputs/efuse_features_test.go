package outputs

import (
	"slices"
	"sort"
	"strings"
	"testing"
)

// The eFuses each chip's plan must burn, written out from ESP-IDF at commit
// 102122904ade11fd1ae373848f34ffd7dfb18aeb (independently of secureFeatures):
//
//	flash encryption release: components/bootloader_support/src/<chip>/flash_encryption_secure_features.c
//	  (esp_flash_encryption_enable_secure_features) and
//	  components/bootloader_support/src/flash_encryption/flash_encrypt.c (esp_flash_encrypt_enable:
//	  counter to max, WR_DIS_SPI_BOOT_CRYPT_CNT on the XTS_AES_128_DERIVED ESP32-C2)
//	Secure Boot V2: components/bootloader_support/src/<chip>/secure_boot_secure_features.c
//	  (esp_secure_boot_enable_secure_features)
//	ROM download: components/bootloader/Kconfig.projbuild (SECURE_ROM_DL_MODE_ENABLED:
//	  Secure Download mode by default where SOC_SUPPORTS_SECURE_DL_MODE, not in FE development)
//
// with every Kconfig opt-out at its default. "NAME=V" is burn_efuse NAME V, "wp:NAME"
// is write_protect_efuse NAME. The enable steps (counter, SECURE_BOOT_EN) are included.
var espIDFRelease = map[string]struct{ fe, sb []string }{
	"esp32": {
		fe: []string{"FLASH_CRYPT_CONFIG=0xF", "FLASH_CRYPT_CNT=0x7F", "DISABLE_DL_ENCRYPT=1", "DISABLE_DL_DECRYPT=1",
			"DISABLE_DL_CACHE=1", "JTAG_DISABLE=1", "CONSOLE_DEBUG_DISABLE=1", "wp:DIS_CACHE"},
		sb: []string{"ABS_DONE_1=1", "JTAG_DISABLE=1", "CONSOLE_DEBUG_DISABLE=1", "wp:RD_DIS"},
	},
	"esp32s2": {
		fe: []string{"SPI_BOOT_CRYPT_CNT=7", "DIS_DOWNLOAD_MANUAL_ENCRYPT=1", "DIS_DOWNLOAD_DCACHE=1", "DIS_DOWNLOAD_ICACHE=1",
			"HARD_DIS_JTAG=1", "DIS_BOOT_REMAP=1", "DIS_LEGACY_SPI_BOOT=1", "wp:DIS_ICACHE", "ENABLE_SECURITY_DOWNLOAD=1"},
		sb: []string{"SECURE_BOOT_EN=1", "DIS_BOOT_REMAP=1", "DIS_LEGACY_SPI_BOOT=1", "HARD_DIS_JTAG=1", "SOFT_DIS_JTAG=1",
			"wp:RD_DIS", "ENABLE_SECURITY_DOWNLOAD=1"},
	},
	"esp32s3": {
		fe: []string{"SPI_BOOT_CRYPT_CNT=7", "DIS_DOWNLOAD_MANUAL_ENCRYPT=1", "DIS_DOWNLOAD_DCACHE=1", "DIS_DOWNLOAD_ICACHE=1",
			"DIS_PAD_JTAG=1", "DIS_USB_JTAG=1", "DIS_DIRECT_BOOT=1", "wp:DIS_ICACHE", "ENABLE_SECURITY_DOWNLOAD=1"},
		sb: []string{"SECURE_BOOT_EN=1", "DIS_DIRECT_BOOT=1", "DIS_USB_JTAG=1", "DIS_PAD_JTAG=1", "SOFT_DIS_JTAG=7",
			"wp:RD_DIS", "ENABLE_SECURITY_DOWNLOAD=1"},
	},
	"esp32c2": {
		fe: []string{"SPI_BOOT_CRYPT_CNT=7", "DIS_DOWNLOAD_MANUAL_ENCRYPT=1", "DIS_DOWNLOAD_ICACHE=1", "DIS_PAD_JTAG=1",
			"DIS_DIRECT_BOOT=1", "wp:SPI_BOOT_CRYPT_CNT", "ENABLE_SECURITY_DOWNLOAD=1"},
		sb: []string{"SECURE_BOOT_EN=1", "DIS_DIRECT_BOOT=1", "DIS_PAD_JTAG=1", "wp:RD_DIS", "ENABLE_SECURITY_DOWNLOAD=1"},
	},
	"esp32c3": {
		fe: []string{"SPI_BOOT_CRYPT_CNT=7", "DIS_DOWNLOAD_MANUAL_ENCRYPT=1", "DIS_DOWNLOAD_ICACHE=1", "DIS_PAD_JTAG=1",
			"DIS_USB_JTAG=1", "DIS_DIRECT_BOOT=1", "wp:DIS_ICACHE", "ENABLE_SECURITY_DOWNLOAD=1"},
		sb: []string{"SECURE_BOOT_EN=1", "DIS_DIRECT_BOOT=1", "DIS_PAD_JTAG=1", "DIS_USB_JTAG=1", "SOFT_DIS_JTAG=7",
			"wp:RD_DIS", "ENABLE_SECURITY_DOWNLOAD=1"},
	},
	"esp32c5": {
		fe: []string{"SPI_BOOT_CRYPT_CNT=7", "DIS_DOWNLOAD_MANUAL_ENCRYPT=1", "SPI_DOWNLOAD_MSPI_DIS=1", "DIS_PAD_JTAG=1",
			"DIS_USB_JTAG=1", "DIS_DIRECT_BOOT=1", "XTS_DPA_PSEUDO_LEVEL=1", "wp:DIS_ICACHE", "ENABLE_SECURITY_DOWNLOAD=1"},
		sb: []string{"SECURE_BOOT_EN=1", "DIS_DIRECT_BOOT=1", "DIS_PAD_JTAG=1", "DIS_USB_JTAG=1", "SOFT_DIS_JTAG=7",
			"wp:RD_DIS", "ENABLE_SECURITY_DOWNLOAD=1"},
	},
	"esp32c6": {
		fe: []string{"SPI_BOOT_CRYPT_CNT=7", "DIS_DOWNLOAD_MANUAL_ENCRYPT=1", "DIS_DOWNLOAD_ICACHE=1", "DIS_PAD_JTAG=1",
			"DIS_USB_JTAG=1", "DIS_DIRECT_BOOT=1", "wp:DIS_ICACHE", "ENABLE_SECURITY_DOWNLOAD=1"},
		sb: []string{"SECURE_BOOT_EN=1", "DIS_DIRECT_BOOT=1", "DIS_PAD_JTAG=1", "DIS_USB_JTAG=1", "SOFT_DIS_JTAG=7",
			"wp:RD_DIS", "ENABLE_SECURITY_DOWNLOAD=1"},
	},
	"esp32c61": {
		fe: []string{"SPI_BOOT_CRYPT_CNT=7", "DIS_DOWNLOAD_MANUAL_ENCRYPT=1", "SPI_DOWNLOAD_MSPI_DIS=1", "DIS_PAD_JTAG=1",
			"DIS_USB_JTAG=1", "DIS_DIRECT_BOOT=1", "XTS_DPA_PSEUDO_LEVEL=1", "wp:DIS_ICACHE", "ENABLE_SECURITY_DOWNLOAD=1"},
		sb: []string{"SECURE_BOOT_EN=1", "DIS_DIRECT_BOOT=1", "DIS_PAD_JTAG=1", "DIS_USB_JTAG=1",
			"wp:RD_DIS", "ENABLE_SECURITY_DOWNLOAD=1"},
	},
	"esp32h2": {
		fe: []string{"SPI_BOOT_CRYPT_CNT=7", "DIS_DOWNLOAD_MANUAL_ENCRYPT=1", "DIS_PAD_JTAG=1",
			"DIS_USB_JTAG=1", "DIS_DIRECT_BOOT=1", "wp:DIS_ICACHE", "ENABLE_SECURITY_DOWNLOAD=1"},
		sb: []string{"SECURE_BOOT_EN=1", "DIS_DIRECT_BOOT=1", "DIS_PAD_JTAG=1", "DIS_USB_JTAG=1", "SOFT_DIS_JTAG=7",
			"wp:RD_DIS", "ENABLE_SECURITY_DOWNLOAD=1"},
	},
	"esp32p4": {
		fe: []string{"SPI_BOOT_CRYPT_CNT=7", "DIS_DOWNLOAD_MANUAL_ENCRYPT=1", "SPI_DOWNLOAD_MSPI_DIS=1", "DIS_PAD_JTAG=1",
			"DIS_USB_JTAG=1", "DIS_DIRECT_BOOT=1", "ENABLE_SECURITY_DOWNLOAD=1"},
		sb: []string{"SECURE_BOOT_EN=1", "DIS_DIRECT_BOOT=1", "DIS_PAD_JTAG=1", "DIS_USB_JTAG=1", "SOFT_DIS_JTAG=7",
			"wp:RD_DIS", "ENABLE_SECURITY_DOWNLOAD=1"},
	},
}

// burned lists the eFuse writes of the plan's script in order, without the key burns.
func burned(t *testing.T, p *EfusePlan) []string {
	t.Helper()
	var out []string
	for _, s := range p.steps() {
		for _, c := range s.cmds {
			f := strings.Fields(c)
			if len(f) < 2 || f[0] != "efuse" {
				continue
			}
			args := make([]string, 0, len(f)-2)
			for _, a := range f[2:] {
				args = append(args, strings.Trim(a, "'"))
			}
			switch f[1] {
			case "burn_efuse":
				if len(args)%2 != 0 {
					t.Fatalf("burn_efuse with an odd argument count: %q", c)
				}
				for i := 0; i < len(args); i += 2 {
					out = append(out, args[i]+"="+args[i+1])
				}
			case "write_protect_efuse":
				for _, a := range args {
					out = append(out, "wp:"+a)
				}
			}
		}
	}
	return out
}

func plan(chip string, fe, sb bool) *EfusePlan {
	p := &EfusePlan{Chip: chip}
	if fe {
		p.FlashEncryption = &EfuseFlashEncryption{KeyFile: "fe.bin", KeyBytes: 32, CryptConfig: 0xF, Release: true}
		if chip == "esp32" {
			p.FlashEncryption.KeyBytes = 32
		}
	}
	if sb {
		p.SecureBoot = &EfuseSecureBoot{Version: 2, PublicKeys: []string{"k.pub.pem"}, Digests: []string{"00"}}
	}
	return p
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

// TestReleasePlanMatchesESPIDF: for every supported chip, in release mode, with Secure
// Boot V2, and with both, the plan burns exactly what ESP-IDF's bootloader burns, and
// in an order that works: every burn before the write-protects that cover it, the ROM
// download policy last.
func TestReleasePlanMatchesESPIDF(t *testing.T) {
	for _, chip := range []string{"esp32", "esp32s2", "esp32s3", "esp32c2", "esp32c3", "esp32c5", "esp32c6", "esp32c61", "esp32h2", "esp32p4"} {
		want := espIDFRelease[chip]
		for _, c := range []struct {
			name   string
			fe, sb bool
			want   []string
		}{
			{"release", true, false, want.fe},
			{"sbv2", false, true, want.sb},
			{"release+sbv2", true, true, union(want.fe, want.sb)},
		} {
			t.Run(chip+"/"+c.name, func(t *testing.T) {
				got := burned(t, plan(chip, c.fe, c.sb))
				if !slices.Equal(sorted(got), sorted(c.want)) {
					t.Errorf("plan burns\n  %v\nESP-IDF burns\n  %v", sorted(got), sorted(c.want))
				}
				firstWP, lastBurn := len(got), -1
				for i, g := range got {
					if strings.HasPrefix(g, "wp:") {
						firstWP = min(firstWP, i)
					} else if !strings.HasPrefix(g, "ENABLE_SECURITY_DOWNLOAD") {
						lastBurn = i
					}
				}
				if lastBurn > firstWP {
					t.Errorf("a burn follows a write-protect: %v", got)
				}
				if i := slices.Index(got, "ENABLE_SECURITY_DOWNLOAD=1"); i >= 0 && i != len(got)-1 {
					t.Errorf("Secure Download mode is not the last step, espefuse cannot run after it: %v", got)
				}
			})
		}
	}
}

// TestDevelopmentPlanUnchanged: development mode still enables encryption and nothing
// more, so the device keeps accepting re-flashing.
func TestDevelopmentPlanUnchanged(t *testing.T) {
	p := plan("esp32c3", true, false)
	p.FlashEncryption.Release = false
	if got := burned(t, p); !slices.Equal(got, []string{"SPI_BOOT_CRYPT_CNT=1"}) {
		t.Errorf("development plan burns %v", got)
	}
}

// TestOptOutsWeaken: each manifest opt-out removes exactly its eFuses and the plan
// names the weakening in efuse-plan.md and efuse-plan.sh.
func TestOptOutsWeaken(t *testing.T) {
	for _, c := range []struct {
		name    string
		chip    string
		set     func(*EfuseHardening)
		gone    []string
		added   []string
		setting string
	}{
		{"allow_jtag", "esp32c3", func(h *EfuseHardening) { h.AllowJTAG = true },
			[]string{"DIS_PAD_JTAG=1", "DIS_USB_JTAG=1", "SOFT_DIS_JTAG=7", "wp:DIS_ICACHE"}, nil, "allow_jtag = true"},
		{"allow_jtag esp32", "esp32", func(h *EfuseHardening) { h.AllowJTAG = true },
			[]string{"JTAG_DISABLE=1", "wp:DIS_CACHE"}, nil, "allow_jtag = true"},
		{"allow_cache_download", "esp32c3", func(h *EfuseHardening) { h.AllowCacheDownload = true },
			[]string{"DIS_DOWNLOAD_ICACHE=1", "wp:DIS_ICACHE"}, nil, "allow_cache_download = true"},
		{"allow_cache_download s3", "esp32s3", func(h *EfuseHardening) { h.AllowCacheDownload = true },
			[]string{"DIS_DOWNLOAD_ICACHE=1", "DIS_DOWNLOAD_DCACHE=1", "wp:DIS_ICACHE"}, nil, "allow_cache_download = true"},
		{"allow_cache_download p4", "esp32p4", func(h *EfuseHardening) { h.AllowCacheDownload = true },
			[]string{"SPI_DOWNLOAD_MSPI_DIS=1"}, nil, "allow_cache_download = true"},
		{"allow_rom_basic", "esp32", func(h *EfuseHardening) { h.AllowROMBasic = true },
			[]string{"CONSOLE_DEBUG_DISABLE=1"}, nil, "allow_rom_basic = true"},
		{"rom_download enabled", "esp32c3", func(h *EfuseHardening) { h.ROMDownload = ROMDownloadEnabled },
			[]string{"ENABLE_SECURITY_DOWNLOAD=1"}, nil, `rom_download = "enabled"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			base := plan(c.chip, true, true)
			weak := plan(c.chip, true, true)
			c.set(&weak.Hardening)
			before, after := burned(t, base), burned(t, weak)
			for _, g := range c.gone {
				if !slices.Contains(before, g) {
					t.Fatalf("%s is not in the default plan %v", g, before)
				}
			}
			var want []string
			for _, b := range before {
				if !slices.Contains(c.gone, b) {
					want = append(want, b)
				}
			}
			if !slices.Equal(after, want) {
				t.Errorf("with %s the plan burns\n  %v\nwant\n  %v", c.setting, after, want)
			}
			md, sh := string(weak.Markdown()), string(weak.Script())
			if !strings.Contains(md, "## Weakened by the manifest") || !strings.Contains(md, "`"+c.setting+"`") {
				t.Errorf("efuse-plan.md does not name %s as weakened:\n%s", c.setting, md)
			}
			if !strings.Contains(sh, "# WEAKENED by the manifest: `"+c.setting+"`") {
				t.Errorf("efuse-plan.sh does not name %s as weakened", c.setting)
			}
			if strings.Contains(string(base.Markdown()), "Weakened") {
				t.Error("the default plan claims a weakening")
			}
		})
	}
}

// TestStrongerSettings: the settings that add to ESP-IDF's defaults.
func TestStrongerSettings(t *testing.T) {
	p := plan("esp32c3", true, true)
	p.Hardening = EfuseHardening{ROMDownload: ROMDownloadDisabled, AggressiveRevoke: true}
	got := burned(t, p)
	if !slices.Contains(got, "SECURE_BOOT_AGGRESSIVE_REVOKE=1") || got[len(got)-1] != "DIS_DOWNLOAD_MODE=1" || slices.Contains(got, "ENABLE_SECURITY_DOWNLOAD=1") {
		t.Errorf("plan burns %v", got)
	}
	e := plan("esp32", true, false)
	e.Hardening.ROMDownload = ROMDownloadDisabled
	if got := burned(t, e); got[len(got)-1] != "UART_DOWNLOAD_DIS=1" {
		t.Errorf("ESP32 plan burns %v", got)
	}
	c5 := plan("esp32c5", false, true)
	c5.SecureBoot.SHA384 = true
	got = burned(t, c5)
	if i := slices.Index(got, "SECURE_BOOT_SHA384_EN=1"); i < 0 || got[i+1] != "SECURE_BOOT_EN=1" {
		t.Errorf("ECDSA-P384 plan burns %v, want SECURE_BOOT_SHA384_EN right before SECURE_BOOT_EN", got)
	}
}

// TestDeviceEncryptsKeepsRDDISWritable: when the device makes its own flash key, the
// plan must not write-protect RD_DIS before the device read-protects that key.
func TestDeviceEncryptsKeepsRDDISWritable(t *testing.T) {
	p := plan("esp32c3", true, true)
	p.FlashEncryption.DeviceEncrypts = true
	if got := burned(t, p); slices.Contains(got, "wp:RD_DIS") || slices.Contains(got, "DIS_DOWNLOAD_MANUAL_ENCRYPT=1") {
		t.Errorf("plan burns %v", got)
	}
}

// TestRevisionDependentBurnIsNamed: ESP-IDF sets the XTS-AES pseudo-round level on the
// ESP32-H2 and ESP32-P4 only from some revision (spi_flash_encrypt_ll_is_pseudo_rounds_function_supported);
// the plan cannot know the revision, so it names the burn instead of running it.
func TestRevisionDependentBurnIsNamed(t *testing.T) {
	for _, chip := range []string{"esp32h2", "esp32p4"} {
		p := plan(chip, true, false)
		md := string(p.Markdown())
		if !strings.Contains(md, "## Depends on the chip revision") || !strings.Contains(md, "XTS_DPA_PSEUDO_LEVEL") {
			t.Errorf("%s: efuse-plan.md does not name the pseudo-round burn", chip)
		}
		if strings.Contains(string(p.Script()), "XTS_DPA_PSEUDO_LEVEL") {
			t.Errorf("%s: efuse-plan.sh burns XTS_DPA_PSEUDO_LEVEL without knowing the revision", chip)
		}
	}
}

// TestDeviceEncryptsLeavesFlashFusesToTheDevice: the device's bootloader burns the
// flash encryption features with its key; the plan says so and burns none of them.
func TestDeviceEncryptsLeavesFlashFusesToTheDevice(t *testing.T) {
	p := plan("esp32c3", true, false)
	p.FlashEncryption.DeviceEncrypts = true
	if got := burned(t, p); len(got) != 0 {
		t.Errorf("plan burns %v", got)
	}
	if !strings.Contains(string(p.Markdown()), "## Left to the device") {
		t.Error("efuse-plan.md does not say the device burns the flash encryption eFuses")
	}
}

// TestCacheOptOutSaysDevelopment: on the chips whose release-mode check reads the
// download-cache fuse, allow_cache_download leaves the device in DEVELOPMENT, and the
// plan says so; on the ESP32-C5 (no such check) it does not.
func TestCacheOptOutSaysDevelopment(t *testing.T) {
	for chip, want := range map[string]bool{"esp32c3": true, "esp32": true, "esp32p4": true, "esp32c5": false, "esp32c61": false} {
		p := plan(chip, true, false)
		p.Hardening.AllowCacheDownload = true
		if got := strings.Contains(string(p.Markdown()), "reports flash encryption mode DEVELOPMENT"); got != want {
			t.Errorf("%s: plan warns of DEVELOPMENT mode: %v, want %v", chip, got, want)
		}
	}
}
