package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/espcompose/espcompose/internal/hclfmt"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/spf13/afero"
)

// Parse reads and decodes a manifest. It reports every problem it finds, not just the
// first; the returned File is usable for as much as parsed when diagnostics have errors.
func Parse(fsys afero.Fs, filename string) (*File, hcl.Diagnostics) {
	src, err := afero.ReadFile(fsys, filename)
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read manifest",
			Detail:   readErrDetail(filename, err),
		}}
	}
	return ParseBytes(src, filename)
}

// ParseBytes decodes manifest source already in memory.
func ParseBytes(src []byte, filename string) (*File, hcl.Diagnostics) {
	if diags := hclfmt.CheckUTF8(src, filename); diags.HasErrors() {
		return &File{Filename: filename, Dir: filepath.Dir(filename), Source: &hcl.File{Bytes: src}}, diags
	}
	hf, diags := hclsyntax.ParseConfig(rewriteHexLiterals(src, filename), filename, hcl.InitialPos)
	if hf != nil {
		hf.Bytes = src // snippets in diagnostics show what the user wrote
	}
	if diags.HasErrors() {
		return &File{Filename: filename, Dir: filepath.Dir(filename), Source: hf}, diags
	}
	f := &File{Filename: filename, Dir: filepath.Dir(filename), Source: hf}
	content, ds := hf.Body.Content(rootSchema)
	diags = append(diags, ds...)

	singletons := map[string]**Block{
		"espcompose": &f.Header, "target": &f.Target, "security": &f.Security,
		"bootloader": &f.Bootloader, "partition_table": &f.PartitionTable, "devices": &f.Devices,
		"output": &f.Output,
	}
	names := map[string]hcl.Range{} // "kind.name" → first declaration
	for _, hb := range content.Blocks {
		switch hb.Type {
		case "variable":
			v, ds := decodeVariable(hb)
			diags = append(diags, ds...)
			if v != nil {
				diags = append(diags, checkUnique(names, "var."+v.Name, "variable", v.Name, v.DeclRange)...)
				f.Variables = append(f.Variables, v)
			}
		case "locals":
			attrs, ds := hb.Body.JustAttributes()
			diags = append(diags, ds...)
			for _, a := range sortedAttrs(attrs) {
				diags = append(diags, checkUnique(names, "local."+a.Name, "local value", a.Name, a.Range)...)
				f.Locals = append(f.Locals, a)
			}
		default:
			b, ds := decodeBlock(hb.Type, hb)
			diags = append(diags, ds...)
			if b == nil {
				continue
			}
			if slot, ok := singletons[hb.Type]; ok {
				if *slot != nil {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  fmt.Sprintf("Duplicate %s block", hb.Type),
						Detail: fmt.Sprintf("Only one %s block is allowed; the first is at %s.",
							hb.Type, (*slot).DeclRange),
						Subject: &b.DeclRange,
					})
					continue
				}
				*slot = b
				continue
			}
			switch hb.Type {
			case "key":
				f.Keys = append(f.Keys, b)
			case "image":
				f.Images = append(f.Images, b)
			case "partition":
				f.Partitions = append(f.Partitions, b)
			case "nvs":
				f.NVS = append(f.NVS, b)
			case "struct":
				f.Structs = append(f.Structs, b)
			case "ota":
				f.OTAs = append(f.OTAs, b)
			case "filesystem":
				f.Filesystems = append(f.Filesystems, b)
			case "cert":
				f.Certs = append(f.Certs, b)
			}
		}
	}
	for _, list := range [][]*Block{f.Keys, f.Images, f.AllPartitions(), f.NVS, f.Structs, f.OTAs, f.Filesystems, f.Certs} {
		for _, b := range list {
			diags = append(diags, checkUnique(names, b.ID(), b.Kind, b.Name, b.DeclRange)...)
		}
	}
	diags = append(diags, checkHeader(f, filename)...)
	if f.Target == nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing target block",
			Detail:   `A manifest needs a target block naming the chip and flash size, e.g. target { chip = "esp32c3" flash_size = "4MB" }.`,
			Subject:  hf.Body.(*hclsyntax.Body).SrcRange.Ptr(),
		})
	}
	return f, diags
}

