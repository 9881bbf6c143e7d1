package lock

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// ErrNotALock is returned by Parse for a file that does not start with Header: a file
// espcompose did not write, which it must neither trust nor replace.
var ErrNotALock = errors.New("not an espcompose lock file")

// Owned reports whether data starts with the header espcompose writes.
func Owned(data []byte) bool {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	return string(bytes.TrimRight(line, "\r")) == Header
}

// Parse reads a lock file. name is the file as shown in messages; every error names
// name:line. The File remembers each item's line for Compare's messages.
func Parse(data []byte, name string) (*File, error) {
	if !Owned(data) {
		return nil, fmt.Errorf("%s:1: %w (its first line is not %q)", name, ErrNotALock, Header)
	}
	hf, diags := hclsyntax.ParseConfig(data, name, hcl.InitialPos)
	if diags.HasErrors() {
		d := diags[0]
		return nil, fmt.Errorf("%s:%d: %s: %s", name, d.Subject.Start.Line, d.Summary, d.Detail)
	}
	r := &reader{f: &File{Name: name, lines: map[string]int{}}, name: name}
	body := hf.Body.(*hclsyntax.Body)
	for _, a := range body.Attributes {
		return nil, r.errf(a.SrcRange, "unexpected attribute %q outside a block", a.Name)
	}
	seen := map[string]bool{}
	for _, b := range body.Blocks {
		id := b.Type + "." + strings.Join(b.Labels, ".")
		if seen[id] {
			return nil, r.errf(b.TypeRange, "%s block %q appears twice", b.Type, strings.Join(b.Labels, "."))
		}
		seen[id] = true
		if err := r.block(b); err != nil {
			return nil, err
		}
	}
	if !seen["lock."] {
		return nil, fmt.Errorf("%s:1: no lock block (version, manifest, chip, flash_size)", name)
	}
	return r.f, nil
}

type reader struct {
	f    *File
	name string
}

func (r *reader) errf(rng hcl.Range, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", r.name, rng.Start.Line, fmt.Sprintf(format, args...))
}

// attrs evaluates a block's attributes against the names it allows, records their
// lines under prefix, and refuses labels, nested blocks and unknown attributes.
func (r *reader) attrs(b *hclsyntax.Block, labels int, prefix string, allowed ...string) (map[string]cty.Value, error) {
	if len(b.Labels) != labels {
		return nil, r.errf(b.TypeRange, "%s block takes %d label(s), has %d", b.Type, labels, len(b.Labels))
	}
	if len(b.Body.Blocks) > 0 {
		return nil, r.errf(b.Body.Blocks[0].TypeRange, "unexpected block %q inside %s", b.Body.Blocks[0].Type, b.Type)
	}
	r.f.lines[prefix] = b.TypeRange.Start.Line
	vals := map[string]cty.Value{}
	for name, a := range b.Body.Attributes {
		ok := false
		for _, n := range allowed {
			ok = ok || n == name
		}
		if !ok {
			return nil, r.errf(a.SrcRange, "unknown attribute %q in %s block", name, b.Type)
		}
		v, diags := a.Expr.Value(nil)
		if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() {
			return nil, r.errf(a.SrcRange, "attribute %q must be a literal value", name)
		}
		vals[name] = v
		r.f.lines[prefix+"."+name] = a.SrcRange.Start.Line
	}
	if b.Type == "lock" {
		// A lock of another format version may lack today's attributes: say so first.
		if err := r.version(b, vals); err != nil {
			return nil, err
		}
	}
	for _, n := range allowed {
		if _, ok := vals[n]; !ok && !optional(b.Type, n) {
			return nil, r.errf(b.TypeRange, "%s block misses attribute %q", b.Type, n)
		}
	}
	return vals, nil
}

func (r *reader) version(b *hclsyntax.Block, vals map[string]cty.Value) error {
	v, ok := vals["version"]
	if !ok {
		return r.errf(b.TypeRange, "lock block misses attribute \"version\"")
	}
	at := b.Body.Attributes["version"].SrcRange
	if v.Type() != cty.Number {
		return r.errf(at, "version must be a number")
	}
	if bf := v.AsBigFloat(); !bf.IsInt() || bf.Cmp(cty.NumberIntVal(Version).AsBigFloat()) != 0 {
		return r.errf(at, "lock format version %s is not %d, the one this espcompose reads", bf.String(), Version)
	}
	return nil
}

func optional(block, attr string) bool {
	return block == "key" && (attr == "digest" || attr == "fingerprint")
}

