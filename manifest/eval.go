package manifest

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/spf13/afero"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/espcompose/espcompose/graph"
)

// Options are the outside inputs to evaluation. Only cmd/ reads the environment; it
// passes variable overrides here (ESPCOMPOSE_VAR_* first, then -var, later wins).
type Options struct {
	FS   afero.Fs
	Vars map[string]string
	// Device is the row of the devices CSV being built (column → value); nil when the
	// manifest has no devices block.
	Device map[string]string
}

// node is one addressable thing in the manifest: a variable, a local or a block.
type node struct {
	id    string
	rng   hcl.Range
	exprs []hcl.Expression
	eval  func(d *decoder) cty.Value
}

// Evaluate turns references into graph edges and evaluates every expression in
// dependency order. All problems are returned together as diagnostics.
func Evaluate(f *File, opts Options) (*Config, hcl.Diagnostics) {
	if opts.FS == nil {
		opts.FS = afero.NewOsFs()
	}
	cfg := &Config{Filename: f.Filename, Dir: f.Dir, Variables: map[string]string{}}
	var diags hcl.Diagnostics
	nodes := map[string]*node{}
	add := func(n *node) { nodes[n.id] = n }

	declared := map[string]bool{}
	for _, v := range f.Variables {
		declared[v.Name] = true
		add(variableNode(v, opts.Vars, cfg, &diags))
	}
	for _, name := range sortedKeys(opts.Vars) {
		if !declared[name] {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError, Summary: "Value for undeclared variable",
				Detail: fmt.Sprintf("A value was given for variable %q, but %s declares no such variable.", name, f.Filename),
			})
		}
	}
	locals := map[string]cty.Value{}
	for _, a := range f.Locals {
		a := a
		add(&node{id: "local." + a.Name, rng: a.Range, exprs: []hcl.Expression{a.Expr}, eval: func(d *decoder) cty.Value {
			v, ds := a.Expr.Value(d.ctx)
			d.diags = append(d.diags, ds...)
			if ds.HasErrors() {
				return cty.DynamicVal
			}
			locals[a.Name] = v
			return v
		}})
	}
	blockNodes(f, cfg, opts.Device, add)

	g := graph.New[*node]()
	ids := make([]string, 0, len(nodes))
	for id := range nodes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		_ = g.Add(id, nodes[id])
	}
	for _, id := range ids {
		for _, e := range nodes[id].exprs {
			for _, tr := range e.Variables() {
				dep, ds := resolveTraversal(tr, nodes)
				diags = append(diags, ds...)
				if dep != "" {
					_ = g.DependOn(id, dep)
				}
			}
		}
	}
	if diags.HasErrors() {
		return nil, diags
	}
	order, err := g.TopoSort()
	if err != nil {
		var ce *graph.CycleError
		subject := f.Target.DeclRange
		if errors.As(err, &ce) && len(ce.Path) > 0 {
			subject = nodes[ce.Path[0]].rng
		}
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError, Summary: "Reference cycle",
			Detail:  fmt.Sprintf("These references form a cycle, so none can be evaluated first: %s.", cycleText(err)),
			Subject: subject.Ptr(),
		})
	}

	values := map[string]map[string]cty.Value{}
	ctx := &hcl.EvalContext{Functions: functions(opts.FS, f.Dir), Variables: map[string]cty.Value{}}
	for _, id := range order {
		n := nodes[id]
		d := &decoder{ctx: ctx, dir: f.Dir}
		v := n.eval(d)
		diags = append(diags, d.diags...)
		root, name, _ := strings.Cut(id, ".")
		if name == "" {
			ctx.Variables[root] = v
			continue
		}
		if values[root] == nil {
			values[root] = map[string]cty.Value{}
		}
		values[root][name] = v
		ctx.Variables[root] = cty.ObjectVal(values[root])
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return cfg, diags
}

