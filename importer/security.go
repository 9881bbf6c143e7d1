package importer

import (
	"path/filepath"
)

// importSecurity turns ESP-IDF's security Kconfig options into key and security
// blocks. The option names and their meaning are those of esp-idf
// components/bootloader/Kconfig.projbuild and components/nvs_sec_provider/Kconfig at
// commit 102122904ade11fd1ae373848f34ffd7dfb18aeb.
func importSecurity(m *Manifest, cfg sdkconfig, projectDir, manifestDir string) {
	projectFile := func(name string) string {
		p := name
		if !filepath.IsAbs(p) {
			p = filepath.Join(projectDir, name)
		}
		if r, err := relPath(manifestDir, p); err == nil {
			return r
		}
		return filepath.ToSlash(p)
	}

	if cfg.on("SECURE_FLASH_ENC_ENABLED") {
		// SECURE_FLASH_ENCRYPTION_KEYSIZE choice: AES128_DERIVED (ESP32-C2's 128-bit
		// eFuse key, SHA-256 derived), AES128 (256-bit XTS key), AES256 (512-bit XTS key).
		// The ESP32 has no such choice: its scheme is AES-256 with FLASH_CRYPT_CONFIG.
		alg := "xts-aes-128"
		switch {
		case m.Chip == "esp32":
			alg = "aes-256"
		case cfg.on("SECURE_FLASH_ENCRYPTION_AES256"):
			alg = "xts-aes-256"
		case cfg.on("SECURE_FLASH_ENCRYPTION_AES128_DERIVED"):
			alg = "xts-aes-128-derived"
		}
		mode := "development"
		if cfg.on("SECURE_FLASH_ENCRYPTION_MODE_RELEASE") {
			mode = "release"
		}
		m.Keys = append(m.Keys, Key{Name: "flash", Algorithm: alg, File: "keys/flash_encryption_key.bin", Create: true,
			Comment: []string{"Made once (mode 0600) by the first build and never replaced. Keep it out of git."}})
		m.FlashEnc = &FlashEncryption{Key: "key.flash", Mode: mode, DeviceEncrypts: true, Comment: []string{
			"ESP-IDF's build writes plaintext and lets the device make its key and encrypt on first",
			"boot; device_encrypts keeps that. Remove it to encrypt on the host with key.flash.",
		}}
	}

	if cfg.on("SECURE_BOOT") {
		version := 2
		if cfg.on("SECURE_BOOT_V1_ENABLED") {
			version = 1
		}
		// SECURE_SIGNED_APPS_SCHEME: RSA (SBv2 RSA-3072), ECDSA_V2 (P-192/P-256/P-384 by
		// SECURE_BOOT_ECDSA_KEY_LEN_*), ECDSA (SBv1, P-256).
		alg := "rsa-3072"
		switch {
		case cfg.on("SECURE_SIGNED_APPS_ECDSA_SCHEME"):
			alg = "ecdsa-p256"
		case cfg.on("SECURE_SIGNED_APPS_ECDSA_V2_SCHEME"):
			alg = "ecdsa-p256"
			if cfg.on("SECURE_BOOT_ECDSA_KEY_LEN_192_BITS") {
				alg = "ecdsa-p192"
			} else if cfg.on("SECURE_BOOT_ECDSA_KEY_LEN_384_BITS") {
				alg = "ecdsa-p384"
			}
		}
		k := Key{Name: "secure_boot", Algorithm: alg}
		if cfg.on("SECURE_BOOT_BUILD_SIGNED_BINARIES") && cfg["SECURE_BOOT_SIGNING_KEY"] != "" {
			k.File = projectFile(cfg["SECURE_BOOT_SIGNING_KEY"])
			k.Comment = []string{"sdkconfig SECURE_BOOT_SIGNING_KEY."}
		} else {
			// The ESP-IDF build leaves signing to a separate step; two-phase signing
			// (espcompose sign-request, build --signatures) is that step here.
			pub := cfg["SECURE_BOOT_VERIFICATION_KEY"]
			if pub == "" {
				pub = "secure_boot_verification_key.pem"
			}
			k.PublicKey = projectFile(pub)
			k.Comment = []string{"sdkconfig signs outside the build: only the public key is local.",
				"Sign with `espcompose sign-request` and `build --signatures DIR`, or add signer = [...]."}
		}
		m.Keys = append(m.Keys, k)
		m.SecureBoot = &SecureBoot{Version: version, Keys: []string{"key.secure_boot"}}
	}

	if cfg.on("NVS_ENCRYPTION") {
		// ESP-IDF leaves the NVS partition and nvs_keys erased: the device makes its NVS
		// keys on first boot (nvs_flash_secure_init). The manifest does the same; NVS
		// content built here would need encrypt_with, so say how.
		scheme := "an \"nvs-xts\" key in the nvs_keys partition (NVS_SEC_KEY_PROTECT_USING_FLASH_ENC)"
		if cfg.on("NVS_SEC_KEY_PROTECT_USING_HMAC") {
			scheme = "an \"nvs-hmac\" key (NVS_SEC_KEY_PROTECT_USING_HMAC, eFuse key block " + cfg["NVS_SEC_HMAC_EFUSE_KEY_ID"] + ")"
		}
		m.Notes = append(m.Notes,
			"NVS encryption is on in sdkconfig with "+scheme+".",
			"The ESP-IDF build writes no NVS data and neither does this manifest: the device makes its keys",
			"on first boot. To ship NVS content, add a key and an nvs block with encrypt_with = key.<name>.")
	}
}
