package planner

import (
	"fmt"

	"github.com/espcompose/espcompose/format/parttable"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/stages"
)

func (p *planner) flashEncryption() *manifest.FlashEncryption {
	if p.cfg.Security == nil {
		return nil
	}
	return p.cfg.Security.FlashEncryption
}

// encryptionRule decides, by the device's own rules, whether a region is flash-encrypted
// and says why, for `plan` (seed 001).
func (p *planner) encryptionRule(mp *manifest.Partition, kind string) (bool, string) {
	fe := p.flashEncryption()
	if fe == nil {
		return false, "flash encryption is off"
	}
	switch kind {
	case "bootloader":
		return true, "the bootloader is always encrypted"
	case "partition-table":
		return true, "the partition table is always encrypted"
	case "secondary-table":
		if mp.Encrypted {
			return true, fmt.Sprintf("%s is flagged encrypted", mp.Name)
		}
		return false, fmt.Sprintf("read through %s, which is not flagged encrypted", mp.Name)
	}
	switch {
	case isNVS(mp):
		return false, "NVS is never flash-encrypted (use NVS encryption)"
	case mp.Type == parttable.TypeApp:
		return true, "app partitions are always encrypted"
	case mp.Type == parttable.TypeData && mp.Subtype == parttable.SubtypeDataOTA:
		return true, "otadata is always encrypted"
	case mp.Type == parttable.TypeData && mp.Subtype == parttable.SubtypeDataTEEOTA:
		return true, "TEE otadata is always encrypted"
	case mp.Type == parttable.TypeData && mp.Subtype == subtypeNVSKeys:
		return true, "nvs_keys is always encrypted"
	case mp.Encrypted:
		return true, "flagged encrypted"
	}
	return false, "data partitions are plaintext unless flagged encrypted"
}

const subtypeNVSKeys = 0x04

// encryptAt adds the stage that encrypts plain for the offset it is written at. With
// device_encrypts the device encrypts on first boot, so the image stays plaintext.
func (p *planner) encryptAt(plain, name string, offset uint32, encrypted bool) string {
	fe := p.flashEncryption()
	if !encrypted || fe == nil || fe.DeviceEncrypts || plain == "" {
		return plain
	}
	p.keyStage(fe.Key.Name)
	return p.add(&stages.Encrypt{
		Name: name, Dep: plain, KeyName: fe.Key.Name, Chip: p.plan.Chip.Name,
		Offset: offset, CryptConfig: fe.CryptConfig,
	})
}

// keyStage makes a key's fingerprint an input of the graph.
func (p *planner) keyStage(name string) string {
	return p.add(&stages.Key{Name: name})
}

func (p *planner) signs() bool { return p.secureBoot() != nil }

// signedSize is what an image occupies once signed: Secure Boot V2 pads it to a 4 KiB
// boundary and appends a 4 KiB signature sector; V1 appends a 68-byte signature block
// after padding to 16 bytes... then the app must fit its 64 KiB-aligned partition.
func signedSize(n uint64, version int) uint64 {
	if version == 1 {
		return (n+15)/16*16 + 68
	}
	return (n+4095)/4096*4096 + 4096
}

// sign returns the stage that signs an image when secure boot is on.
func (p *planner) sign(plain, image string, isBootloader bool) string {
	sb := p.secureBoot()
	if sb == nil {
		return plain
	}
	p.errorf(sb.Range, "Secure boot signing is not available yet",
		"This build of espcompose cannot sign images yet; remove the secure_boot block or sign outside espcompose.")
	return plain
}

// keyPartition fills a partition from a key: the nvs_keys image of an nvs-xts key.
func (p *planner) keyPartition(k *manifest.Key, mp *manifest.Partition, ref *manifest.Ref) string {
	if k.Algorithm != "nvs-xts" {
		p.errorf(ref.Range, "Key cannot fill a partition",
			"key.%s has algorithm %q; only an \"nvs-xts\" key has a partition image (the nvs_keys partition).", k.Name, k.Algorithm)
		return ""
	}
	if !(mp.Type == parttable.TypeData && mp.Subtype == subtypeNVSKeys) {
		p.errorf(ref.Range, "Key in a partition that is not nvs_keys",
			"key.%s holds NVS encryption keys; put it in a partition of type data, subtype nvs_keys.", k.Name)
		return ""
	}
	if fe := p.flashEncryption(); fe == nil || fe.DeviceEncrypts {
		p.errorf(ref.Range, "NVS keys would be written in plaintext",
			"The nvs_keys partition holds the NVS encryption keys. Without flash encryption (done by espcompose, "+
				"not on first boot) they would sit in plaintext in flash and in dist/. Enable security.flash_encryption, "+
				"or use an \"nvs-hmac\" key, whose keys are derived on the device and need no partition.")
		return ""
	}
	p.keyStage(k.Name)
	return p.add(&stages.KeyPartition{Partition: mp.Name, KeyName: k.Name})
}
