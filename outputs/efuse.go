package outputs

import (
	"fmt"
	"strings"
)

// EfusePlan is what must be burned into a device's eFuses for the build to boot. It
// becomes efuse-plan.md (for review) and efuse-plan.sh (espefuse.py commands), which
// espcompose never runs: burning eFuses is irreversible and belongs to a person.
type EfusePlan struct {
	Chip            string
	FlashEncryption *EfuseFlashEncryption
	SecureBoot      *EfuseSecureBoot
	NVSHMACKeyFile  string // key for NVS encryption with HMAC-derived keys, relative to the manifest directory
	FlashArgs       string // file with the esptool arguments, e.g. "flash_args"
	Hardening       EfuseHardening
	Fleet           *EfuseFleet // anti-rollback and key revocation (efuse_fleet.go)
}

// EfuseFlashEncryption describes the flash encryption key and mode.
type EfuseFlashEncryption struct {
	KeyFile     string // relative to the manifest directory; never inlined
	KeyBytes    int
	CryptConfig uint8
	Release     bool
	// DeviceEncrypts: the device generates or uses its key and encrypts on first boot.
	DeviceEncrypts bool
	// Derived: the key is derived for this device (key.derive_from) and is in no
	// file; KeyFile is empty (efuse_derived.go).
	Derived *EfuseDerivedKey
}

// EfuseSecureBoot describes the secure boot keys.
type EfuseSecureBoot struct {
	Version    int
	PublicKeys []string // PEM files (V2), relative to the build output (the script's $DIST)
	Digests    []string // hex public-key digests, for review against espefuse summary
	SigningKey string   // V1: the signing key, from which the bootloader key is derived
	SHA384     bool     // V2 with ECDSA-P384 keys: SECURE_BOOT_SHA384_EN goes with SECURE_BOOT_EN
}

// xtsChip is true for chips with key blocks and key purposes (all but the ESP32).
func xtsChip(chip string) bool { return chip != "esp32" }

// Markdown renders the reviewed plan.
func (p *EfusePlan) Markdown() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# eFuse plan for %s\n\n", p.Chip)
	b.WriteString("espcompose never burns eFuses. Review this plan, then run `efuse-plan.sh` step by step.\n")
	b.WriteString("Burning is irreversible: a wrong key or order can make the device unbootable for good.\n\n")
	b.WriteString("Key material is referenced by file (paths relative to the manifest directory) and is\n")
	b.WriteString("never copied into this directory. Commands are shown exactly as `efuse-plan.sh` runs\n")
	b.WriteString("them, with every path shell-quoted.\n")
	if fe := p.FlashEncryption; fe != nil && fe.Derived != nil && !fe.DeviceEncrypts {
		b.WriteString("\nThis device's flash encryption key is derived (key.derive_from) and exists in no file:\n")
		b.WriteString("the script derives it with `espcompose key derive` into a private temporary folder,\n")
		b.WriteString("burns it and removes it. Run the script where the master secret and the manifest are.\n")
	}
	if w := p.weakened(); len(w) > 0 {
		b.WriteString("\n## Weakened by the manifest\n\nThese ESP-IDF secure features are left out because the manifest asks for it:\n\n")
		for _, s := range w {
			fmt.Fprintf(&b, "- %s\n", s)
		}
	}
	b.WriteString("\n## Order\n")
	for i, s := range p.steps() {
		// A top-level fenced block shows each command verbatim, whatever its paths
		// hold: a list item's inline code would break on a backtick in a file name.
		fmt.Fprintf(&b, "\n### %d. %s\n\nWhy: %s.\n\n", i+1, s.title, s.why)
		body := strings.Join(s.cmds, "\n")
		fence := strings.Repeat("`", max(3, longestRun(body, '`')+1))
		fmt.Fprintf(&b, "%ssh\n%s\n%s\n", fence, body, fence)
	}
	if fe := p.FlashEncryption; fe != nil && fe.DeviceEncrypts {
		// ESP-IDF's own flow: esp_flash_encrypt_init burns the secure features in the
		// same batch as the key, and a write-protected counter would stop it.
		b.WriteString("\n## Left to the device\n\nThe device makes its flash encryption key and encrypts on first boot; its bootloader\n")
		b.WriteString("burns the key, SPI_BOOT_CRYPT_CNT and ESP-IDF's flash encryption secure features then, as its\n")
		b.WriteString("sdkconfig says (CONFIG_SECURE_FLASH_ENCRYPTION_MODE_RELEASE for release mode). This plan burns none of them.\n")
	}
	if note := secureFeatures[p.Chip].note; note != "" && p.FlashEncryption != nil && p.FlashEncryption.Release && !p.FlashEncryption.DeviceEncrypts {
		fmt.Fprintf(&b, "\n## Depends on the chip revision\n\n%s\n", note)
	}
	if sb := p.SecureBoot; sb != nil && len(sb.Digests) > 0 {
		when := "after burning"
		if p.romDownload() != ROMDownloadEnabled {
			// Secure Download mode or a disabled download mode keeps espefuse out afterwards.
			when = "before the last step, which shuts espefuse out"
		}
		fmt.Fprintf(&b, "\n## Public-key digests (check against `espefuse.py summary` %s)\n\n", when)
		for i, d := range sb.Digests {
			fmt.Fprintf(&b, "- key %d (%s): `%s`\n", i, codeSpan("$DIST/"+sb.PublicKeys[i]), d)
		}
	}
	return []byte(b.String())
}

