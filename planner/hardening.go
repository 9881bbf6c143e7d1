package planner

import "github.com/espcompose/espcompose/outputs"

// checkHardening refuses eFuse opt-outs the chip has no eFuse for.
func (p *planner) checkHardening() {
	sec := p.cfg.Security
	if sec == nil {
		return
	}
	chip := p.plan.Chip.Name
	if sec.ROMDownload == outputs.ROMDownloadSecure && !outputs.SupportsSecureDownload(chip) {
		p.errorf(sec.ROMDownloadRange, "No Secure Download mode on this chip",
			"%s has no Secure Download mode; use rom_download = \"enabled\" or \"disabled\".", chip)
	}
	if sec.AllowROMBasic && chip != "esp32" {
		p.errorf(sec.Range, "allow_rom_basic does not apply",
			"only the ESP32 has a ROM BASIC interpreter; remove allow_rom_basic for %s.", chip)
	}
}

// hardening carries the manifest's opt-outs into the eFuse plan.
func (pl *Plan) hardening() outputs.EfuseHardening {
	sec := pl.Config.Security
	if sec == nil {
		return outputs.EfuseHardening{}
	}
	return outputs.EfuseHardening{
		AllowJTAG: sec.AllowJTAG, AllowCacheDownload: sec.AllowCacheDownload, AllowROMBasic: sec.AllowROMBasic,
		AggressiveRevoke: sec.AggressiveRevoke, ROMDownload: sec.ROMDownload,
	}
}
