package planner

import (
	"fmt"

	"github.com/espcompose/espcompose/format/parttable"
	"github.com/espcompose/espcompose/internal/fsutil"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/stages"
)

// contents decides what fills every region and adds the stages that make it, in the
// fixed order: header parameters → hash → sign → encrypt at the final offset.
func (p *planner) contents(l *layout) {
	if bl := p.cfg.Bootloader; bl != nil && l.hasBootloader {
		p.bootloaderRegion(bl, l)
	}
	for _, r := range p.plan.Regions {
		if r.Kind == "partition-table" || r.Kind == "secondary-table" {
			enc, why := p.encryptionRule(r.Partition, r.Kind)
			r.Encrypted, r.EncryptReason = enc, why
			r.Stage = p.encryptAt(r.Stage, r.Name, r.Offset, enc)
		}
	}
	slots := otaSlots(p.cfg)
	for _, mp := range p.cfg.AllPartitions() {
		off, ok := l.offsets[mp.Name]
		if !ok {
			continue
		}
		p.partitionContents(mp, off, slots)
	}
}

// partitionContents adds the region for one partition and the stages that fill it.
func (p *planner) partitionContents(mp *manifest.Partition, off uint32, slots []*manifest.Partition) {
	r := &Region{
		Name: mp.Name, Kind: "partition", Offset: off, Size: mp.Size, Type: typeString(mp),
		Depth: depthOf(p.cfg, mp), Partition: mp, File: "partitions/" + mp.Name + ".bin",
	}
	r.Encrypted, r.EncryptReason = p.encryptionRule(mp, "partition")
	if mp.Encrypted && isNVS(mp) {
		p.errorf(mp.AttrRange("encrypted"), "NVS partitions cannot be flash-encrypted",
			"Partition %q is an NVS partition. The NVS library reads its pages as plaintext, so flash-encrypting it "+
				"makes every entry (and every certificate) read back as garbage (seed 001). Remove encrypted = true "+
				"and protect the contents with NVS encryption instead: set encrypt_with = key.<name> on the nvs block "+
				"(a key of algorithm \"nvs-xts\" with an nvs_keys partition, or \"nvs-hmac\").", mp.Name)
		return
	}
	plain := ""
	switch {
	case mp.Contents != nil:
		plain = p.refContents(mp, r)
	case mp.File != "":
		data, ok := p.readRaw(mp)
		if !ok {
			return
		}
		plain = p.source("partition."+mp.Name, mp.File, data)
		r.Source = "file " + p.rel(mp.File)
	case mp.Fill != nil:
		plain = p.add(&stages.Fill{Name: mp.Name, Size: mp.Size, Byte: *mp.Fill})
		r.Source = fmt.Sprintf("fill 0x%02x", *mp.Fill)
	case mp.Type == parttable.TypeData && mp.Subtype == parttable.SubtypeDataOTA:
		plain = p.otadata(mp, slots)
		if mp.Boot != nil {
			r.Source = "otadata: boot " + mp.Boot.Name
		} else {
			r.Source = "otadata: blank"
		}
	case mp.Table != nil:
		r.Source = "secondary table and the partitions below"
	default:
		r.Source = "erased"
	}
	if mp.Boot != nil && !(mp.Type == parttable.TypeData && mp.Subtype == parttable.SubtypeDataOTA) {
		p.errorf(mp.AttrRange("boot"), "boot on a partition that is not otadata",
			"Only the otadata partition (type data, subtype ota) selects the boot slot.")
	}
	if plain != "" {
		r.Stage = p.encryptAt(plain, "partition."+mp.Name, off, r.Encrypted)
	}
	p.plan.Regions = append(p.plan.Regions, r)
}

