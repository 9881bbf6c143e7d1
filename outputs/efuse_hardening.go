package outputs

import (
	"fmt"
	"strings"
)

// EfuseHardening carries the manifest's opt-outs from ESP-IDF's secure features. The
// zero value is ESP-IDF's default: everything burned.
type EfuseHardening struct {
	AllowJTAG          bool // allow_jtag: CONFIG_SECURE_BOOT_ALLOW_JTAG
	AllowCacheDownload bool // allow_cache_download: CONFIG_SECURE_FLASH_UART_BOOTLOADER_ALLOW_CACHE
	AllowROMBasic      bool // allow_rom_basic (ESP32): CONFIG_SECURE_BOOT_ALLOW_ROM_BASIC
	AggressiveRevoke   bool // aggressive_revoke: CONFIG_SECURE_BOOT_ENABLE_AGGRESSIVE_KEY_REVOKE
	// ROMDownload is "enabled", "secure" or "disabled"; "" takes ESP-IDF's default.
	ROMDownload string
}

// ROM download policies, as the manifest spells them.
const (
	ROMDownloadEnabled  = "enabled"  // CONFIG_SECURE_INSECURE_ALLOW_DL_MODE
	ROMDownloadSecure   = "secure"   // CONFIG_SECURE_ENABLE_SECURE_ROM_DL_MODE
	ROMDownloadDisabled = "disabled" // CONFIG_SECURE_DISABLE_ROM_DL_MODE
)

// SupportsSecureDownload reports whether chip has a Secure Download mode
// (ENABLE_SECURITY_DOWNLOAD); the ESP32 has none.
func SupportsSecureDownload(chip string) bool { return secureFeatures[chip].secureDownload }

// romDownload resolves the policy: Kconfig's default is Secure Download mode where
// the chip has it, unless flash encryption is in development mode
// (SECURE_ROM_DL_MODE_ENABLED), and download mode left enabled otherwise.
func (p *EfusePlan) romDownload() string {
	if p.Hardening.ROMDownload != "" {
		return p.Hardening.ROMDownload
	}
	if p.FlashEncryption != nil && !p.FlashEncryption.Release {
		return ROMDownloadEnabled
	}
	if secureFeatures[p.Chip].secureDownload {
		return ROMDownloadSecure
	}
	return ROMDownloadEnabled
}

func (p *EfusePlan) skipped(o optOut) bool {
	h := p.Hardening
	switch o {
	case optJTAG:
		return h.AllowJTAG
	case optCache:
		return h.AllowCacheDownload
	case optROMBasic:
		return h.AllowROMBasic
	case optCacheWP:
		return h.AllowJTAG || h.AllowCacheDownload
	case optInAggressiveRevoke:
		return !h.AggressiveRevoke
	}
	return false
}

