package outputs

// The eFuses ESP-IDF's bootloader burns to make flash encryption "release" and to
// finish Secure Boot, per chip. Hand-picking them once left a plan whose device
// reported "Flash encryption mode is DEVELOPMENT (not secure)"; so every entry below
// is read from ESP-IDF, at commit 102122904ade11fd1ae373848f34ffd7dfb18aeb
// (espressif/esp-idf master, 2026-07-23):
//
//   FE  components/bootloader_support/src/<chip>/flash_encryption_secure_features.c,
//       esp_flash_encryption_enable_secure_features()
//   CNT components/bootloader_support/src/flash_encryption/flash_encrypt.c,
//       esp_flash_encrypt_enable() (release: counter to max; WR_DIS_CRYPT_CNT on
//       XTS_AES_128_DERIVED chips), and components/bootloader_support/src/flash_encrypt.c,
//       esp_get_flash_encryption_mode()/esp_flash_encryption_set_release_mode()
//   SB  components/bootloader_support/src/<chip>/secure_boot_secure_features.c,
//       esp_secure_boot_enable_secure_features()
//   DL  components/efuse/src/esp_efuse_startup.c and components/efuse/<chip>/esp_efuse_fields.c
//       (esp_efuse_enable_rom_secure_download_mode, esp_efuse_disable_rom_download_mode)
//   Kconfig components/bootloader/Kconfig.projbuild (defaults of the opt-outs)
//
// Field names are espefuse's (esptool commit bb72741ff4fadb2c6958564140e755b44288af32,
// espefuse/efuse_defs/<chip>.yaml): where ESP-IDF's name is an alias, espefuse's
// primary name is used (ESP32 DISABLE_JTAG is JTAG_DISABLE, ESP32-S3 HARD_DIS_JTAG is
// DIS_PAD_JTAG).

// optOut names the manifest setting (and ESP-IDF Kconfig option) that leaves a burn out.
type optOut int

const (
	always      optOut = iota
	optJTAG            // allow_jtag: CONFIG_SECURE_BOOT_ALLOW_JTAG
	optCache           // allow_cache_download: CONFIG_SECURE_FLASH_UART_BOOTLOADER_ALLOW_CACHE
	optROMBasic        // allow_rom_basic: CONFIG_SECURE_BOOT_ALLOW_ROM_BASIC (ESP32)
	// optCacheWP: the write-protect of DIS_(I)CACHE, skipped when allow_jtag or
	// allow_cache_download is set, as Kconfig then selects
	// CONFIG_SECURE_FLASH_SKIP_WRITE_PROTECTION_CACHE: the same write-protect bit
	// covers the JTAG and download-cache fuses, which are left to burn later.
	optCacheWP
	optInAggressiveRevoke // aggressive_revoke: CONFIG_SECURE_BOOT_ENABLE_AGGRESSIVE_KEY_REVOKE (opt-in)
)

type fuse struct {
	name, value string // value "" marks a write-protect (espefuse write_protect_efuse)
	unless      optOut
}

func burn(name, value string, unless optOut) fuse { return fuse{name, value, unless} }
func protect(name string, unless optOut) fuse     { return fuse{name, "", unless} }

type chipSecureFeatures struct {
	// flashRelease: burned with flash encryption in release mode (FE, CNT).
	flashRelease []fuse
	// secureBoot: burned when Secure Boot V2 is enabled (SB), besides SECURE_BOOT_EN/ABS_DONE_1.
	secureBoot []fuse
	// secureBootV1: Secure Boot V1 (ESP32 only), besides ABS_DONE_0 and the key protection burn_key does.
	secureBootV1 []fuse
	// secureDownload: the chip has ENABLE_SECURITY_DOWNLOAD (Kconfig SOC_SUPPORTS_SECURE_DL_MODE).
	secureDownload bool
	// disableDownload: the field esp_efuse_disable_rom_download_mode burns.
	disableDownload string
	// sha384: SECURE_BOOT_SHA384_EN exists and is burned for ECDSA-P384 keys
	// (CONFIG_SECURE_BOOT_ECDSA_KEY_LEN_384_BITS, SB file).
	sha384 bool
	// note: what ESP-IDF burns that a plan cannot decide (it depends on the silicon revision).
	note string
	// cacheInMode: esp_get_flash_encryption_mode (components/bootloader_support/src/flash_encrypt.c)
	// reports RELEASE only with the download-cache fuse burned (SOC_EFUSE_DIS_DOWNLOAD_ICACHE,
	// _DCACHE or _MSPI set for the chip; DISABLE_DL_CACHE on the ESP32).
	cacheInMode bool
}