func (r *reader) block(b *hclsyntax.Block) error {
	var err error
	str := func(vals map[string]cty.Value, name string) string {
		v, ok := vals[name]
		if !ok || err != nil {
			return ""
		}
		if v.Type() != cty.String {
			err = r.errf(b.Body.Attributes[name].SrcRange, "attribute %q must be a string", name)
			return ""
		}
		return v.AsString()
	}
	boolean := func(vals map[string]cty.Value, name string) bool {
		v := vals[name]
		if err != nil {
			return false
		}
		if v.Type() != cty.Bool {
			err = r.errf(b.Body.Attributes[name].SrcRange, "attribute %q must be true or false", name)
			return false
		}
		return v.True()
	}
	num := func(vals map[string]cty.Value, name string) uint32 {
		s := str(vals, name)
		if err != nil {
			return 0
		}
		n, perr := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 32)
		if perr != nil || !strings.HasPrefix(s, "0x") {
			err = r.errf(b.Body.Attributes[name].SrcRange, "attribute %q must be a hex number such as \"0x9000\", not %q", name, s)
		}
		return uint32(n)
	}
	list := func(vals map[string]cty.Value, name string) []string {
		v := vals[name]
		if err != nil {
			return nil
		}
		t := v.Type()
		if !(t.IsListType() || t.IsTupleType()) {
			err = r.errf(b.Body.Attributes[name].SrcRange, "attribute %q must be a list of strings", name)
			return nil
		}
		var out []string
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if e.Type() != cty.String {
				err = r.errf(b.Body.Attributes[name].SrcRange, "attribute %q must be a list of strings", name)
				return nil
			}
			out = append(out, e.AsString())
		}
		return out
	}

	f := r.f
	label := ""
	if len(b.Labels) > 0 {
		label = b.Labels[0]
	}
	switch b.Type {
	case "lock":
		vals, aerr := r.attrs(b, 0, "lock", "version", "manifest", "chip", "flash_size")
		if aerr != nil {
			return aerr
		}
		f.Manifest, f.Chip, f.FlashSize = str(vals, "manifest"), str(vals, "chip"), str(vals, "flash_size")
	case "bootloader":
		vals, aerr := r.attrs(b, 0, "bootloader", "offset", "flash_encrypted")
		if aerr != nil {
			return aerr
		}
		f.Bootloader = &Bootloader{Offset: num(vals, "offset"), FlashEncrypted: boolean(vals, "flash_encrypted")}
	case "table":
		vals, aerr := r.attrs(b, 1, tableItem(label), "offset", "md5", "flash_encrypted")
		if aerr != nil {
			return aerr
		}
		f.Tables = append(f.Tables, Table{Name: label, Offset: num(vals, "offset"), MD5: boolean(vals, "md5"), FlashEncrypted: boolean(vals, "flash_encrypted")})
	case "partition":
		vals, aerr := r.attrs(b, 1, partitionItem(label), "table", "offset", "size", "type", "subtype", "flags", "flash_encrypted")
		if aerr != nil {
			return aerr
		}
		f.Partitions = append(f.Partitions, Partition{
			Name: label, Table: str(vals, "table"), Offset: num(vals, "offset"), Size: num(vals, "size"),
			Type: str(vals, "type"), Subtype: str(vals, "subtype"), Flags: list(vals, "flags"), FlashEncrypted: boolean(vals, "flash_encrypted"),
		})
	case "security":
		vals, aerr := r.attrs(b, 0, "security", "flash_encryption", "flash_encryption_key", "device_encrypts", "secure_boot", "secure_boot_keys")
		if aerr != nil {
			return aerr
		}
		f.Security = Security{
			FlashEncryption: str(vals, "flash_encryption"), FlashEncryptionKey: str(vals, "flash_encryption_key"),
			DeviceEncrypts: boolean(vals, "device_encrypts"), SecureBoot: str(vals, "secure_boot"), SecureBootKeys: list(vals, "secure_boot_keys"),
		}
	case "key":
		vals, aerr := r.attrs(b, 1, keyItem(label), "algorithm", "role", "digest", "fingerprint")
		if aerr != nil {
			return aerr
		}
		f.Keys = append(f.Keys, Key{Name: label, Algorithm: str(vals, "algorithm"), Role: str(vals, "role"), Digest: str(vals, "digest"), Fingerprint: str(vals, "fingerprint")})
	default:
		return r.errf(b.TypeRange, "unknown block %q", b.Type)
	}
	return err
}
