package importer

import (
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// Devices is the devices block: one build per row of CSV, named by ID.
type Devices struct {
	CSV     string
	ID      Expr
	Comment []string
}

// NVS is an nvs block made of namespace blocks, optionally encrypted with a key
// declared just before it (Key: its name is what EncryptWith refers to).
type NVS struct {
	Name       string
	Version    int
	Key        *NVSKey
	Namespaces []NVSNamespace
	Comment    []string
}

// NVSKey is the key block an nvs block is encrypted with; its file may be a
// per-device template.
type NVSKey struct {
	Name, Algorithm string
	File            Expr
	Create          bool
	Comment         []string
}

// NVSNamespace is a namespace block of an nvs block.
type NVSNamespace struct {
	Name    string
	Entries []NVSEntry
}

// NVSEntry is an entry block: Value or File (one of them) as an expression.
type NVSEntry struct {
	Key, Type, Encoding string
	Value, File         *Expr
	Comment             []string
}

// Expr is an attribute value: a string literal, or Raw HCL (a device.* reference or a
// template) when Raw is set. Raw text is built by DeviceRef and Template only.
type Expr struct {
	Literal string
	Raw     string
}

// DeviceRef is the expression reading one column of the devices CSV:
// device.name when the name is an HCL identifier, device["name"] otherwise.
func DeviceRef(column string) string {
	if isIdent(column) {
		return "device." + column
	}
	return "device[" + hclQuote(column) + "]"
}

// Template is a string template of literal text around one device reference.
func Template(before, ref, after string) Expr {
	q := func(s string) string {
		q := hclQuote(s)
		return q[1 : len(q)-1]
	}
	return Expr{Raw: `"` + q(before) + "${" + ref + "}" + q(after) + `"`}
}

var hclStart = hcl.Pos{Line: 1, Column: 1, Byte: 0}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		letter := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c == '-' || c >= '0' && c <= '9')) {
			return false
		}
	}
	return true
}

// hclQuote quotes s as an HCL string literal that is not a template.
func hclQuote(s string) string {
	q := strconv.Quote(s)
	q = strings.ReplaceAll(q, "${", "$${")
	return strings.ReplaceAll(q, "%{", "%%{")
}

func (e Expr) tokens() hclwrite.Tokens {
	if e.Raw == "" {
		return hclwrite.TokensForValue(cty.StringVal(e.Literal))
	}
	f, diags := hclwrite.ParseConfig([]byte("x = "+e.Raw+"\n"), "expr.hcl", hclStart)
	if diags.HasErrors() {
		// Raw only comes from DeviceRef and Template, which always parse; the
		// caller's Format reports the file as not parsing should that change.
		return hclwrite.Tokens{{Bytes: []byte(e.Raw)}}
	}
	return f.Body().GetAttribute("x").Expr().BuildTokens(nil)
}

func renderDevices(b *hclwrite.Body, d *Devices) {
	if d == nil {
		return
	}
	comment(b, d.Comment)
	db := b.AppendNewBlock("devices", nil).Body()
	db.SetAttributeValue("csv", cty.StringVal(d.CSV))
	db.SetAttributeRaw("id", d.ID.tokens())
	b.AppendNewline()
}

func renderNVS(b *hclwrite.Body, blocks []NVS) {
	for _, n := range blocks {
		if k := n.Key; k != nil {
			b.AppendNewline()
			comment(b, k.Comment)
			kb := b.AppendNewBlock("key", []string{k.Name}).Body()
			kb.SetAttributeValue("algorithm", cty.StringVal(k.Algorithm))
			kb.SetAttributeRaw("file", k.File.tokens())
			if k.Create {
				kb.SetAttributeValue("create", cty.True)
			}
		}
		b.AppendNewline()
		comment(b, n.Comment)
		nb := b.AppendNewBlock("nvs", []string{n.Name}).Body()
		if n.Version != 0 {
			nb.SetAttributeValue("version", cty.NumberIntVal(int64(n.Version)))
		}
		if n.Key != nil {
			nb.SetAttributeTraversal("encrypt_with", ref("key."+n.Key.Name))
		}
		for _, ns := range n.Namespaces {
			nsb := nb.AppendNewBlock("namespace", []string{ns.Name}).Body()
			for _, e := range ns.Entries {
				comment(nsb, e.Comment)
				eb := nsb.AppendNewBlock("entry", []string{e.Key}).Body()
				eb.SetAttributeValue("type", cty.StringVal(e.Type))
				if e.Value != nil {
					eb.SetAttributeRaw("value", e.Value.tokens())
				}
				if e.File != nil {
					eb.SetAttributeRaw("file", e.File.tokens())
				}
				if e.Encoding != "" {
					eb.SetAttributeValue("encoding", cty.StringVal(e.Encoding))
				}
			}
		}
	}
}
