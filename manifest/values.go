package manifest

import (
	"fmt"
	"math/big"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// decoder evaluates the attributes of one block, collecting diagnostics.
type decoder struct {
	ctx   *hcl.EvalContext
	dir   string
	diags hcl.Diagnostics
}

func (d *decoder) errorf(rng hcl.Range, summary, format string, args ...any) {
	d.diags = append(d.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError, Summary: summary, Detail: fmt.Sprintf(format, args...), Subject: rng.Ptr(),
	})
}

// value evaluates an attribute; ok is false when absent or invalid (diagnosed).
func (d *decoder) value(a *hcl.Attribute) (cty.Value, bool) {
	if a == nil {
		return cty.NilVal, false
	}
	v, diags := a.Expr.Value(d.ctx)
	d.diags = append(d.diags, diags...)
	if diags.HasErrors() {
		return cty.NilVal, false
	}
	if !v.IsWhollyKnown() {
		d.errorf(a.Expr.Range(), "Unknown value", "The value of %s cannot be known before the build.", a.Name)
		return cty.NilVal, false
	}
	if v.IsNull() {
		return v, false
	}
	return v, true
}

func (d *decoder) str(a *hcl.Attribute) (string, bool) {
	v, ok := d.value(a)
	if !ok {
		return "", false
	}
	sv, err := convert.Convert(v, cty.String)
	if err != nil {
		d.errorf(a.Expr.Range(), "Incorrect attribute value type",
			"%s must be a string, not %s.", a.Name, v.Type().FriendlyName())
		return "", false
	}
	return sv.AsString(), true
}

func (d *decoder) path(a *hcl.Attribute) (string, bool) {
	s, ok := d.str(a)
	if !ok {
		return "", false
	}
	if s == "" {
		d.errorf(a.Expr.Range(), "Empty path", "%s must name a file.", a.Name)
		return "", false
	}
	if !filepath.IsAbs(s) {
		s = filepath.Join(d.dir, s)
	}
	return s, true
}

func (d *decoder) boolean(a *hcl.Attribute) (bool, bool) {
	v, ok := d.value(a)
	if !ok {
		return false, false
	}
	bv, err := convert.Convert(v, cty.Bool)
	if err != nil {
		d.errorf(a.Expr.Range(), "Incorrect attribute value type",
			"%s must be true or false, not %s.", a.Name, v.Type().FriendlyName())
		return false, false
	}
	return bv.True(), true
}

func (d *decoder) integer(a *hcl.Attribute, min, max int64) (int64, bool) {
	v, ok := d.value(a)
	if !ok {
		return 0, false
	}
	if v.Type() == cty.String {
		n, err := ParseSize(v.AsString())
		if err != nil {
			d.errorf(a.Expr.Range(), "Invalid number", "%s: %v.", a.Name, err)
			return 0, false
		}
		v = cty.NumberUIntVal(n)
	}
	if v.Type() != cty.Number {
		d.errorf(a.Expr.Range(), "Incorrect attribute value type",
			"%s must be a number, not %s.", a.Name, v.Type().FriendlyName())
		return 0, false
	}
	bf := v.AsBigFloat()
	i, acc := bf.Int(new(big.Int))
	if acc != big.Exact || !i.IsInt64() || i.Int64() < min || i.Int64() > max {
		d.errorf(a.Expr.Range(), "Value out of range",
			"%s must be a whole number from %d to %d, not %s.", a.Name, min, max, bf.Text('f', -1))
		return 0, false
	}
	return i.Int64(), true
}

func (d *decoder) size(a *hcl.Attribute) (uint32, bool) {
	v, ok := d.value(a)
	if !ok {
		return 0, false
	}
	n, err := sizeValue(v)
	if err != nil {
		d.errorf(a.Expr.Range(), "Invalid size", "%s: %v.", a.Name, err)
		return 0, false
	}
	if n > 1<<32-1 {
		d.errorf(a.Expr.Range(), "Invalid size", "%s: %d does not fit a 32-bit flash address.", a.Name, n)
		return 0, false
	}
	return uint32(n), true
}

func (d *decoder) stringList(a *hcl.Attribute) ([]string, bool) {
	v, ok := d.value(a)
	if !ok {
		return nil, false
	}
	if v.Type() == cty.String {
		return []string{v.AsString()}, true
	}
	lv, err := convert.Convert(v, cty.List(cty.String))
	if err != nil {
		d.errorf(a.Expr.Range(), "Incorrect attribute value type",
			"%s must be a string or a list of strings.", a.Name)
		return nil, false
	}
	var out []string
	for _, e := range lv.AsValueSlice() {
		out = append(out, e.AsString())
	}
	return out, true
}

// ref decodes a block reference value of one of the allowed kinds.
func (d *decoder) ref(a *hcl.Attribute, kinds ...string) (Ref, bool) {
	v, ok := d.value(a)
	if !ok {
		return Ref{}, false
	}
	return d.refValue(v, a.Name, a.Expr.Range(), kinds...)
}

func (d *decoder) refValue(v cty.Value, what string, rng hcl.Range, kinds ...string) (Ref, bool) {
	if v.Type().IsObjectType() && v.Type().HasAttribute("__kind") {
		r := Ref{Kind: v.GetAttr("__kind").AsString(), Name: v.GetAttr("__name").AsString(), Range: rng}
		for _, k := range kinds {
			if k == r.Kind {
				return r, true
			}
		}
		d.errorf(rng, "Wrong kind of reference",
			"%s refers to %s, but it must refer to %s.", what, r.ID(), kindList(kinds))
		return Ref{}, false
	}
	d.errorf(rng, "Reference expected",
		"%s must be a reference to %s (for example %s.name), not a %s.",
		what, kindList(kinds), kinds[0], v.Type().FriendlyName())
	return Ref{}, false
}

func (d *decoder) refList(a *hcl.Attribute, kinds ...string) ([]Ref, bool) {
	v, ok := d.value(a)
	if !ok {
		return nil, false
	}
	if !v.Type().IsTupleType() && !v.Type().IsListType() {
		d.errorf(a.Expr.Range(), "Incorrect attribute value type",
			"%s must be a list of references, e.g. [%s.a, %s.b].", a.Name, kinds[0], kinds[0])
		return nil, false
	}
	var out []Ref
	ok = true
	for _, e := range v.AsValueSlice() {
		r, good := d.refValue(e, a.Name, a.Expr.Range(), kinds...)
		ok = ok && good
		out = append(out, r)
	}
	return out, ok
}

func kindList(kinds []string) string {
	s := ""
	for i, k := range kinds {
		switch {
		case i == 0:
		case i == len(kinds)-1:
			s += " or "
		default:
			s += ", "
		}
		if strings.ContainsRune("aeiou", rune(k[0])) {
			s += "an " + k
		} else {
			s += "a " + k
		}
	}
	return s
}

// refObject is the value a block reference evaluates to: it names the block and carries
// the attributes other blocks may read (partition.x.size, image.x.file).
func refObject(kind, name string, attrs map[string]cty.Value) cty.Value {
	m := map[string]cty.Value{"__kind": cty.StringVal(kind), "__name": cty.StringVal(name), "name": cty.StringVal(name)}
	for k, v := range attrs {
		m[k] = v
	}
	return cty.ObjectVal(m)
}
