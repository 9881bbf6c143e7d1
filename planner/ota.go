package planner

import (
	"fmt"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/merged"
	"github.com/espcompose/espcompose/format/parttable"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/stages"
)

// otadata adds the stage writing the otadata partition: blank, or selecting a slot.
func (p *planner) otadata(mp *manifest.Partition, slots []*manifest.Partition) string {
	if mp.Size != parttable.OTADataSize {
		return "" // the table checks report the size
	}
	s := &stages.OTAData{Partition: mp.Name, Slot: -1, Slots: len(slots), State: mp.BootState}
	if mp.Boot != nil {
		target := p.cfg.Partition(mp.Boot.Name)
		slot := -1
		for i, sp := range slots {
			if sp == target {
				slot = i
			}
		}
		if slot < 0 {
			p.errorf(mp.Boot.Range, "boot must name an OTA app slot",
				"Partition %q is %s; otadata can only select an app partition of subtype ota_0..ota_15.", target.Name, typeString(target))
			return ""
		}
		// The bootloader indexes slots by subtype number but counts them: it boots
		// ota[(seq-1) % count] (bootloader_utility.c, bootloader_utility_get_selected_boot_partition).
		// With a gap in the numbering (ota_0, ota_2) a slot past the count can never be selected.
		if n := int(target.Subtype - parttable.SubtypeAppOTA0); n != slot {
			p.errorf(mp.Boot.Range, "OTA slot cannot be selected",
				"The table has %d OTA app slot(s); the bootloader selects only ota_0..ota_%d (sequence number modulo the slot count), so %s (subtype ota_%d) can never boot from otadata. Number the OTA partitions from ota_0 without gaps.",
				len(slots), len(slots)-1, target.Name, n)
			return ""
		}
		s.Slot = slot
	}
	return p.add(s)
}

// ota adds per-slot artifacts: what a device booting from another slot is sent.
// Flash encryption is keyed by address, so each slot gets its own ciphertext (seed 002).
func (p *planner) ota() {
	for _, o := range p.cfg.OTAs {
		if p.plan.Images[o.Image.Name] == nil {
			continue
		}
		plain := p.imageStage(o.Image.Name, false)
		if o.PackagePublicKey != "" {
			p.encryptedPackage(o, plain)
		}
		for _, ref := range o.Slots {
			mp := p.cfg.Partition(ref.Name)
			if mp.Type != parttable.TypeApp {
				p.errorf(ref.Range, "OTA slot is not an app partition", "Partition %q is %s.", mp.Name, typeString(mp))
				continue
			}
			var off uint32
			for _, r := range p.plan.Regions {
				if r.Partition == mp {
					off = r.Offset
				}
			}
			need := uint64(p.plan.Images[o.Image.Name].Size)
			if p.signs() {
				need = signedSize(need, p.secureBoot().Version)
			}
			if need > uint64(mp.Size) {
				p.errorf(ref.Range, "App larger than its partition",
					"image.%s is %d bytes; slot %q holds %d, so it is %d bytes too large.", o.Image.Name, need, mp.Name, mp.Size, need-uint64(mp.Size))
				continue
			}
			enc, _ := p.encryptionRule(mp, "partition")
			stage := p.encryptAt(plain, "partition."+mp.Name, off, enc)
			p.plan.OTA = append(p.plan.OTA, OTASlot{
				OTA: o.Name, Slot: mp.Name, Offset: off, Stage: stage,
				File: fmt.Sprintf("ota/%s/%s.bin", o.Name, mp.Name),
			})
		}
	}
}

// merge adds the stages producing the merged factory image(s).
func (p *planner) merge() {
	var regions []stages.MergeRegion
	for _, r := range sortedRegions(p.plan.Regions) {
		if r.Stage == "" {
			continue
		}
		regions = append(regions, stages.MergeRegion{Name: r.Name, Offset: r.Offset, Dep: r.Stage})
	}
	if len(regions) == 0 {
		p.errorf(p.cfg.Target.Range, "Nothing to flash", "The manifest puts no content in flash.")
		return
	}
	out := p.cfg.Output
	if !out.Merged {
		return // output { merged = false }: each region's own file, with flash_args
	}
	add := func(file string, format merged.Format, fill string) {
		id := p.add(&stages.Merge{Name: file, Chip: p.plan.Chip.Name, Format: format, FillFlash: fill, Regions: regions})
		p.plan.Merged = append(p.plan.Merged, MergedOutput{File: file, Stage: id})
	}
	base := out.Name + "-factory"
	fill := ""
	if out.FillFlash {
		fill = p.cfg.Target.FlashSizeName
	}
	add(base+".bin", merged.FormatRaw, fill)
	if out.Hex {
		add(base+".hex", merged.FormatHex, "")
	}
	if out.UF2 {
		add(base+".uf2", merged.FormatUF2, "")
	}
}

func sortedRegions(rs []*Region) []*Region {
	out := append([]*Region(nil), rs...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && regionLess(out[j], out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// encryptedPackage adds the esp_encrypted_img package of an ota block's signed app.
func (p *planner) encryptedPackage(o *manifest.OTA, plain string) {
	// The recipient key is read and checked now, so a wrong key fails validate at its
	// line instead of the build; the stage reads these very bytes.
	at := o.Range
	if o.PackagePublicKeyRange.Filename != "" {
		at = o.PackagePublicKeyRange
	}
	data, err := afero.ReadFile(p.opts.FS, o.PackagePublicKey)
	if err != nil {
		p.errorf(at, "Cannot read package public key", "ota %q: %s: %v.", o.Name, p.rel(o.PackagePublicKey), unwrap(err))
		return
	}
	if _, err := stages.PackagePublicKey(data); err != nil {
		p.errorf(at, "Wrong package public key", "ota %q: %s: %v.", o.Name, p.rel(o.PackagePublicKey), err)
		return
	}
	pub := p.source("ota."+o.Name+".package_key", o.PackagePublicKey, data)
	s := &stages.EncryptedPackage{Name: o.Name, Dep: plain, PublicKey: pub}
	if o.PackageSecret != nil {
		k := p.cfg.Key(o.PackageSecret.Name)
		if k.File == "" {
			p.errorf(o.PackageSecret.Range, "Package secret must be a local key",
				"key.%s has no file; the package key derivation needs secret material.", k.Name)
			return
		}
		s.Secret = k.Name
		p.keyStage(k.Name)
	} else {
		p.warnf(o.Range, "Encrypted package is not reproducible",
			"ota %q has no encrypted_package.secret, so each build draws a fresh AES key and IV. Set secret = key.<name> (any local key) for reproducible packages.", o.Name)
	}
	p.plan.Packages = append(p.plan.Packages, OTAPackage{OTA: o.Name, Stage: p.add(s),
		File: fmt.Sprintf("ota/%s/%s-encrypted.bin", o.Name, o.Image.Name), Random: s.Secret == "", KeyStage: pub})
}
