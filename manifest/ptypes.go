package manifest

import (
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// partType accepts a type name ("app", "data") or a number (0x40).
func (d *decoder) partType(a *hcl.Attribute) (uint8, string, bool) {
	v, ok := d.value(a)
	if !ok {
		return 0, "", false
	}
	if v.Type() == cty.String {
		name := v.AsString()
		if t, ok := partitionTypeByName(name); ok {
			return t, name, true
		}
		if n, err := ParseSize(name); err == nil && n <= 0xFE {
			return uint8(n), "", true
		}
		d.errorf(a.Expr.Range(), "Unknown partition type",
			"%q is not a partition type%s; use app, data, bootloader, partition_table or a number 0x40-0xFE.",
			name, suggest(name, partitionTypeNames()))
		return 0, "", false
	}
	n, ok := d.integer(a, 0, 0xFE)
	return uint8(n), "", ok
}

// partSubtype accepts a subtype name valid for the type, or a number.
func (d *decoder) partSubtype(a *hcl.Attribute, typ uint8, typeName string) (uint8, bool) {
	v, ok := d.value(a)
	if !ok {
		return 0, false
	}
	if v.Type() == cty.String {
		name := v.AsString()
		if st, ok := partitionSubtypeByName(typ, name); ok {
			return st, true
		}
		if n, err := ParseSize(name); err == nil && n <= 0xFF {
			return uint8(n), true
		}
		known := partitionSubtypeNames(typ)
		if len(known) == 0 {
			d.errorf(a.Expr.Range(), "Unknown partition subtype",
				"Type 0x%02x has no named subtypes; give a number such as 0x00.", typ)
		} else {
			d.errorf(a.Expr.Range(), "Unknown partition subtype",
				"%q is not a subtype of %s%s.", name, typeLabel(typ, typeName), suggest(name, known))
		}
		return 0, false
	}
	n, ok := d.integer(a, 0, 0xFF)
	return uint8(n), ok
}

func typeLabel(typ uint8, name string) string {
	if name != "" {
		return name
	}
	return "type " + hexByte(typ)
}

func hexByte(b uint8) string {
	const digits = "0123456789abcdef"
	return "0x" + string([]byte{digits[b>>4], digits[b&15]})
}

func resolvePath(dir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}