func checkUnique(seen map[string]hcl.Range, id, kind, name string, rng hcl.Range) hcl.Diagnostics {
	if first, ok := seen[id]; ok {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Duplicate %s %q", kind, name),
			Detail:   fmt.Sprintf("A %s named %q is already declared at %s; names must be unique.", kind, name, first),
			Subject:  rng.Ptr(),
		}}
	}
	seen[id] = rng
	return nil
}

func decodeVariable(hb *hcl.Block) (*Variable, hcl.Diagnostics) {
	content, diags := hb.Body.Content(blockSchemas["variable"])
	v := &Variable{Name: hb.Labels[0], DeclRange: hb.DefRange}
	if !hclsyntax.ValidIdentifier(v.Name) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError, Summary: "Invalid variable name",
			Detail:  "A variable name must start with a letter and contain only letters, digits, underscores and dashes.",
			Subject: hb.LabelRanges[0].Ptr(),
		})
	}
	if a, ok := content.Attributes["type"]; ok {
		v.Type = a.Expr
	}
	if a, ok := content.Attributes["default"]; ok {
		v.Default = a.Expr
	}
	if a, ok := content.Attributes["description"]; ok {
		val, ds := a.Expr.Value(nil)
		diags = append(diags, ds...)
		if !ds.HasErrors() && val.Type().FriendlyName() == "string" && val.IsKnown() && !val.IsNull() {
			v.Description = val.AsString()
		}
	}
	return v, diags
}

// decodeBlock decodes a block against the schema for path ("partition", "nvs/namespace").
func decodeBlock(path string, hb *hcl.Block) (*Block, hcl.Diagnostics) {
	schema, ok := blockSchemas[path]
	if !ok {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unsupported block type",
			Detail: fmt.Sprintf("Blocks of type %q are not expected here.", hb.Type), Subject: hb.TypeRange.Ptr()}}
	}
	content, diags := hb.Body.Content(schema)
	b := &Block{Kind: hb.Type, Attrs: content.Attributes, DeclRange: hb.DefRange, TypeRange: hb.TypeRange}
	if len(hb.Labels) > 0 {
		b.Name = hb.Labels[0]
		if contains(blockKinds, path) && !hclsyntax.ValidIdentifier(b.Name) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Invalid %s name", hb.Type),
				Detail:   fmt.Sprintf("%q cannot be referenced as %s.%s: use letters, digits, underscores and dashes.", b.Name, hb.Type, b.Name),
				Subject:  hb.LabelRanges[0].Ptr(),
			})
		}
	}
	counts := map[string]int{}
	for _, nb := range content.Blocks {
		if path == "partition" && nb.Type == "table" {
			if b.TableRange != nil {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Duplicate table block",
					Detail: "A partition holds at most one nested table.", Subject: nb.DefRange.Ptr()})
				continue
			}
			tb, ds := decodeBlock("partition/table", nb)
			diags = append(diags, ds...)
			if tb == nil {
				continue
			}
			r := nb.DefRange
			b.TableRange = &r
			b.Nested = append(b.Nested, tb)
			for _, child := range tb.Nested {
				child.Kind = "partition"
				b.Children = append(b.Children, child)
			}
			tb.Nested = nil
			continue
		}
		childPath := path + "/" + nb.Type
		if path == "partition/table" {
			childPath = "partition"
		}
		nested, ds := decodeBlock(childPath, nb)
		diags = append(diags, ds...)
		if nested == nil {
			continue
		}
		counts[nb.Type]++
		if len(nb.Labels) == 0 && counts[nb.Type] > 1 {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError,
				Summary: fmt.Sprintf("Duplicate %s block", nb.Type),
				Detail:  fmt.Sprintf("Only one %s block is allowed in a %s block.", nb.Type, hb.Type),
				Subject: nb.DefRange.Ptr()})
			continue
		}
		b.Nested = append(b.Nested, nested)
	}
	return b, diags
}

func sortedAttrs(attrs hcl.Attributes) []*hcl.Attribute {
	out := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	// Source order: line then column, so diagnostics and evaluation are stable.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && posLess(out[j].Range.Start, out[j-1].Range.Start); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func posLess(a, b hcl.Pos) bool { return a.Byte < b.Byte }

// readErrDetail says why the manifest could not be read without repeating its name
// (an *os.PathError already carries it).
func readErrDetail(filename string, err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Sprintf("%s: %v.", filename, err)
}