// refContents handles contents = image.x | nvs.x | struct.x | key.x | filesystem.x.
func (p *planner) refContents(mp *manifest.Partition, r *Region) string {
	ref := mp.Contents
	switch ref.Kind {
	case "image":
		if mp.Type != parttable.TypeApp {
			p.errorf(ref.Range, "Image in a non-app partition",
				"Partition %q has type %s; an app image belongs in an app partition.", mp.Name, typeString(mp))
			return ""
		}
		info := p.plan.Images[ref.Name]
		if info == nil {
			return ""
		}
		need := uint64(info.Size)
		if p.signs() {
			need = signedSize(need, p.secureBoot().Version)
		}
		if need > uint64(mp.Size) {
			what := "image." + ref.Name
			if p.signs() {
				what += " (signed)"
			}
			p.errorf(ref.Range, "App larger than its partition",
				"%s is %d bytes; partition %q holds %d, so it is %d bytes too large.",
				what, need, mp.Name, mp.Size, need-uint64(mp.Size))
			return ""
		}
		r.Source = fmt.Sprintf("image.%s (%s)", ref.Name, p.rel(info.Path))
		r.Signed = p.signs()
		return p.imageStage(ref.Name, false)
	case "struct":
		s := p.cfg.StructByName(ref.Name)
		if s.Size > mp.Size {
			p.errorf(ref.Range, "Record larger than its partition",
				"struct.%s is %d bytes; partition %q holds %d.", s.Name, s.Size, mp.Name, mp.Size)
			return ""
		}
		r.Source = "struct." + s.Name
		return p.add(recordStage(s))
	case "nvs":
		if !isNVS(mp) {
			p.errorf(ref.Range, "NVS contents in a non-NVS partition",
				"Partition %q has type %s; NVS contents need type data, subtype nvs.", mp.Name, typeString(mp))
			return ""
		}
		r.Source = "nvs." + ref.Name
		return p.nvsStage(p.cfg.NVSByName(ref.Name), mp)
	case "key":
		r.Source = "key." + ref.Name
		return p.keyPartition(p.cfg.Key(ref.Name), mp, ref)
	case "filesystem":
		return p.filesystemContents(mp, ref, r)
	case "cert":
		return p.secureCertContents(mp, r)
	}
	return ""
}

// imageStage returns the stage giving an image's final plaintext: read, then (for the
// bootloader) the header parameters, then signing when secure boot is on.
func (p *planner) imageStage(name string, isBootloader bool) string {
	var data []byte
	if info := p.plan.Images[name]; info != nil {
		data = info.Data
	}
	src := p.source("image."+name, p.cfg.Image(name).File, data)
	plain := src
	if isBootloader {
		t := p.cfg.Target
		plain = p.add(&stages.PatchHeader{
			Name: "image." + name, Dep: src, Chip: p.plan.Chip.Name,
			Mode: t.FlashMode, Freq: t.FlashFreq, Size: t.FlashSizeName,
		})
	} else if v := p.cfg.Image(name).SecureVersion; v != nil {
		// Before signing: the signature covers the patched description.
		plain = p.add(&stages.PatchSecureVersion{Name: "image." + name, Dep: src, SecureVersion: *v})
	}
	return p.sign(plain, name, isBootloader)
}

// readRaw reads a partition's raw file once, checking it fits.
func (p *planner) readRaw(mp *manifest.Partition) ([]byte, bool) {
	data, err := fsutil.ReadFile(p.opts.FS, mp.File)
	if err != nil {
		p.errorf(mp.AttrRange("file"), "Cannot read file", "Partition %q: %s: %v.", mp.Name, p.rel(mp.File), unwrap(err))
		return nil, false
	}
	if len(data) > int(mp.Size) {
		p.errorf(mp.AttrRange("file"), "File larger than its partition",
			"%s is %d bytes; partition %q holds %d, so it is %d bytes too large.",
			p.rel(mp.File), len(data), mp.Name, mp.Size, len(data)-int(mp.Size))
		return nil, false
	}
	return data, true
}

