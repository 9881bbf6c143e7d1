package outputs

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// This file reads eFuse plans back for `espcompose doctor`: the eFuse writes a
// plan makes, and which of ESP-IDF's secure features (efuse_features.go, derived
// per chip from ESP-IDF's *_secure_features.c) a plan leaves out.

// EfuseWrites lists the eFuse writes the plan's script makes, in order: "NAME=VALUE"
// for each burn_efuse field and "wp:NAME" for each write_protect_efuse field. Key
// burns (burn_key, burn_key_digest) are not listed.
func (p *EfusePlan) EfuseWrites() []string {
	var cmds []string
	for _, s := range p.steps() {
		cmds = append(cmds, s.cmds...)
	}
	return scriptWrites(cmds)
}

// scriptWrites reads the writes out of efuse() command lines.
func scriptWrites(lines []string) []string {
	var out []string
	for _, c := range lines {
		f := strings.Fields(c)
		if len(f) < 2 || f[0] != "efuse" {
			continue
		}
		args := make([]string, 0, len(f)-2)
		for _, a := range f[2:] {
			args = append(args, strings.Trim(a, "'\""))
		}
		switch f[1] {
		case "burn_efuse":
			for i := 0; i+1 < len(args); i += 2 {
				out = append(out, args[i]+"="+args[i+1])
			}
		case "write_protect_efuse":
			for _, a := range args {
				out = append(out, "wp:"+a)
			}
		}
	}
	return out
}

// SecureFeatureGap is what a plan's writes leave out of ESP-IDF's secure features.
type SecureFeatureGap struct {
	// Missing: writes ESP-IDF makes in this mode that the plan lacks, with no
	// manifest opt-out to explain them (a plan from before the per-chip lists, or
	// an edited script).
	Missing []string
	// Weakened: writes left out because the manifest opts out; each names the setting.
	Weakened []string
}

// SecureFeatureGap compares writes (from EfuseWrites, or an efuse-plan.sh read
// with ParseEfuseScript) with what ESP-IDF burns for this plan's chip and mode:
// release-mode flash encryption and Secure Boot. A plan in development mode (and
// one where the device encrypts itself) needs only the Secure Boot features.
// Disabling ROM download mode satisfies the Secure Download mode requirement: it
// is the stronger of the two.
func (p *EfusePlan) SecureFeatureGap(writes []string) SecureFeatureGap {
	full := *p
	full.Hardening = EfuseHardening{}
	own := p.EfuseWrites()
	feats := secureFeatures[p.Chip]
	var gap SecureFeatureGap
	for _, w := range full.EfuseWrites() {
		if slices.Contains(writes, w) {
			continue
		}
		if w == "ENABLE_SECURITY_DOWNLOAD=1" && feats.disableDownload != "" && slices.Contains(writes, feats.disableDownload+"=1") {
			continue
		}
		if !slices.Contains(own, w) {
			gap.Weakened = append(gap.Weakened, fmt.Sprintf("%s (%s)", w, p.optOutFor(w)))
			continue
		}
		gap.Missing = append(gap.Missing, w)
	}
	return gap
}

// optOutFor names the manifest setting that leaves write w out.
func (p *EfusePlan) optOutFor(w string) string {
	name := strings.TrimPrefix(strings.SplitN(w, "=", 2)[0], "wp:")
	if name == "ENABLE_SECURITY_DOWNLOAD" {
		return `rom_download = "enabled"`
	}
	var settings []string
	for _, f := range append(append(secureFeatures[p.Chip].flashRelease, secureFeatures[p.Chip].secureBoot...), secureFeatures[p.Chip].secureBootV1...) {
		if f.name != name || !p.skipped(f.unless) {
			continue
		}
		var s string
		switch f.unless {
		case optJTAG:
			s = "allow_jtag = true"
		case optCache:
			s = "allow_cache_download = true"
		case optROMBasic:
			s = "allow_rom_basic = true"
		case optCacheWP:
			s = "allow_jtag or allow_cache_download"
		}
		if s != "" && !slices.Contains(settings, s) {
			settings = append(settings, s)
		}
	}
	if len(settings) == 0 {
		return "left out by the manifest"
	}
	return strings.Join(settings, "; ")
}

