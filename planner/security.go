package planner

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"strings"

	"github.com/espcompose/espcompose/format/secureboot"

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
		return false, "NVS is never flash-encrypted; NVS encryption protects it"
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
	return false, "only app, otadata, nvs_keys and partitions flagged encrypted are"
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
		Name: name, Dep: plain, KeyName: fe.Key.Name, Algorithm: p.cfg.Key(fe.Key.Name).Algorithm, Chip: p.plan.Chip.Name,
		Offset: offset, CryptConfig: fe.CryptConfig,
	})
}

// keyStage makes a key's fingerprint an input of the graph.
func (p *planner) keyStage(name string) string {
	if k := p.cfg.Key(name); k != nil && k.Derive != nil {
		// The master is an input too: its file is checked before the build and
		// recorded with the key's fingerprint.
		p.add(&stages.Key{Name: k.Derive.Name})
	}
	return p.add(&stages.Key{Name: name})
}

func (p *planner) signs() bool { return p.secureBoot() != nil }

// signedSize is what an image occupies once signed: Secure Boot V2 pads it to a 4 KiB
// boundary and appends a 4 KiB signature sector; V1 appends a version word and a
// 64-byte ECDSA signature.
func signedSize(n uint64, version int) uint64 {
	if version == 1 {
		return n + 68
	}
	return (n+4095)/4096*4096 + 4096
}

// sign returns the stage that signs an image when secure boot is on. Signing always
// follows every header change and precedes encryption: the graph has no other path.
func (p *planner) sign(plain, image string, isBootloader bool) string {
	sb := p.secureBoot()
	if sb == nil || !p.checkSecureBoot(sb) {
		return plain
	}
	for _, k := range sb.Keys {
		// Every key's public half, a revoked one's too: its digest keeps its slot.
		p.add(&stages.SignerKey{Name: k.Name, Algorithm: p.cfg.Key(k.Name).Algorithm})
	}
	signing := p.cfg.SigningKeys()
	names := make([]string, len(signing))
	for i, k := range signing {
		names[i] = k.Name
	}
	if sb.Version == 1 {
		if isBootloader {
			return plain // V1 protects the bootloader with a digest, added in contents
		}
		return p.add(&stages.SignV1{Name: "image." + image, Dep: plain, Key: names[0]})
	}
	return p.add(&stages.SignV2{Name: "image." + image, Dep: plain, Keys: names, Chip: p.plan.Chip.Name})
}

// v2Scheme maps key algorithms to Secure Boot schemes.
var sbSchemes = map[string]secureboot.Scheme{
	"rsa-3072": secureboot.SchemeRSA3072, "ecdsa-p192": secureboot.SchemeECDSAP192,
	"ecdsa-p256": secureboot.SchemeECDSAP256, "ecdsa-p384": secureboot.SchemeECDSAP384,
}