func recordStage(s *manifest.Struct) *stages.Record {
	rs := &stages.Record{Name: s.Name, Size: s.Size, Fill: s.Fill}
	for _, f := range s.Fields {
		rs.Fields = append(rs.Fields, stages.RecordField{Name: f.Name, Offset: f.Offset, Type: f.Type, Size: f.Size, Int: f.Int, Bytes: f.Bytes})
	}
	return rs
}

func isNVS(mp *manifest.Partition) bool {
	return mp.Type == parttable.TypeData && mp.Subtype == parttable.SubtypeDataNVS
}

// typeString spells type/subtype as the table does ("app/ota_0", "0x40/0x00").
func typeString(mp *manifest.Partition) string {
	t, ok := parttable.TypeName(mp.Type)
	if !ok {
		t = fmt.Sprintf("0x%02x", mp.Type)
	}
	st, ok := parttable.SubtypeName(mp.Type, mp.Subtype, nil)
	if !ok {
		st = fmt.Sprintf("0x%02x", mp.Subtype)
	}
	return t + "/" + st
}

// otaSlots lists the app ota_N partitions in slot order.
func otaSlots(cfg *manifest.Config) []*manifest.Partition {
	var slots []*manifest.Partition
	for n := 0; n < 16; n++ {
		for _, mp := range cfg.AllPartitions() {
			if mp.Type == parttable.TypeApp && mp.Subtype == parttable.SubtypeAppOTA0+uint8(n) {
				slots = append(slots, mp)
			}
		}
	}
	return slots
}

// bootloaderRegion adds the bootloader: header parameters set, signed (V2) or preceded
// by its reflashable digest (V1), then encrypted at its offset.
func (p *planner) bootloaderRegion(bl *manifest.Bootloader, l *layout) {
	plain := p.imageStage(bl.Image.Name, true)
	enc, why := p.encryptionRule(nil, "bootloader")
	r := &Region{
		Name: "bootloader", Kind: "bootloader", Offset: l.bootloaderAt,
		Size: p.cfg.PartitionTable.Offset - l.bootloaderAt, Type: "bootloader",
		Source:    fmt.Sprintf("image.%s (%s)", bl.Image.Name, p.rel(p.cfg.Image(bl.Image.Name).File)),
		Encrypted: enc, EncryptReason: why, Signed: p.signs(), File: "bootloader.bin",
	}
	if info := p.plan.Images[bl.Image.Name]; info != nil {
		need := uint64(info.Size)
		if sb := p.secureBoot(); sb != nil && sb.Version == 2 {
			need = signedSize(need, 2)
		}
		if need > uint64(r.Size) {
			p.errorf(bl.Range, "Bootloader does not fit",
				"The bootloader needs %d bytes (signed) but only %d fit between 0x%x and the partition table at 0x%x.",
				need, r.Size, r.Offset, p.cfg.PartitionTable.Offset)
		}
	}
	if sb := p.secureBoot(); sb != nil && sb.Version == 1 && p.sbOK {
		key := p.cfg.Key(sb.Keys[0].Name)
		if key.File == "" {
			p.errorf(sb.Range, "Secure Boot V1 needs the signing key",
				"The V1 reflashable bootloader digest is keyed by a secret derived from the signing key, so key.%s must be a local file.", key.Name)
			return
		}
		if r.Offset < 0x1000 {
			p.errorf(bl.Range, "No room for the bootloader digest", "Secure Boot V1 writes a digest sector below the bootloader; it is at 0x%x.", r.Offset)
			return
		}
		p.keyStage(key.Name)
		plain = p.add(&stages.BootloaderDigestV1{Dep: plain, Key: key.Name})
		r.Offset -= 0x1000
		r.Size += 0x1000
		r.Source += " with V1 reflashable digest"
	}
	r.Stage = p.encryptAt(plain, "bootloader", r.Offset, enc)
	p.plan.Regions = append(p.plan.Regions, r)
}
