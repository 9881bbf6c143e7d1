package manifest

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// FormatVersion is the manifest format this espcompose reads.
const FormatVersion = 1

// checkHeader requires `espcompose { version = 1 }`. Without it a manifest written for
// another format would be read with this one's rules and could silently build something
// else; with it a future format is refused instead of half-understood.
func checkHeader(f *File, filename string) hcl.Diagnostics {
	if f.Header == nil {
		top := hcl.Range{Filename: filename, Start: hcl.InitialPos, End: hcl.InitialPos}
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Missing espcompose block",
			Detail: fmt.Sprintf("A manifest starts with the format it is written in; add espcompose { version = %d } "+
				"at the top of %s.", FormatVersion, filename),
			Subject: top.Ptr(),
		}}
	}
	a := f.Header.Attr("version")
	if a == nil {
		return nil // the schema already reported the missing attribute
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() {
		return diags
	}
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.Number || !v.Equals(cty.NumberIntVal(FormatVersion)).True() {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Unsupported manifest format version",
			Detail: fmt.Sprintf("This espcompose reads manifest format version %d; the manifest says %s. "+
				"Use an espcompose release that reads that format, or write version = %d.", FormatVersion, shown(v), FormatVersion),
			Subject: a.Expr.Range().Ptr(),
		}}
	}
	return nil
}

// shown renders a literal for a message.
func shown(v cty.Value) string {
	switch {
	case v.IsNull():
		return "null"
	case !v.IsKnown():
		return "an unknown value"
	case v.Type() == cty.Number:
		return v.AsBigFloat().Text('g', -1)
	case v.Type() == cty.String:
		return fmt.Sprintf("%q", v.AsString())
	}
	return v.Type().FriendlyName()
}
