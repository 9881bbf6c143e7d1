package manifest

import (
	"encoding/hex"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

func (d *decoder) partition(b *Block) (*Partition, cty.Value) {
	p := &Partition{Name: b.Name, Range: b.DeclRange, AttrRanges: map[string]hcl.Range{}}
	for name, a := range b.Attrs {
		p.AttrRanges[name] = a.Expr.Range()
	}
	typeName, typeOK := "", false
	if a := b.Attr("type"); a != nil {
		if t, name, ok := d.partType(a); ok {
			p.Type, typeName, typeOK = t, name, true
		}
	}
	// A subtype name means nothing without its type, so a bad type is reported once.
	if a := b.Attr("subtype"); a != nil && typeOK {
		if st, ok := d.partSubtype(a, p.Type, typeName); ok {
			p.Subtype = st
		}
	}
	if a := b.Attr("offset"); a != nil {
		if n, ok := d.size(a); ok {
			p.Offset = &n
		}
	}
	if a := b.Attr("size"); a != nil {
		if n, ok := d.size(a); ok {
			if n == 0 {
				d.errorf(a.Expr.Range(), "Invalid size", "Partition %q cannot be empty.", p.Name)
			}
			p.Size = n
		}
	}
	if a := b.Attr("encrypted"); a != nil {
		p.Encrypted, _ = d.boolean(a)
	}
	if a := b.Attr("readonly"); a != nil {
		p.Readonly, _ = d.boolean(a)
	}
	var sources []string
	if a := b.Attr("contents"); a != nil {
		if r, ok := d.ref(a, "image", "nvs", "struct", "key", "filesystem", "cert"); ok {
			p.Contents = &r
		}
		sources = append(sources, "contents")
	}
	if a := b.Attr("file"); a != nil {
		p.File, _ = d.path(a)
		sources = append(sources, "file")
	}
	if a := b.Attr("fill"); a != nil {
		if n, ok := d.integer(a, 0, 255); ok {
			v := byte(n)
			p.Fill = &v
		}
		sources = append(sources, "fill")
	}
	if len(sources) > 1 {
		d.errorf(b.Attr(sources[1]).Expr.Range(), "Conflicting partition contents",
			"Partition %q sets %s; give at most one content source.", p.Name, strings.Join(sources, " and "))
	}
	if a := b.Attr("boot"); a != nil {
		if r, ok := d.ref(a, "partition"); ok {
			p.Boot = &r
		}
	}
	d.fleetPartition(b, p)
	if b.TableRange != nil {
		p.Table = &NestedTable{MD5: true, Range: *b.TableRange}
		for _, tb := range b.NestedOf("table") {
			if a := tb.Attr("md5"); a != nil {
				p.Table.MD5, _ = d.boolean(a)
			}
		}
	}
	attrs := map[string]cty.Value{
		"size":    cty.NumberUIntVal(uint64(p.Size)),
		"type":    cty.NumberUIntVal(uint64(p.Type)),
		"subtype": cty.NumberUIntVal(uint64(p.Subtype)),
	}
	if p.Offset != nil {
		attrs["offset"] = cty.NumberUIntVal(uint64(*p.Offset))
	}
	return p, refObject("partition", p.Name, attrs)
}

var nvsTypes = []string{"u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64", "string", "blob", "hex2bin", "base64"}
var nvsFileEncodings = []string{"binary", "string", "hex2bin", "base64"}

func (d *decoder) nvs(b *Block) (*NVS, cty.Value) {
	n := &NVS{Name: b.Name, Version: 2, Range: b.DeclRange}
	if a := b.Attr("version"); a != nil {
		if v, ok := d.integer(a, 1, 2); ok {
			n.Version = int(v)
		}
	}
	if a := b.Attr("encrypt_with"); a != nil {
		if r, ok := d.ref(a, "key"); ok {
			n.EncryptWith = &r
		}
	}
	if a := b.Attr("import_csv"); a != nil {
		n.ImportCSVRange = a.Expr.Range()
		if list, ok := d.stringList(a); ok {
			for _, p := range list {
				n.ImportCSV = append(n.ImportCSV, resolvePath(d.dir, p))
			}
		}
	}
	if a := b.Attr("import_csv_base_dir"); a != nil {
		if n.ImportCSV == nil {
			d.errorf(a.Expr.Range(), "import_csv_base_dir without import_csv", "import_csv_base_dir says where the file rows of import_csv CSVs resolve from; this nvs block imports no CSV.")
		}
		n.ImportCSVBaseDir, _ = d.path(a)
	}
	for _, eb := range b.NestedOf("esp_at") {
		e := &EspAt{Range: eb.DeclRange}
		e.RawData, _ = d.path(eb.Attr("raw_data"))
		e.Platform, _ = d.str(eb.Attr("platform"))
		e.Module, _ = d.str(eb.Attr("module"))
		if a := eb.Attr("config"); a != nil {
			e.Config, _ = d.stringList(a)
		}
		n.EspAt = e
	}
	seenNS := map[string]hcl.Range{}
	for _, nb := range b.NestedOf("namespace") {
		ns := &NVSNamespace{Name: nb.Name, Range: nb.DeclRange}
		if first, dup := seenNS[nb.Name]; dup {
			d.errorf(nb.DeclRange, "Duplicate namespace", "Namespace %q is already declared at %s; put its entries in one block.", nb.Name, first)
		}
		seenNS[nb.Name] = nb.DeclRange
		if len(nb.Name) > 15 {
			d.errorf(nb.DeclRange, "Namespace name too long", "NVS namespace %q has %d characters; the limit is 15.", nb.Name, len(nb.Name))
		}
		seenKey := map[string]hcl.Range{}
		for _, eb := range nb.NestedOf("entry") {
			ns.Entries = append(ns.Entries, d.nvsEntry(eb, seenKey))
		}
		n.Namespaces = append(n.Namespaces, ns)
	}
	return n, refObject("nvs", n.Name, nil)
}

func (d *decoder) nvsEntry(eb *Block, seen map[string]hcl.Range) *NVSEntry {
	e := &NVSEntry{Key: eb.Name, Range: eb.DeclRange}
	if first, dup := seen[e.Key]; dup {
		d.errorf(eb.DeclRange, "Duplicate NVS key", "Key %q is already set at %s.", e.Key, first)
	}
	seen[e.Key] = eb.DeclRange
	if len(e.Key) > 15 {
		d.errorf(eb.DeclRange, "NVS key too long", "NVS key %q has %d characters; the limit is 15.", e.Key, len(e.Key))
	}
	if t, ok := d.str(eb.Attr("type")); ok {
		if !contains(nvsTypes, t) {
			d.errorf(eb.Attr("type").Expr.Range(), "Unknown NVS type",
				"%q is not an NVS type%s. Known: %s.", t, suggest(t, nvsTypes), strings.Join(nvsTypes, ", "))
		}
		e.Type = t
	}
	va, fa := eb.Attr("value"), eb.Attr("file")
	if eb.Attr("cert") != nil || eb.Attr("item") != nil || eb.Attr("format") != nil {
		d.nvsCertEntry(eb, e)
		return e
	}
	switch {
	case va != nil && fa != nil:
		d.errorf(fa.Expr.Range(), "Conflicting entry contents", "Entry %q sets both value and file; give one.", e.Key)
	case va == nil && fa == nil:
		d.errorf(eb.DeclRange, "Entry has no value", "Entry %q needs value = ... or file = \"...\".", e.Key)
	case va != nil:
		e.ContentRange = va.Expr.Range()
		if v, ok := d.value(va); ok {
			s, err := scalarString(v)
			if err != nil {
				d.errorf(va.Expr.Range(), "Invalid NVS value", "%s.", err)
			} else {
				e.Value = &s
			}
		}
	default:
		e.ContentRange = fa.Expr.Range()
		e.File, _ = d.path(fa)
		e.Encoding = "binary"
	}
	if a := eb.Attr("encoding"); a != nil {
		if enc, ok := d.str(a); ok {
			if fa == nil {
				d.errorf(a.Expr.Range(), "Encoding without file", "encoding applies to file = \"...\" entries; for values use type.")
			} else if !contains(nvsFileEncodings, enc) {
				d.errorf(a.Expr.Range(), "Unknown file encoding",
					"%q is not a file encoding%s. Known: %s.", enc, suggest(enc, nvsFileEncodings), strings.Join(nvsFileEncodings, ", "))
			}
			e.Encoding = enc
		}
	}
	return e
}

func scalarString(v cty.Value) (string, error) {
	switch v.Type() {
	case cty.String:
		return v.AsString(), nil
	case cty.Number:
		bf := v.AsBigFloat()
		if !bf.IsInt() {
			return "", fmt.Errorf("%s is not a whole number", bf.Text('f', -1))
		}
		return bf.Text('f', 0), nil
	case cty.Bool:
		if v.True() {
			return "1", nil
		}
		return "0", nil
	}
	return "", fmt.Errorf("expected a string or number, got %s", v.Type().FriendlyName())
}

var structTypes = map[string]int{"u8": 1, "i8": 1, "u16": 2, "i16": 2, "u32": 4, "i32": 4, "u64": 8, "i64": 8, "string": 0, "bytes": 0}

func (d *decoder) structBlock(b *Block) (*Struct, cty.Value) {
	s := &Struct{Name: b.Name, Fill: 0xFF, Range: b.DeclRange}
	s.Size, _ = d.size(b.Attr("size"))
	if a := b.Attr("fill"); a != nil {
		if n, ok := d.integer(a, 0, 255); ok {
			s.Fill = byte(n)
		}
	}
	for _, fb := range b.NestedOf("field") {
		if f := d.structField(fb, s.Size); f != nil {
			s.Fields = append(s.Fields, f)
		}
	}
	// Overlap check in offset order so the message names neighbours.
	sorted := append([]*StructField(nil), s.Fields...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Offset < sorted[j].Offset })
	for i := 1; i < len(sorted); i++ {
		prev, cur := sorted[i-1], sorted[i]
		if prev.Offset+prev.Size > cur.Offset {
			d.errorf(cur.Range, "Overlapping fields",
				"Field %q (bytes %d..%d) overlaps field %q (bytes %d..%d).",
				cur.Name, cur.Offset, cur.Offset+cur.Size-1, prev.Name, prev.Offset, prev.Offset+prev.Size-1)
		}
	}
	return s, refObject("struct", s.Name, map[string]cty.Value{"size": cty.NumberUIntVal(uint64(s.Size))})
}