// shQuote makes s one POSIX shell word: single quotes keep every character literal
// (spaces, $, `, ", \), and a single quote inside is written '\”. Every path or
// argument the plan puts into the script goes through it, so a key file named
// "$(rm -rf ~)" is a file name, not a command.
func shQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// pathArg is a file argument relative to the manifest directory, quoted; a name
// starting with "-" gets "./" so the tool cannot take it for an option.
func pathArg(p string) string {
	if strings.HasPrefix(p, "-") {
		p = "./" + p
	}
	return shQuote(p)
}

// distPath is a file of the build output, quoted, under the script's $DIST.
func distPath(rel string) string { return `"$DIST"/` + shQuote(rel) }

// codeSpan renders s as Markdown inline code that shows it verbatim: the backtick
// fence is longer than any run inside, with spaces when s starts or ends in one.
func codeSpan(s string) string {
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

// Script renders the espefuse.py commands; it asks before each irreversible step.
func (p *EfusePlan) Script() []byte {
	var b strings.Builder
	b.WriteString("#!/bin/sh\n# eFuse plan written by espcompose. Review efuse-plan.md first.\n")
	b.WriteString("# Run from the directory holding the manifest, with PORT set and DIST naming the build output.\n")
	b.WriteString("# espefuse.py asks for confirmation before every burn; do not add --do-not-confirm.\nset -eu\n")
	b.WriteString(": \"${PORT:?set PORT to the serial port}\"\n: \"${DIST:=dist}\"\n")
	// A function, not a variable holding a command line: "$PORT" stays one word.
	fmt.Fprintf(&b, "efuse() { espefuse.py --chip %s --port \"$PORT\" \"$@\"; }\n\n", shQuote(p.Chip))
	for _, w := range p.weakened() {
		b.WriteString("# WEAKENED by the manifest: " + w + "\n")
	}
	for i, s := range p.steps() {
		fmt.Fprintf(&b, "# %d. %s: %s\n", i+1, s.title, s.why)
		for _, c := range s.cmds {
			b.WriteString(c + "\n")
		}
		b.WriteString("\n")
	}
	return []byte(b.String())
}

type efuseStep struct {
	title, why string
	cmds       []string
}

func (p *EfusePlan) steps() []efuseStep {
	var steps []efuseStep
	flashArgs := p.FlashArgs
	if flashArgs == "" {
		flashArgs = "flash_args"
	}
	steps = append(steps, efuseStep{"Flash the images", "written before any security eFuse, while the device still accepts plaintext downloads",
		[]string{fmt.Sprintf("(cd \"$DIST\" && esptool.py --chip %s --port \"$PORT\" write_flash %s)", shQuote(p.Chip), shQuote("@"+flashArgs))}})
	xts := xtsChip(p.Chip)
	block := 0
	nextBlock := func() string {
		s := fmt.Sprintf("BLOCK_KEY%d", block)
		block++
		return s
	}
	if p.Chip == "esp32c2" {
		// The C2 has one 256-bit key block: a 128-bit flash key takes its low half and
		// the Secure Boot digest its high half (the planner refuses combinations that
		// cannot share it).
		nextBlock = func() string { return "BLOCK_KEY0" }
	}
	if fe := p.FlashEncryption; fe != nil && !fe.DeviceEncrypts {
		var cmd string
		keyArg := pathArg(fe.KeyFile)
		if fe.Derived != nil {
			keyArg = derivedKeyArg
		}
		switch {
		case !xts:
			cmd = fmt.Sprintf("efuse burn_key flash_encryption %s", keyArg)
		case fe.KeyBytes == 64:
			cmd = fmt.Sprintf("efuse burn_key %s %s XTS_AES_256_KEY", nextBlock(), keyArg)
			block++ // a 512-bit key takes two blocks
		case fe.KeyBytes == 16:
			cmd = fmt.Sprintf("efuse burn_key %s %s XTS_AES_128_KEY_DERIVED_FROM_128_EFUSE_BITS", nextBlock(), keyArg)
		default:
			cmd = fmt.Sprintf("efuse burn_key %s %s XTS_AES_128_KEY", nextBlock(), keyArg)
		}
		cmds, why := []string{cmd}, "burn_key also read- and write-protects it"
		if fe.Derived != nil {
			cmds, why = fe.Derived.wrap(cmd), why+"; the key is derived for this device into a private temporary file, burned and removed"
		}
		steps = append(steps, efuseStep{"Burn the flash encryption key", why, cmds})
	}
	if sb := p.SecureBoot; sb != nil {
		var cmds []string
		switch {
		case sb.Version == 1:
			cmds = append(cmds,
				fmt.Sprintf("espsecure.py digest_private_key --keyfile %s --keylen 256 secure-bootloader-key.bin", pathArg(sb.SigningKey)),
				"efuse burn_key secure_boot_v1 secure-bootloader-key.bin",
				"rm -P secure-bootloader-key.bin 2>/dev/null || rm secure-bootloader-key.bin")
		case !xts:
			cmds = append(cmds, fmt.Sprintf("efuse burn_key_digest %s", distPath(sb.PublicKeys[0])))
		default:
			for i, pub := range sb.PublicKeys {
				purpose := fmt.Sprintf("SECURE_BOOT_DIGEST%d", i)
				if p.Chip == "esp32c2" {
					purpose = "SECURE_BOOT_DIGEST"
				}
				cmds = append(cmds, fmt.Sprintf("efuse burn_key_digest %s %s %s", nextBlock(), distPath(pub), purpose))
			}
		}
		steps = append(steps, efuseStep{"Burn the secure boot key digests", "the ROM verifies the bootloader against these", cmds})
	}
	if p.NVSHMACKeyFile != "" && xts {
		steps = append(steps, efuseStep{"Burn the NVS HMAC key", "NVS encryption keys are derived from it on the device",
			[]string{fmt.Sprintf("efuse burn_key %s %s HMAC_UP", nextBlock(), pathArg(p.NVSHMACKeyFile))}})
	}
	if fe := p.FlashEncryption; fe != nil && !fe.DeviceEncrypts {
		var cmds []string
		// An odd count enables encryption; release mode sets every bit so it can never
		// be turned off, development leaves room to disable it again.
		switch {
		case !xts && fe.Release:
			cmds = append(cmds, fmt.Sprintf("efuse burn_efuse FLASH_CRYPT_CONFIG 0x%X", fe.CryptConfig), "efuse burn_efuse FLASH_CRYPT_CNT 0x7F")
		case !xts:
			cmds = append(cmds, fmt.Sprintf("efuse burn_efuse FLASH_CRYPT_CONFIG 0x%X", fe.CryptConfig), "efuse burn_efuse FLASH_CRYPT_CNT 1")
		case fe.Release:
			cmds = append(cmds, "efuse burn_efuse SPI_BOOT_CRYPT_CNT 7")
		default:
			cmds = append(cmds, "efuse burn_efuse SPI_BOOT_CRYPT_CNT 1")
		}
		steps = append(steps, efuseStep{"Enable flash encryption", "the images are already encrypted, so the bootloader must not encrypt them again", cmds})
	}
	if sb := p.SecureBoot; sb != nil {
		cmd := "efuse burn_efuse SECURE_BOOT_EN 1"
		switch {
		case sb.Version == 1:
			cmd = "efuse burn_efuse ABS_DONE_0 1"
		case !xts:
			cmd = "efuse burn_efuse ABS_DONE_1 1"
		}
		cmds := []string{cmd}
		if sb.SHA384 && secureFeatures[p.Chip].sha384 {
			// Before SECURE_BOOT_EN: the ROM checks a P-384 signature only with it set
			// (secure_boot_secure_features.c, CONFIG_SECURE_BOOT_ECDSA_KEY_LEN_384_BITS).
			cmds = []string{"efuse burn_efuse " + shQuote("SECURE_BOOT_SHA384_EN") + " " + shQuote("1"), cmd}
		}
		steps = append(steps, efuseStep{"Enable secure boot", "after the digests, so the device never runs secure boot without a key", cmds})
	}
	steps = append(steps, p.fleetSteps()...)
	steps = append(steps, p.secureFeatureSteps()...)
	return steps
}