var (
	scriptChip    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`espefuse\.py --chip '?([a-z0-9]+)'?`) })
	scriptWeakRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("^# WEAKENED by the manifest: `([^`]*)`") })
	scriptCommand = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^efuse (burn_efuse|write_protect_efuse|burn_key|burn_key_digest) `)
	})
)

// ParseEfuseScript reads an efuse-plan.sh back into the plan it was made from, as
// far as the script shows it (chip, flash encryption key size and mode, Secure Boot
// version, the manifest's opt-outs from its WEAKENED comments), and the eFuse
// writes it makes. Paths and digests are not recovered.
func ParseEfuseScript(script []byte) (*EfusePlan, []string, error) {
	lines := strings.Split(string(script), "\n")
	p := &EfusePlan{}
	var cmds []string
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if m := scriptChip().FindStringSubmatch(l); m != nil && p.Chip == "" {
			p.Chip = m[1]
		}
		if m := scriptWeakRE().FindStringSubmatch(l); m != nil {
			switch {
			case strings.HasPrefix(m[1], "allow_jtag"):
				p.Hardening.AllowJTAG = true
			case strings.HasPrefix(m[1], "allow_cache_download"):
				p.Hardening.AllowCacheDownload = true
			case strings.HasPrefix(m[1], "allow_rom_basic"):
				p.Hardening.AllowROMBasic = true
			case strings.HasPrefix(m[1], "rom_download"):
				p.Hardening.ROMDownload = ROMDownloadEnabled
			default:
				return nil, nil, fmt.Errorf("line %d: unknown WEAKENED setting %q", i+1, m[1])
			}
		}
		if !scriptCommand().MatchString(l) {
			continue
		}
		cmds = append(cmds, l)
		f := strings.Fields(strings.ReplaceAll(l, "'", ""))
		switch f[1] {
		case "burn_key":
			switch purpose := f[len(f)-1]; {
			case f[2] == "flash_encryption":
				p.FlashEncryption = orFE(p.FlashEncryption, 32)
			case purpose == "XTS_AES_256_KEY":
				p.FlashEncryption = orFE(p.FlashEncryption, 64)
			case purpose == "XTS_AES_128_KEY_DERIVED_FROM_128_EFUSE_BITS":
				p.FlashEncryption = orFE(p.FlashEncryption, 16)
			case strings.HasPrefix(purpose, "XTS_AES_128_KEY"):
				p.FlashEncryption = orFE(p.FlashEncryption, 32)
			}
		case "burn_key_digest":
			if p.SecureBoot == nil {
				p.SecureBoot = &EfuseSecureBoot{Version: 2}
			}
		case "burn_efuse":
			for j := 2; j+1 < len(f); j += 2 {
				switch name, val := f[j], f[j+1]; name {
				case "SPI_BOOT_CRYPT_CNT", "FLASH_CRYPT_CNT":
					p.FlashEncryption = orFE(p.FlashEncryption, 32)
					p.FlashEncryption.Release = val == "7" || strings.EqualFold(val, "0x7F")
				case "ABS_DONE_0":
					p.SecureBoot = &EfuseSecureBoot{Version: 1}
				case "SECURE_BOOT_EN", "ABS_DONE_1":
					if p.SecureBoot == nil {
						p.SecureBoot = &EfuseSecureBoot{Version: 2}
					}
				case "SECURE_BOOT_SHA384_EN":
					if p.SecureBoot == nil {
						p.SecureBoot = &EfuseSecureBoot{Version: 2}
					}
					p.SecureBoot.SHA384 = true
				}
			}
		}
	}
	if p.SecureBoot != nil {
		// Paths are not recovered; the steps need one to render.
		p.SecureBoot.PublicKeys = []string{"(not recovered)"}
	}
	if p.Chip == "" {
		return nil, nil, fmt.Errorf("no `espefuse.py --chip` line: not an espcompose efuse-plan.sh")
	}
	if _, ok := secureFeatures[p.Chip]; !ok {
		return nil, nil, fmt.Errorf("chip %q: no secure-feature list for it", p.Chip)
	}
	return p, scriptWrites(cmds), nil
}

func orFE(fe *EfuseFlashEncryption, keyBytes int) *EfuseFlashEncryption {
	if fe == nil {
		return &EfuseFlashEncryption{KeyBytes: keyBytes, CryptConfig: 0xF}
	}
	return fe
}