// The Secure Boot V2 list shared by the RISC-V chips with soft JTAG disable
// (esp32c3, esp32c5, esp32c6, esp32h2, esp32p4 secure_boot_secure_features.c).
// SOFT_DIS_JTAG is written with esp_efuse_write_field_cnt(bit_count): all 3 bits, 7.
var sbRISCV = []fuse{
	burn("DIS_DIRECT_BOOT", "1", always),
	burn("DIS_PAD_JTAG", "1", optJTAG),
	burn("DIS_USB_JTAG", "1", optJTAG),
	burn("SOFT_DIS_JTAG", "7", optJTAG),
	burn("SECURE_BOOT_AGGRESSIVE_REVOKE", "1", optInAggressiveRevoke),
	protect("RD_DIS", always), // WR_DIS_RD_DIS, once the keys are read-protected
}

// secureFeatures is the per-chip table. Order within a list follows the ESP-IDF file.
var secureFeatures = map[string]chipSecureFeatures{
	// esp32/flash_encryption_secure_features.c; esp32/secure_boot_secure_features.c.
	// Release mode on the ESP32 is FLASH_CRYPT_CNT at max plus all three DISABLE_DL_*
	// (flash_encrypt.c esp_get_flash_encryption_mode). DISABLE_DL_ENCRYPT/DECRYPT are
	// opt-outs only in development mode (Kconfig), so never left out here.
	"esp32": {
		flashRelease: []fuse{
			burn("DISABLE_DL_ENCRYPT", "1", always),
			burn("DISABLE_DL_DECRYPT", "1", always),
			burn("DISABLE_DL_CACHE", "1", optCache),
			burn("JTAG_DISABLE", "1", optJTAG),
			burn("CONSOLE_DEBUG_DISABLE", "1", optROMBasic),
			protect("DIS_CACHE", optCacheWP),
		},
		secureBoot: []fuse{
			burn("JTAG_DISABLE", "1", optJTAG),
			burn("CONSOLE_DEBUG_DISABLE", "1", optROMBasic),
			protect("RD_DIS", always), // WR_DIS_EFUSE_RD_DISABLE
		},
		secureBootV1: []fuse{
			burn("JTAG_DISABLE", "1", optJTAG),
			burn("CONSOLE_DEBUG_DISABLE", "1", optROMBasic),
		},
		disableDownload: "UART_DOWNLOAD_DIS", // ESP32 v3.0 and newer only
		cacheInMode:     true,
	},
	// esp32s2/flash_encryption_secure_features.c; esp32s2/secure_boot_secure_features.c.
	"esp32s2": {
		flashRelease: []fuse{
			burn("DIS_DOWNLOAD_MANUAL_ENCRYPT", "1", always),
			burn("DIS_DOWNLOAD_DCACHE", "1", optCache),
			burn("DIS_DOWNLOAD_ICACHE", "1", optCache),
			burn("HARD_DIS_JTAG", "1", optJTAG),
			burn("DIS_BOOT_REMAP", "1", always),
			burn("DIS_LEGACY_SPI_BOOT", "1", always),
			protect("DIS_ICACHE", optCacheWP),
		},
		secureBoot: []fuse{
			burn("DIS_BOOT_REMAP", "1", always),
			burn("DIS_LEGACY_SPI_BOOT", "1", always),
			burn("HARD_DIS_JTAG", "1", optJTAG),
			burn("SOFT_DIS_JTAG", "1", optJTAG), // a single bit on the S2
			burn("SECURE_BOOT_AGGRESSIVE_REVOKE", "1", optInAggressiveRevoke),
			protect("RD_DIS", always),
		},
		secureDownload: true, disableDownload: "DIS_DOWNLOAD_MODE", cacheInMode: true,
	},
	// esp32s3/flash_encryption_secure_features.c; esp32s3/secure_boot_secure_features.c.
	"esp32s3": {
		flashRelease: []fuse{
			burn("DIS_DOWNLOAD_MANUAL_ENCRYPT", "1", always),
			burn("DIS_DOWNLOAD_DCACHE", "1", optCache),
			burn("DIS_DOWNLOAD_ICACHE", "1", optCache),
			burn("DIS_PAD_JTAG", "1", optJTAG), // ESP-IDF's HARD_DIS_JTAG
			burn("DIS_USB_JTAG", "1", optJTAG),
			burn("DIS_DIRECT_BOOT", "1", always),
			protect("DIS_ICACHE", optCacheWP),
		},
		secureBoot: []fuse{
			burn("DIS_DIRECT_BOOT", "1", always),
			burn("DIS_USB_JTAG", "1", optJTAG),
			burn("DIS_PAD_JTAG", "1", optJTAG),
			burn("SOFT_DIS_JTAG", "7", optJTAG),
			burn("SECURE_BOOT_AGGRESSIVE_REVOKE", "1", optInAggressiveRevoke),
			protect("RD_DIS", always),
		},
		secureDownload: true, disableDownload: "DIS_DOWNLOAD_MODE", cacheInMode: true,
	},
	// esp32c2/flash_encryption_secure_features.c; esp32c2/secure_boot_secure_features.c.
	// The C2 is XTS_AES_128_DERIVED: release mode write-protects SPI_BOOT_CRYPT_CNT
	// (flash_encrypt.c esp_flash_encrypt_enable), and esp_get_flash_encryption_mode
	// reports DEVELOPMENT without it. No DIS_ICACHE, no soft JTAG, no aggressive revoke.
	"esp32c2": {
		flashRelease: []fuse{
			burn("DIS_DOWNLOAD_MANUAL_ENCRYPT", "1", always),
			burn("DIS_DOWNLOAD_ICACHE", "1", optCache),
			burn("DIS_PAD_JTAG", "1", optJTAG),
			burn("DIS_DIRECT_BOOT", "1", always),
			protect("SPI_BOOT_CRYPT_CNT", always),
		},
		secureBoot: []fuse{
			burn("DIS_DIRECT_BOOT", "1", always),
			burn("DIS_PAD_JTAG", "1", optJTAG),
			protect("RD_DIS", always),
		},
		secureDownload: true, disableDownload: "DIS_DOWNLOAD_MODE", cacheInMode: true,
	},
	// esp32c3/flash_encryption_secure_features.c; esp32c3/secure_boot_secure_features.c.
	"esp32c3": {
		flashRelease: []fuse{
			burn("DIS_DOWNLOAD_MANUAL_ENCRYPT", "1", always),
			burn("DIS_DOWNLOAD_ICACHE", "1", optCache),
			burn("DIS_PAD_JTAG", "1", optJTAG),
			burn("DIS_USB_JTAG", "1", optJTAG),
			burn("DIS_DIRECT_BOOT", "1", always),
			protect("DIS_ICACHE", optCacheWP),
		},
		secureBoot:     sbRISCV,
		secureDownload: true, disableDownload: "DIS_DOWNLOAD_MODE", cacheInMode: true,
	},
	// esp32c5/flash_encryption_secure_features.c; esp32c5/secure_boot_secure_features.c.
	// CONFIG_SECURE_FLASH_PSEUDO_ROUND_FUNC defaults to y in release mode, strength low (1).
	"esp32c5": {
		flashRelease: []fuse{
			burn("DIS_DOWNLOAD_MANUAL_ENCRYPT", "1", always),
			burn("SPI_DOWNLOAD_MSPI_DIS", "1", optCache),
			burn("DIS_PAD_JTAG", "1", optJTAG),
			burn("DIS_USB_JTAG", "1", optJTAG),
			burn("DIS_DIRECT_BOOT", "1", always),
			burn("XTS_DPA_PSEUDO_LEVEL", "1", always),
			protect("DIS_ICACHE", optCacheWP),
		},
		secureBoot:     sbRISCV,
		secureDownload: true, disableDownload: "DIS_DOWNLOAD_MODE", sha384: true,
	},
	// esp32c6/flash_encryption_secure_features.c; esp32c6/secure_boot_secure_features.c.
	"esp32c6": {
		flashRelease: []fuse{
			burn("DIS_DOWNLOAD_MANUAL_ENCRYPT", "1", always),
			burn("DIS_DOWNLOAD_ICACHE", "1", optCache),
			burn("DIS_PAD_JTAG", "1", optJTAG),
			burn("DIS_USB_JTAG", "1", optJTAG),
			burn("DIS_DIRECT_BOOT", "1", always),
			protect("DIS_ICACHE", optCacheWP),
		},
		secureBoot:     sbRISCV,
		secureDownload: true, disableDownload: "DIS_DOWNLOAD_MODE", cacheInMode: true,
	},
	// esp32c61/flash_encryption_secure_features.c; esp32c61/secure_boot_secure_features.c
	// (no SOFT_DIS_JTAG in its Secure Boot list).
	"esp32c61": {
		flashRelease: []fuse{
			burn("DIS_DOWNLOAD_MANUAL_ENCRYPT", "1", always),
			burn("SPI_DOWNLOAD_MSPI_DIS", "1", optCache),
			burn("DIS_PAD_JTAG", "1", optJTAG),
			burn("DIS_USB_JTAG", "1", optJTAG),
			burn("DIS_DIRECT_BOOT", "1", always),
			burn("XTS_DPA_PSEUDO_LEVEL", "1", always),
			protect("DIS_ICACHE", optCacheWP),
		},
		secureBoot: []fuse{
			burn("DIS_DIRECT_BOOT", "1", always),
			burn("DIS_PAD_JTAG", "1", optJTAG),
			burn("DIS_USB_JTAG", "1", optJTAG),
			burn("SECURE_BOOT_AGGRESSIVE_REVOKE", "1", optInAggressiveRevoke),
			protect("RD_DIS", always),
		},
		secureDownload: true, disableDownload: "DIS_DOWNLOAD_MODE",
	},
	// esp32h2/flash_encryption_secure_features.c (no download-cache fuse);
	// esp32h2/secure_boot_secure_features.c.
	"esp32h2": {
		flashRelease: []fuse{
			burn("DIS_DOWNLOAD_MANUAL_ENCRYPT", "1", always),
			burn("DIS_PAD_JTAG", "1", optJTAG),
			burn("DIS_USB_JTAG", "1", optJTAG),
			burn("DIS_DIRECT_BOOT", "1", always),
			protect("DIS_ICACHE", optCacheWP),
		},
		secureBoot:     sbRISCV,
		secureDownload: true, disableDownload: "DIS_DOWNLOAD_MODE",
		note: "ESP-IDF also sets XTS_DPA_PSEUDO_LEVEL to 1 (XTS-AES pseudo rounds) on ESP32-H2 v1.2 and newer only; " +
			"on such a chip burn it too, before the ROM download step: `efuse burn_efuse XTS_DPA_PSEUDO_LEVEL 1`.",
	},
	// esp32p4/flash_encryption_secure_features.c (no DIS_ICACHE write-protect);
	// esp32p4/secure_boot_secure_features.c.
	"esp32p4": {
		flashRelease: []fuse{
			burn("DIS_DOWNLOAD_MANUAL_ENCRYPT", "1", always),
			burn("SPI_DOWNLOAD_MSPI_DIS", "1", optCache),
			burn("DIS_PAD_JTAG", "1", optJTAG),
			burn("DIS_USB_JTAG", "1", optJTAG),
			burn("DIS_DIRECT_BOOT", "1", always),
		},
		secureBoot:     sbRISCV,
		secureDownload: true, disableDownload: "DIS_DOWNLOAD_MODE", cacheInMode: true, sha384: true,
		note: "ESP-IDF also sets XTS_DPA_PSEUDO_LEVEL to 1 (XTS-AES pseudo rounds) on ESP32-P4 v3.0 and newer only; " +
			"on such a chip burn it too, before the ROM download step: `efuse burn_efuse XTS_DPA_PSEUDO_LEVEL 1`.",
	},
}