// secureFeatureSteps are ESP-IDF's secure features for this plan, in the order they
// must run: every burn, then the write-protects (one write-protect bit covers several
// of the burned fields, so it comes after them), then the ROM download policy, last
// because Secure Download mode or a disabled download mode shuts espefuse out.
func (p *EfusePlan) secureFeatureSteps() []efuseStep {
	feats := secureFeatures[p.Chip]
	var list []fuse
	if fe := p.FlashEncryption; fe != nil && fe.Release && !fe.DeviceEncrypts {
		list = append(list, feats.flashRelease...)
	}
	if sb := p.SecureBoot; sb != nil {
		if sb.Version == 1 {
			list = append(list, feats.secureBootV1...)
		} else {
			list = append(list, feats.secureBoot...)
		}
	}
	seen := map[string]bool{}
	var burns, protects []string
	for _, f := range list {
		key := f.name + "/" + map[bool]string{true: "wp", false: "burn"}[f.value == ""]
		if p.skipped(f.unless) || seen[key] {
			continue
		}
		if f.name == "RD_DIS" && p.FlashEncryption != nil && p.FlashEncryption.DeviceEncrypts {
			// The device has yet to generate and read-protect its flash key; its
			// bootloader write-protects RD_DIS after that (ESP-IDF defers it the same
			// way: rd_dis_now in secure_boot_secure_features.c).
			continue
		}
		seen[key] = true
		if f.value == "" {
			protects = append(protects, shQuote(f.name))
		} else {
			burns = append(burns, shQuote(f.name), shQuote(f.value))
		}
	}
	var steps []efuseStep
	if len(burns) > 0 {
		steps = append(steps, efuseStep{"Secure features", "what ESP-IDF's bootloader burns for release-mode flash encryption and Secure Boot; last, once the device has booted the image above at least once",
			[]string{"efuse burn_efuse " + strings.Join(burns, " ")}})
	}
	if len(protects) > 0 {
		steps = append(steps, efuseStep{"Write-protect", "after the burns above, which share these write-protect bits",
			[]string{"efuse write_protect_efuse " + strings.Join(protects, " ")}})
	}
	if p.SecureBoot == nil && (p.FlashEncryption == nil || p.FlashEncryption.DeviceEncrypts) {
		return steps // nothing, or the device's own firmware sets the policy
	}
	switch p.romDownload() {
	case ROMDownloadSecure:
		steps = append(steps, efuseStep{"Switch ROM download mode to Secure Download mode", "the very last step: espefuse cannot run in Secure Download mode",
			[]string{"efuse burn_efuse " + shQuote("ENABLE_SECURITY_DOWNLOAD") + " " + shQuote("1")}})
	case ROMDownloadDisabled:
		steps = append(steps, efuseStep{"Disable ROM download mode", "the very last step: no esptool or espefuse can reach the device afterwards",
			[]string{"efuse burn_efuse " + shQuote(feats.disableDownload) + " " + shQuote("1")}})
	}
	return steps
}

// weakened names each manifest opt-out and what it leaves unburned.
func (p *EfusePlan) weakened() []string {
	feats := secureFeatures[p.Chip]
	var all []fuse
	if fe := p.FlashEncryption; fe != nil && fe.Release && !fe.DeviceEncrypts {
		all = append(all, feats.flashRelease...)
	}
	if sb := p.SecureBoot; sb != nil {
		if sb.Version == 1 {
			all = append(all, feats.secureBootV1...)
		} else {
			all = append(all, feats.secureBoot...)
		}
	}
	left := func(o optOut) string {
		var names []string
		seen := map[string]bool{}
		for _, f := range all {
			if f.unless == o && !seen[f.name] {
				seen[f.name] = true
				if f.value == "" {
					names = append(names, "write-protect of "+f.name)
				} else {
					names = append(names, f.name)
				}
			}
		}
		return strings.Join(names, ", ")
	}
	var out []string
	add := func(set bool, setting, what string, o ...optOut) {
		if !set {
			return
		}
		var parts []string
		for _, x := range o {
			if l := left(x); l != "" {
				parts = append(parts, l)
			}
		}
		s := fmt.Sprintf("`%s`: %s", setting, what)
		if len(parts) > 0 {
			s += "; not burned: " + strings.Join(parts, ", ")
		}
		out = append(out, s)
	}
	h := p.Hardening
	add(h.AllowJTAG, "allow_jtag = true", "JTAG stays enabled, which undoes flash encryption's protection (CONFIG_SECURE_BOOT_ALLOW_JTAG)", optJTAG, optCacheWP)
	cache := "the ROM download mode can still read flash through the cache (CONFIG_SECURE_FLASH_UART_BOOTLOADER_ALLOW_CACHE)"
	if fe := p.FlashEncryption; fe != nil && fe.Release && feats.cacheInMode {
		cache += ", so the device reports flash encryption mode DEVELOPMENT, not RELEASE"
	}
	add(h.AllowCacheDownload, "allow_cache_download = true", cache, optCache, optCacheWP)
	add(h.AllowROMBasic, "allow_rom_basic = true", "the ROM BASIC interpreter stays reachable (CONFIG_SECURE_BOOT_ALLOW_ROM_BASIC)", optROMBasic)
	if h.ROMDownload == ROMDownloadEnabled {
		s := "`rom_download = \"enabled\"`: the full UART ROM download mode stays available (CONFIG_SECURE_INSECURE_ALLOW_DL_MODE)"
		if feats.secureDownload {
			s += "; not burned: ENABLE_SECURITY_DOWNLOAD"
		}
		out = append(out, s)
	}
	return append(out, p.fleetWeakened()...)
}