// checkSecureBoot reports, once, keys and versions the chip cannot use.
func (p *planner) checkSecureBoot(sb *manifest.SecureBoot) bool {
	if p.sbChecked {
		return p.sbOK
	}
	p.sbChecked, p.sbOK = true, true
	chip := p.plan.Chip.Name
	caps, err := secureboot.CapsFor(chip, p.cfg.Target.MinRevision)
	if err != nil {
		p.errorf(sb.Range, "Secure boot not supported", "%s: %v.", chip, err)
		p.sbOK = false
		return false
	}
	if sb.Version == 1 && !caps.V1 {
		p.errorf(sb.Range, "Secure Boot V1 not supported", "Secure Boot V1 exists only on the ESP32; %s uses version = 2.", chip)
		p.sbOK = false
	}
	if sb.Version == 2 && len(caps.Schemes) == 0 {
		hint := ""
		if chip == "esp32" {
			hint = " Secure Boot V2 needs ESP32 revision v3.0: set target.min_revision = \"v3.0\"."
		}
		p.errorf(sb.Range, "Secure Boot V2 not supported", "%s has no Secure Boot V2 at this revision.%s", chip, hint)
		p.sbOK = false
	}
	if sb.Version == 2 && len(sb.Keys) > caps.KeyDigests && caps.KeyDigests > 0 {
		p.errorf(sb.Range, "Too many secure boot keys", "%s holds %d public-key digest(s) in eFuse, so it can check at most %d signature block(s); %d keys are given.",
			chip, caps.KeyDigests, caps.KeyDigests, len(sb.Keys))
		p.sbOK = false
	}
	for _, ref := range sb.Keys {
		k := p.cfg.Key(ref.Name)
		scheme, ok := sbSchemes[k.Algorithm]
		switch {
		case !ok:
			p.errorf(ref.Range, "Not a signing key", "key.%s has algorithm %q; secure boot signs with rsa-3072 or ecdsa-p192/p256/p384.", k.Name, k.Algorithm)
			p.sbOK = false
		case sb.Version == 1 && scheme != secureboot.SchemeECDSAP256:
			p.errorf(ref.Range, "Wrong key for Secure Boot V1", "Secure Boot V1 signs with ecdsa-p256, not %s.", k.Algorithm)
			p.sbOK = false
		case sb.Version == 2 && !caps.Supports(scheme):
			p.errorf(ref.Range, "Signing scheme not supported by the chip", "%s cannot verify %s signatures; it accepts %v.", chip, k.Algorithm, caps.Schemes)
			p.sbOK = false
		}
	}
	return p.sbOK
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

// checkFlashEncryption refuses keys the chip cannot use, before any key is created. The
// declared algorithm must be one the chip has: nothing is substituted by key length.
func (p *planner) checkFlashEncryption() {
	fe := p.flashEncryption()
	if fe == nil {
		return
	}
	k := p.cfg.Key(fe.Key.Name)
	chip := p.plan.Chip.Name
	n := stages.FlashKeyLen(k.Algorithm)
	if n == 0 {
		p.errorf(fe.Key.Range, "Not a flash encryption key",
			"key.%s has algorithm %q; flash encryption on %s takes %s.", k.Name, k.Algorithm, chip, strings.Join(stages.FlashAlgorithms(chip), " or "))
		return
	}
	if k.File == "" && k.Derive == nil {
		p.errorf(fe.Key.Range, "Flash encryption key must be local", "key.%s has no file; pre-encryption needs the key itself (a file, or derive_from a local master secret).", k.Name)
		return
	}
	if _, err := stages.FlashScheme(chip, k.Algorithm); err != nil {
		p.errorf(k.AttrRange(k.AlgorithmRange), "Flash encryption algorithm not supported by the chip", "key.%s: %v.", k.Name, err)
		return
	}
	if sb := p.secureBoot(); sb != nil && p.plan.Chip.Name == "esp32c2" && n != 16 {
		p.errorf(fe.Key.Range, "Keys do not fit the ESP32-C2's eFuse",
			"The ESP32-C2 has one 256-bit key block. With Secure Boot it holds the boot key digest in one half, "+
				"so the flash encryption key must be the 128-bit kind: algorithm = \"xts-aes-128-derived\" (a 16-byte key file).")
	}
	if p.plan.Chip.Name == "esp32" && fe.CryptConfig != 0xF {
		p.warnf(fe.Range, "Weak FLASH_CRYPT_CONFIG", "crypt_config 0x%X tweaks fewer key bits than the default 0xF.", fe.CryptConfig)
	}
}

// checkKeyFiles reports, against the key block, key files the build needs that are not
// there, before any stage runs. A key with create = true is made by the build instead.
func (p *planner) checkKeyFiles() {
	used := map[string]bool{}
	for _, id := range p.g.IDs() {
		if name, ok := strings.CutPrefix(id, "key:"); ok {
			used[name] = true
		}
		if name, ok := strings.CutPrefix(id, "signer:"); ok {
			used[name] = true
		}
	}
	for _, k := range p.cfg.Keys {
		if !used[k.Name] {
			continue
		}
		check := func(path, what string, at hcl.Range) {
			if path == "" {
				return
			}
			if _, err := p.opts.FS.Stat(path); err != nil {
				hint := ""
				if what == "key file" {
					hint = " Set create = true to have espcompose make it (once, mode 0600), or point file at the existing key."
				}
				p.errorf(k.AttrRange(at), "Missing "+what, "key.%s: %s: %v.%s", k.Name, p.rel(path), unwrap(err), hint)
			}
		}
		if !k.Create {
			check(k.File, "key file", k.FileRange)
		}
		check(k.PublicKey, "public key file", k.PublicKeyRange)
	}
}