func variableNode(v *Variable, overrides map[string]string, cfg *Config, diags *hcl.Diagnostics) *node {
	n := &node{id: "var." + v.Name, rng: v.DeclRange}
	n.eval = func(d *decoder) cty.Value {
		ty := cty.DynamicPseudoType
		if v.Type != nil {
			t, ds := typeexpr.TypeConstraint(v.Type)
			d.diags = append(d.diags, ds...)
			if ds.HasErrors() {
				return cty.DynamicVal
			}
			ty = t
		}
		var val cty.Value
		if raw, ok := overrides[v.Name]; ok {
			if ty == cty.String || ty == cty.DynamicPseudoType {
				val = cty.StringVal(raw)
			} else {
				expr, ds := hclsyntax.ParseExpression([]byte(raw), "-var "+v.Name, hcl.InitialPos)
				if !ds.HasErrors() {
					val, ds = expr.Value(nil)
				}
				if ds.HasErrors() {
					d.errorf(v.DeclRange, "Invalid value for variable", "The value given for %q cannot be parsed: %s.", v.Name, ds.Error())
					return cty.DynamicVal
				}
			}
		} else if v.Default != nil {
			var ds hcl.Diagnostics
			val, ds = v.Default.Value(nil)
			d.diags = append(d.diags, ds...)
			if ds.HasErrors() {
				return cty.DynamicVal
			}
		} else {
			d.errorf(v.DeclRange, "No value for required variable",
				"Variable %q has no default; set it with -var %s=... or ESPCOMPOSE_VAR_%s.", v.Name, v.Name, v.Name)
			return cty.DynamicVal
		}
		conv, err := convert.Convert(val, ty)
		if err != nil {
			d.errorf(v.DeclRange, "Invalid value for variable", "Variable %q: %v.", v.Name, err)
			return cty.DynamicVal
		}
		if conv.Type() == cty.String {
			cfg.Variables[v.Name] = conv.AsString()
		} else if s, err := scalarString(conv); err == nil {
			cfg.Variables[v.Name] = s
		}
		return conv
	}
	return n
}

// blockNodes adds one node per block, each of which decodes into cfg when evaluated.
func blockNodes(f *File, cfg *Config, device map[string]string, add func(*node)) {
	blockNode := func(b *Block, eval func(d *decoder) cty.Value) {
		add(&node{id: b.ID(), rng: b.DeclRange, exprs: blockExprs(b), eval: eval})
	}
	if f.Target != nil {
		blockNode(f.Target, func(d *decoder) cty.Value {
			t, v := d.target(f.Target)
			cfg.Target = t
			return v
		})
	}
	for _, b := range f.Keys {
		b := b
		blockNode(b, func(d *decoder) cty.Value { k, v := d.key(b); cfg.Keys = append(cfg.Keys, k); return v })
	}
	for _, b := range f.Images {
		b := b
		blockNode(b, func(d *decoder) cty.Value { im, v := d.image(b); cfg.Images = append(cfg.Images, im); return v })
	}
	if b := f.Security; b != nil {
		blockNode(b, func(d *decoder) cty.Value { cfg.Security = d.security(b); return cty.EmptyObjectVal })
	}
	if b := f.Bootloader; b != nil {
		blockNode(b, func(d *decoder) cty.Value { cfg.Bootloader = d.bootloader(b); return cty.EmptyObjectVal })
	}
	// The table block is always evaluated so its defaults apply without one.
	ptBlock := f.PartitionTable
	add(&node{id: "partition_table", rng: rangeOf(ptBlock), exprs: blockExprs(ptBlock), eval: func(d *decoder) cty.Value {
		cfg.PartitionTable = d.partitionTable(ptBlock)
		return cty.ObjectVal(map[string]cty.Value{"offset": cty.NumberUIntVal(uint64(cfg.PartitionTable.Offset))})
	}})
	// Partitions decode into a map first; the tree is assembled after all are evaluated
	// so source order is kept whatever the evaluation order was.
	decoded := map[*Block]*Partition{}
	all := f.AllPartitions()
	for _, b := range all {
		b := b
		blockNode(b, func(d *decoder) cty.Value {
			p, v := d.partition(b)
			decoded[b] = p
			if len(decoded) == len(all) {
				cfg.Partitions = assemble(f.Partitions, decoded)
			}
			return v
		})
	}
	for _, b := range f.NVS {
		b := b
		blockNode(b, func(d *decoder) cty.Value { n, v := d.nvs(b); cfg.NVS = append(cfg.NVS, n); return v })
	}
	for _, b := range f.Structs {
		b := b
		blockNode(b, func(d *decoder) cty.Value { s, v := d.structBlock(b); cfg.Structs = append(cfg.Structs, s); return v })
	}
	for _, b := range f.OTAs {
		b := b
		blockNode(b, func(d *decoder) cty.Value { o, v := d.ota(b); cfg.OTAs = append(cfg.OTAs, o); return v })
	}
	for _, b := range f.Filesystems {
		b := b
		blockNode(b, func(d *decoder) cty.Value {
			fs, v := d.filesystem(b)
			cfg.Filesystems = append(cfg.Filesystems, fs)
			return v
		})
	}
	for _, b := range f.Certs {
		b := b
		blockNode(b, func(d *decoder) cty.Value { c, v := d.cert(b); cfg.Certs = append(cfg.Certs, c); return v })
	}
	outBlock := f.Output
	add(&node{id: "output", rng: rangeOf(outBlock), exprs: blockExprs(outBlock), eval: func(d *decoder) cty.Value {
		cfg.Output = d.output(outBlock, f.Devices != nil)
		return cty.EmptyObjectVal
	}})
	if b := f.Devices; b != nil {
		add(&node{id: "device", rng: b.DeclRange, eval: func(d *decoder) cty.Value {
			if device == nil {
				d.errorf(b.DeclRange, "No device selected", "This manifest builds per device; internal error: no device row was given.")
				return cty.DynamicVal
			}
			cols := map[string]cty.Value{}
			for k, v := range device {
				cols[k] = cty.StringVal(v)
			}
			return cty.ObjectVal(cols)
		}})
		blockNode(b, func(d *decoder) cty.Value {
			if a := b.Attr("id"); a != nil {
				if id, ok := d.str(a); ok {
					if !validDeviceID(id) {
						d.errorf(a.Expr.Range(), "Invalid device id",
							"Device id %q must be a non-empty name of letters, digits, '.', '-' and '_' (it names the output folder).", id)
					}
					cfg.DeviceID = id
				}
			}
			return cty.EmptyObjectVal
		})
	}
}

