package manifest

import (
	"strings"
)

// Fleet-safety attributes (anti-rollback, OTA image state, key revocation), decoded
// here so the block decoders each gain one call.

// BootStates are the esp_ota_img_states_t names otadata's boot_state accepts
// (components/bootloader_support/include/esp_flash_partitions.h). "invalid" and
// "aborted" are left out: the bootloader never boots such a slot.
var BootStates = []string{"new", "pending_verify", "valid", "undefined"}

// fleetImage reads image.secure_version: the anti-rollback version written into the
// app description before signing. The chip's eFuse width is checked by the planner.
func (d *decoder) fleetImage(b *Block, im *Image) {
	if a := b.Attr("secure_version"); a != nil {
		im.SecureVersionRange = a.Expr.Range()
		if n, ok := d.integer(a, 0, 1<<32-1); ok {
			v := uint32(n)
			im.SecureVersion = &v
		}
	}
}

// fleetKey reads key.revoked: a Secure Boot key whose digest slot the eFuse plan revokes.
func (d *decoder) fleetKey(b *Block, k *Key) {
	if a := b.Attr("revoked"); a != nil {
		k.Revoked, _ = d.boolean(a)
		k.RevokedRange = a.Expr.Range()
	}
}

// fleetSecureBoot reads secure_boot.allow_unused_digest_slots
// (CONFIG_SECURE_BOOT_ALLOW_UNUSED_DIGEST_SLOTS).
func (d *decoder) fleetSecureBoot(b *Block, sb *SecureBoot) {
	if a := b.Attr("allow_unused_digest_slots"); a != nil {
		sb.AllowUnusedDigestSlots, _ = d.boolean(a)
	}
}

// fleetPartition reads otadata's boot_state, the ota_state written with boot.
func (d *decoder) fleetPartition(b *Block, p *Partition) {
	a := b.Attr("boot_state")
	if a == nil {
		return
	}
	s, ok := d.str(a)
	if !ok {
		return
	}
	if p.Boot == nil {
		d.errorf(a.Expr.Range(), "boot_state without boot", "boot_state is the state of the slot boot selects; set boot = partition.<slot> too.")
		return
	}
	for _, st := range BootStates {
		if s == st {
			p.BootState = s
			p.BootStateRange = a.Expr.Range()
			return
		}
	}
	d.errorf(a.Expr.Range(), "Unknown boot_state", "boot_state %q is not one of %s (esp_ota_img_states_t).", s, strings.Join(BootStates, ", "))
}

// SigningKeys are the Secure Boot keys that sign, in slot order: a key marked
// revoked keeps its digest slot but no longer signs, since the device would refuse
// its signature.
func (c *Config) SigningKeys() []Ref {
	if c.Security == nil || c.Security.SecureBoot == nil {
		return nil
	}
	var out []Ref
	for _, r := range c.Security.SecureBoot.Keys {
		if k := c.Key(r.Name); k != nil && k.Revoked {
			continue
		}
		out = append(out, r)
	}
	return out
}
