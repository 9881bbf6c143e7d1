package importer

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/espcompose/espcompose/internal/hclfmt"
)

// Render writes m as a formatted manifest. Strings go through hclwrite, which escapes
// what HCL would otherwise read as a template ("${", "%{"); offsets are written as hex
// literals and sizes with a K/M suffix when they divide evenly, as a person would.
func (m *Manifest) Render() ([]byte, error) {
	f := hclwrite.NewEmptyFile()
	b := f.Body()
	comment(b, m.Header)
	if len(m.Header) > 0 {
		b.AppendNewline()
	}
	b.AppendNewBlock("espcompose", nil).Body().SetAttributeValue("version", cty.NumberIntVal(1))
	b.AppendNewline()
	renderDevices(b, m.Devices)

	t := b.AppendNewBlock("target", nil).Body()
	t.SetAttributeValue("chip", cty.StringVal(m.Chip))
	t.SetAttributeValue("flash_size", cty.StringVal(m.FlashSize))
	if m.FlashMode != "" {
		t.SetAttributeValue("flash_mode", cty.StringVal(m.FlashMode))
	}
	if m.FlashFreq != "" {
		t.SetAttributeValue("flash_freq", cty.StringVal(m.FlashFreq))
	}

	for _, k := range m.Keys {
		b.AppendNewline()
		comment(b, k.Comment)
		kb := b.AppendNewBlock("key", []string{k.Name}).Body()
		kb.SetAttributeValue("algorithm", cty.StringVal(k.Algorithm))
		if k.File != "" {
			kb.SetAttributeValue("file", cty.StringVal(k.File))
		}
		if k.PublicKey != "" {
			kb.SetAttributeValue("public_key", cty.StringVal(k.PublicKey))
		}
		if k.Create {
			kb.SetAttributeValue("create", cty.True)
		}
	}
	if m.FlashEnc != nil || m.SecureBoot != nil {
		b.AppendNewline()
		sb := b.AppendNewBlock("security", nil).Body()
		if fe := m.FlashEnc; fe != nil {
			comment(sb, fe.Comment)
			fb := sb.AppendNewBlock("flash_encryption", nil).Body()
			fb.SetAttributeTraversal("key", ref(fe.Key))
			fb.SetAttributeValue("mode", cty.StringVal(fe.Mode))
			if fe.DeviceEncrypts {
				fb.SetAttributeValue("device_encrypts", cty.True)
			}
		}
		if s := m.SecureBoot; s != nil {
			comment(sb, s.Comment)
			bb := sb.AppendNewBlock("secure_boot", nil).Body()
			bb.SetAttributeValue("version", cty.NumberIntVal(int64(s.Version)))
			var keys []hclwrite.Tokens
			for _, k := range s.Keys {
				keys = append(keys, hclwrite.TokensForTraversal(ref(k)))
			}
			bb.SetAttributeRaw("keys", hclwrite.TokensForTuple(keys))
		}
	}

	for _, im := range m.Images {
		b.AppendNewline()
		comment(b, im.Comment)
		ib := b.AppendNewBlock("image", []string{im.Name}).Body()
		ib.SetAttributeValue("file", cty.StringVal(im.File))
		if im.ExpectProject != "" {
			ib.AppendNewBlock("expect", nil).Body().SetAttributeValue("project_name", cty.StringVal(im.ExpectProject))
		}
	}
	if bl := m.Bootloader; bl != nil {
		b.AppendNewline()
		bb := b.AppendNewBlock("bootloader", nil).Body()
		bb.SetAttributeTraversal("image", ref(bl.Image))
		if bl.Offset != nil {
			bb.SetAttributeRaw("offset", hexTokens(*bl.Offset))
		}
	}
	if tb := m.Table; tb != nil {
		b.AppendNewline()
		comment(b, tb.Comment)
		pb := b.AppendNewBlock("partition_table", nil).Body()
		pb.SetAttributeRaw("offset", hexTokens(tb.Offset))
		if tb.MD5 != nil {
			pb.SetAttributeValue("md5", cty.BoolVal(*tb.MD5))
		}
	}
	for _, p := range m.Partitions {
		b.AppendNewline()
		renderPartition(b, p)
	}
	renderNVS(b, m.NVS)
	if m.OutputName != "" {
		b.AppendNewline()
		b.AppendNewBlock("output", nil).Body().SetAttributeValue("name", cty.StringVal(m.OutputName))
	}
	if len(m.Notes) > 0 {
		b.AppendNewline()
		comment(b, m.Notes)
	}
	out, diags := hclfmt.Format(f.Bytes(), "generated.hcl")
	if diags.HasErrors() {
		return nil, fmt.Errorf("importer: generated manifest does not parse: %v", diags)
	}
	return out, nil
}

// RenderPartitions writes only partition blocks, for pasting into a manifest.
func RenderPartitions(parts []Partition) ([]byte, error) {
	f := hclwrite.NewEmptyFile()
	for i, p := range parts {
		if i > 0 {
			f.Body().AppendNewline()
		}
		renderPartition(f.Body(), p)
	}
	out, diags := hclfmt.Format(f.Bytes(), "generated.hcl")
	if diags.HasErrors() {
		return nil, fmt.Errorf("importer: generated partitions do not parse: %v", diags)
	}
	return out, nil
}

func renderPartition(b *hclwrite.Body, p Partition) {
	comment(b, p.Comment)
	pb := b.AppendNewBlock("partition", []string{p.Name}).Body()
	pb.SetAttributeValue("type", cty.StringVal(p.Type))
	pb.SetAttributeValue("subtype", cty.StringVal(p.Subtype))
	if p.Offset != nil {
		pb.SetAttributeRaw("offset", hexTokens(*p.Offset))
	}
	pb.SetAttributeValue("size", cty.StringVal(SizeString(p.Size)))
	if p.Encrypted {
		pb.SetAttributeValue("encrypted", cty.True)
	}
	if p.Readonly {
		pb.SetAttributeValue("readonly", cty.True)
	}
	if p.Contents != "" {
		pb.SetAttributeTraversal("contents", ref(p.Contents))
	}
	if p.File != "" {
		pb.SetAttributeValue("file", cty.StringVal(p.File))
	}
}

// SizeString spells n as the manifest's examples do: "4MB"-style M or K when it divides
// evenly, hex otherwise.
func SizeString(n uint32) string {
	switch {
	case n != 0 && n%(1<<20) == 0:
		return fmt.Sprintf("%dM", n>>20)
	case n != 0 && n%(1<<10) == 0:
		return fmt.Sprintf("%dK", n>>10)
	}
	return fmt.Sprintf("0x%x", n)
}

func hexTokens(n uint32) hclwrite.Tokens {
	return hclwrite.Tokens{{Type: hclsyntax.TokenNumberLit, Bytes: fmt.Appendf(nil, "0x%x", n)}}
}

// ref turns "image.app" into a traversal.
func ref(s string) hcl.Traversal {
	parts := strings.Split(s, ".")
	tr := hcl.Traversal{hcl.TraverseRoot{Name: parts[0]}}
	for _, p := range parts[1:] {
		tr = append(tr, hcl.TraverseAttr{Name: p})
	}
	return tr
}

func comment(b *hclwrite.Body, lines []string) {
	for _, l := range lines {
		text := "#"
		if l != "" {
			text += " " + strings.ReplaceAll(l, "\n", " ")
		}
		b.AppendUnstructuredTokens(hclwrite.Tokens{
			{Type: hclsyntax.TokenComment, Bytes: []byte(text + "\n")},
		})
	}
}