func (d *decoder) structField(fb *Block, structSize uint32) *StructField {
	f := &StructField{Name: fb.Name, Range: fb.DeclRange}
	off, ok := d.size(fb.Attr("offset"))
	if !ok {
		return nil
	}
	f.Offset = off
	typ, ok := d.str(fb.Attr("type"))
	if !ok {
		return nil
	}
	width, known := structTypes[typ]
	if !known {
		d.errorf(fb.Attr("type").Expr.Range(), "Unknown field type",
			"%q is not a field type; use u8, u16, u32, u64, i8, i16, i32, i64, string or bytes.", typ)
		return nil
	}
	f.Type = typ
	if width > 0 {
		if a := fb.Attr("size"); a != nil {
			d.errorf(a.Expr.Range(), "Unexpected size", "A %s field is %d bytes wide; size applies to string and bytes fields.", typ, width)
		}
		f.Size = uint32(width)
	} else {
		a := fb.Attr("size")
		if a == nil {
			d.errorf(fb.DeclRange, "Missing size", "A %s field needs size = <bytes>.", typ)
			return nil
		}
		if f.Size, ok = d.size(a); !ok {
			return nil
		}
	}
	if uint64(f.Offset)+uint64(f.Size) > uint64(structSize) {
		d.errorf(fb.Attr("offset").Expr.Range(), "Field outside the record",
			"Field %q needs bytes %d..%d but the record is %d bytes.", f.Name, f.Offset, uint64(f.Offset)+uint64(f.Size)-1, structSize)
		return nil
	}
	va := fb.Attr("value")
	v, ok := d.value(va)
	if !ok {
		return nil
	}
	switch typ {
	case "string":
		s, err := scalarString(v)
		if err != nil {
			d.errorf(va.Expr.Range(), "Invalid field value", "%s.", err)
			return nil
		}
		if uint32(len(s)) > f.Size {
			d.errorf(va.Expr.Range(), "String too long", "%q is %d bytes; field %q holds %d.", s, len(s), f.Name, f.Size)
			return nil
		}
		f.Bytes = []byte(s)
	case "bytes":
		s, err := scalarString(v)
		if err == nil {
			f.Bytes, err = hex.DecodeString(strings.TrimPrefix(s, "0x"))
		}
		if err != nil {
			d.errorf(va.Expr.Range(), "Invalid field value", "A bytes field takes a hex string such as \"deadbeef\".")
			return nil
		}
		if uint32(len(f.Bytes)) > f.Size {
			d.errorf(va.Expr.Range(), "Value too long", "%d bytes do not fit field %q of %d bytes.", len(f.Bytes), f.Name, f.Size)
			return nil
		}
	default:
		n, ok := d.integer(va, math.MinInt64, math.MaxInt64)
		if !ok {
			return nil
		}
		lo, hi := intRange(typ)
		if (typ[0] == 'u' && (n < 0 || (width < 8 && uint64(n) > uint64(hi)))) || (typ[0] == 'i' && (n < lo || n > hi)) {
			d.errorf(va.Expr.Range(), "Value out of range", "%d does not fit a %s field (%d..%d).", n, typ, lo, hi)
			return nil
		}
		f.Int = n
	}
	return f
}

func intRange(typ string) (int64, int64) {
	switch typ {
	case "u8":
		return 0, math.MaxUint8
	case "u16":
		return 0, math.MaxUint16
	case "u32":
		return 0, math.MaxUint32
	case "u64":
		return 0, math.MaxInt64
	case "i8":
		return math.MinInt8, math.MaxInt8
	case "i16":
		return math.MinInt16, math.MaxInt16
	case "i32":
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt64, math.MaxInt64
}
