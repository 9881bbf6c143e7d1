package manifest

import "github.com/hashicorp/hcl/v2"

// File is a parsed manifest: typed blocks whose attributes are still unevaluated
// expressions, each keeping its source range so every later problem can point at a line.
type File struct {
	Filename string
	Dir      string    // directory relative paths in the manifest are resolved against
	Source   *hcl.File // for diagnostic snippets

	Header         *Block // espcompose { version = 1 }
	Variables      []*Variable
	Locals         []*hcl.Attribute
	Target         *Block
	Keys           []*Block
	Security       *Block
	Images         []*Block
	Bootloader     *Block
	PartitionTable *Block
	Partitions     []*Block // top level, in source order; nested ones hang off Block.Children
	NVS            []*Block
	Structs        []*Block
	OTAs           []*Block
	Filesystems    []*Block
	Certs          []*Block
	Devices        *Block
	Output         *Block
}

// Variable is a `variable "name" {}` block.
type Variable struct {
	Name        string
	Type        hcl.Expression // nil: any
	Default     hcl.Expression // nil: required
	Description string
	DeclRange   hcl.Range
}

// Block is one manifest block of a kind and an optional name. Attributes keep their
// expressions; nested blocks are kept by type in source order.
type Block struct {
	Kind      string
	Name      string
	Attrs     hcl.Attributes
	Nested    []*Block // nested blocks in source order (expect, table, namespace, entry, field, ...)
	DeclRange hcl.Range
	TypeRange hcl.Range

	// Children holds the partitions of a nested `table {}` (partition blocks only).
	Children []*Block
	// TableRange is the range of the nested `table` block when present.
	TableRange *hcl.Range
}

// Attr returns the named attribute or nil.
func (b *Block) Attr(name string) *hcl.Attribute {
	if b == nil {
		return nil
	}
	return b.Attrs[name]
}

// NestedOf returns the nested blocks of one type, in source order.
func (b *Block) NestedOf(kind string) []*Block {
	var out []*Block
	for _, n := range b.Nested {
		if n.Kind == kind {
			out = append(out, n)
		}
	}
	return out
}

// ID is the reference address of the block, e.g. "partition.ota_0" or "target".
func (b *Block) ID() string {
	if b.Name == "" {
		return b.Kind
	}
	return b.Kind + "." + b.Name
}

// AllPartitions returns every partition block, top level first in source order and
// each nested child right after its parent.
func (f *File) AllPartitions() []*Block {
	var out []*Block
	var walk func([]*Block)
	walk = func(bs []*Block) {
		for _, b := range bs {
			out = append(out, b)
			walk(b.Children)
		}
	}
	walk(f.Partitions)
	return out
}

// Files returns the source files for hcl's diagnostic writer.
func (f *File) Files() map[string]*hcl.File {
	if f == nil || f.Source == nil {
		return map[string]*hcl.File{}
	}
	return map[string]*hcl.File{f.Filename: f.Source}
}