func assemble(blocks []*Block, decoded map[*Block]*Partition) []*Partition {
	var out []*Partition
	for _, b := range blocks {
		p := decoded[b]
		if p == nil {
			continue
		}
		p.Children = assemble(b.Children, decoded)
		out = append(out, p)
	}
	return out
}

func rangeOf(b *Block) hcl.Range {
	if b == nil {
		return hcl.Range{}
	}
	return b.DeclRange
}

// blockExprs lists every expression of a block and its nested blocks, but not of
// nested partitions, which are nodes of their own.
func blockExprs(b *Block) []hcl.Expression {
	if b == nil {
		return nil
	}
	var out []hcl.Expression
	for _, a := range sortedAttrs(b.Attrs) {
		out = append(out, a.Expr)
	}
	for _, n := range b.Nested {
		out = append(out, blockExprs(n)...)
	}
	return out
}

var blockKinds = []string{"image", "key", "nvs", "struct", "partition", "ota", "filesystem", "cert"}
var singletonKinds = []string{"target", "security", "bootloader", "partition_table"}

// resolveTraversal maps a reference to the node it names.
func resolveTraversal(tr hcl.Traversal, nodes map[string]*node) (string, hcl.Diagnostics) {
	root := tr.RootName()
	rng := tr.SourceRange()
	bad := func(summary, detail string) (string, hcl.Diagnostics) {
		return "", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: rng.Ptr()}}
	}
	if root == "device" {
		if _, ok := nodes["device"]; ok {
			return "device", nil
		}
	}
	if contains(singletonKinds, root) {
		if _, ok := nodes[root]; !ok {
			return bad("Reference to undeclared block", fmt.Sprintf("There is no %s block in this manifest.", root))
		}
		return root, nil
	}
	kind := root
	switch root {
	case "var", "local":
	default:
		if !contains(blockKinds, root) {
			if root == "device" {
				return bad("No devices block", "device.* values come from the columns of a devices { csv = ... } block, which this manifest does not have.")
			}
			all := append(append([]string{"var", "local"}, blockKinds...), singletonKinds...)
			return bad("Unknown reference",
				fmt.Sprintf("%q is not a variable or block kind%s. References look like var.name, local.name, %s.name or target.chip.",
					root, suggest(root, all), strings.Join(blockKinds, ".name, ")))
		}
	}
	if len(tr) < 2 {
		return bad("Incomplete reference", fmt.Sprintf("A reference to a %s must name it, e.g. %s.example.", root, root))
	}
	step, ok := tr[1].(hcl.TraverseAttr)
	if !ok {
		return bad("Invalid reference", fmt.Sprintf("Use %s.name to refer to a %s.", root, root))
	}
	id := kind + "." + step.Name
	if _, ok := nodes[id]; !ok {
		var names []string
		for other := range nodes {
			if r, n, ok := strings.Cut(other, "."); ok && r == kind {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		what := map[string]string{"var": "variable", "local": "local value"}[kind]
		if what == "" {
			what = kind
		}
		return bad("Reference to undeclared "+what,
			fmt.Sprintf("No %s named %q is declared%s.", what, step.Name, suggest(step.Name, names)))
	}
	return id, nil
}

func cycleText(err error) string {
	var ce *graph.CycleError
	if errors.As(err, &ce) {
		return strings.Join(ce.Path, " -> ")
	}
	return err.Error()
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
