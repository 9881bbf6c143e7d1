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
	if sec.ROMDownload == outputs.ROMDownloadDisabled && chip == "esp32" && p.cfg.Target.MinRevision < 300 {
		// UART_DOWNLOAD_DIS exists from ESP32 v3.0 (espefuse's field description;
		// ESP-IDF's Kconfig hides the choice below ESP32_REV_MIN_FULL 300).
		p.errorf(sec.ROMDownloadRange, "ROM download mode cannot be disabled on this revision",
			"the ESP32 can disable download mode only from v3.0: set target.min_revision = \"v3.0\".")
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
