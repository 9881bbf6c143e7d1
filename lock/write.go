package lock

import (
	"bytes"
	"sort"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// Marshal renders the lock. The same File always gives the same bytes: blocks come in
// layout order (keys by name), attributes in a fixed order, lists sorted where order
// carries no meaning; hclwrite aligns the "=" so a changed value is a one-line diff.
func (f *File) Marshal() []byte {
	out := hclwrite.NewEmptyFile()
	root := out.Body()

	lb := root.AppendNewBlock("lock", nil).Body()
	lb.SetAttributeValue("version", cty.NumberIntVal(Version))
	lb.SetAttributeValue("manifest", cty.StringVal(f.Manifest))
	lb.SetAttributeValue("chip", cty.StringVal(f.Chip))
	lb.SetAttributeValue("flash_size", cty.StringVal(f.FlashSize))

	if bl := f.Bootloader; bl != nil {
		root.AppendNewline()
		b := root.AppendNewBlock("bootloader", nil).Body()
		b.SetAttributeValue("offset", cty.StringVal(hex32(bl.Offset)))
		b.SetAttributeValue("flash_encrypted", cty.BoolVal(bl.FlashEncrypted))
	}
	for _, t := range f.Tables {
		root.AppendNewline()
		b := root.AppendNewBlock("table", []string{t.Name}).Body()
		b.SetAttributeValue("offset", cty.StringVal(hex32(t.Offset)))
		b.SetAttributeValue("md5", cty.BoolVal(t.MD5))
		b.SetAttributeValue("flash_encrypted", cty.BoolVal(t.FlashEncrypted))
	}
	for _, p := range f.Partitions {
		root.AppendNewline()
		b := root.AppendNewBlock("partition", []string{p.Name}).Body()
		b.SetAttributeValue("table", cty.StringVal(p.Table))
		b.SetAttributeValue("offset", cty.StringVal(hex32(p.Offset)))
		b.SetAttributeValue("size", cty.StringVal(hex32(p.Size)))
		b.SetAttributeValue("type", cty.StringVal(p.Type))
		b.SetAttributeValue("subtype", cty.StringVal(p.Subtype))
		b.SetAttributeValue("flags", stringList(sorted(p.Flags)))
		b.SetAttributeValue("flash_encrypted", cty.BoolVal(p.FlashEncrypted))
	}

	root.AppendNewline()
	sb := root.AppendNewBlock("security", nil).Body()
	s := f.Security
	sb.SetAttributeValue("flash_encryption", cty.StringVal(s.FlashEncryption))
	sb.SetAttributeValue("flash_encryption_key", cty.StringVal(s.FlashEncryptionKey))
	sb.SetAttributeValue("device_encrypts", cty.BoolVal(s.DeviceEncrypts))
	sb.SetAttributeValue("secure_boot", cty.StringVal(s.SecureBoot))
	// Slot order matters: digest i is burned into SECURE_BOOT_DIGESTi.
	sb.SetAttributeValue("secure_boot_keys", stringList(s.SecureBootKeys))

	keys := append([]Key(nil), f.Keys...)
	sort.Slice(keys, func(i, j int) bool { return keys[i].Name < keys[j].Name })
	for _, k := range keys {
		root.AppendNewline()
		b := root.AppendNewBlock("key", []string{k.Name}).Body()
		b.SetAttributeValue("algorithm", cty.StringVal(k.Algorithm))
		b.SetAttributeValue("role", cty.StringVal(k.Role))
		if k.Digest != "" {
			b.SetAttributeValue("digest", cty.StringVal(k.Digest))
		}
		if k.Fingerprint != "" {
			b.SetAttributeValue("fingerprint", cty.StringVal(k.Fingerprint))
		}
	}

	var buf bytes.Buffer
	buf.WriteString(Header + "\n")
	buf.WriteString("# The locked flash layout of " + f.Manifest + ": `espcompose plan` and `build` refuse any change\n")
	buf.WriteString("# to it until `espcompose lock --update`. Keys appear by digest and fingerprint only.\n\n")
	buf.Write(hclwrite.Format(out.Bytes()))
	return buf.Bytes()
}

func stringList(ss []string) cty.Value {
	if len(ss) == 0 {
		return cty.ListValEmpty(cty.String)
	}
	vs := make([]cty.Value, len(ss))
	for i, s := range ss {
		vs[i] = cty.StringVal(s)
	}
	return cty.ListVal(vs)
}

func sorted(ss []string) []string {
	out := append([]string(nil), ss...)
	sort.Strings(out)
	return out
}
