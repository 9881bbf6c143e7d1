package doctor

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/outputs"
	"github.com/espcompose/espcompose/planner"
)

// Manifest runs the checks on a planned manifest (loaded and planned, nothing
// built or written). What the planner refuses is already a diagnostic (an app or
// OTA image bigger than its slot, signature sector included, among them); these
// are what it lets through: a boot slot left empty, and the manifest's opt-outs
// from ESP-IDF's release-mode secure features. The plan is derived from the same
// per-chip lists, so a missing feature would be a bug in espcompose itself; it is
// reported all the same.
func Manifest(name string, pl *planner.Plan) *Report {
	r := newReport(name, inManifest)
	r.Chip = pl.Chip.Name
	cfg := pl.Config
	parts := map[string]*manifest.Partition{}
	var order []*manifest.Partition // source order, nested after their parent
	var walk func([]*manifest.Partition)
	walk = func(ps []*manifest.Partition) {
		for _, p := range ps {
			parts[p.Name] = p
			order = append(order, p)
			walk(p.Children)
		}
	}
	walk(cfg.Partitions)
	filledByOTA := map[string]bool{}
	for _, o := range cfg.OTAs {
		for _, s := range o.Slots {
			filledByOTA[s.Name] = true
		}
	}
	for _, p := range order {
		if p.Boot == nil {
			continue
		}
		slot := parts[p.Boot.Name]
		if slot == nil || slot.Contents != nil || slot.File != "" || slot.Fill != nil {
			continue
		}
		msg := "otadata %q boots partition %q, which the manifest leaves erased: the device falls back to the factory app (or ota_0)"
		if filledByOTA[slot.Name] {
			msg += "; the ota block makes an artifact for it, but the factory image does not hold it"
		}
		r.add(OTADataEmptySlot, rangeAt(p.AttrRange("boot"), p.Name), msg, p.Name, slot.Name)
	}
	if plan := efusePlan(pl); plan != nil {
		where := at{}
		if cfg.Security != nil {
			where = rangeAt(cfg.Security.Range, "")
		}
		releaseGap(r, plan, plan.EfuseWrites(), where)
	}
	return r.finish()
}

// efusePlan is the eFuse plan's shape for the manifest, as planner/bundle.go
// builds it (key files and digests do not matter to the secure features).
func efusePlan(pl *planner.Plan) *outputs.EfusePlan {
	sec := pl.Config.Security
	if sec == nil || sec.FlashEncryption == nil && sec.SecureBoot == nil {
		return nil
	}
	p := &outputs.EfusePlan{Chip: pl.Chip.Name, Hardening: outputs.EfuseHardening{
		AllowJTAG: sec.AllowJTAG, AllowCacheDownload: sec.AllowCacheDownload, AllowROMBasic: sec.AllowROMBasic,
		AggressiveRevoke: sec.AggressiveRevoke, ROMDownload: sec.ROMDownload}}
	if fe := sec.FlashEncryption; fe != nil {
		kb := 32
		if k := pl.Config.Key(fe.Key.Name); k != nil {
			switch k.Algorithm {
			case "xts-aes-256":
				kb = 64
			case "aes-128", "xts-aes-128-derived":
				kb = 16
			}
		}
		p.FlashEncryption = &outputs.EfuseFlashEncryption{KeyBytes: kb, CryptConfig: fe.CryptConfig, Release: fe.Mode == "release", DeviceEncrypts: fe.DeviceEncrypts}
	}
	if sb := sec.SecureBoot; sb != nil {
		p.SecureBoot = &outputs.EfuseSecureBoot{Version: sb.Version, PublicKeys: []string{"-"}}
		for _, ref := range sb.Keys {
			if k := pl.Config.Key(ref.Name); k != nil && k.Algorithm == "ecdsa-p384" {
				p.SecureBoot.SHA384 = true
			}
		}
	}
	return p
}

func rangeAt(rg hcl.Range, part string) at {
	return at{file: rg.Filename, line: rg.Start.Line, part: part}
}
