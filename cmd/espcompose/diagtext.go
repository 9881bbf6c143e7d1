package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	wordwrap "github.com/mitchellh/go-wordwrap"
	"github.com/rivo/uniseg"
	"github.com/zclconf/go-cty/cty"
)

// ANSI SGR sequences used for diagnostics when colour is on.
const (
	sgrReset     = "\x1b[0m"
	sgrRed       = "\x1b[1;31m"
	sgrYellow    = "\x1b[1;33m"
	sgrHighlight = "\x1b[1;4m" // bold underline: the offending range in the source line
)

// diagWriter prints HCL diagnostics for people, in the shape hcl's own text writer
// uses ("Error: summary", "  on FILE line N, in BLOCK:", numbered source lines,
// detail), plus a line of carets under the offending range. hcl's writer marks the
// range only with escape codes, so a log, a pipe or NO_COLOR would lose where the
// problem is; the carets keep it in plain text.
type diagWriter struct {
	w     io.Writer
	files map[string]*hcl.File
	width uint // wrap the detail at this many columns; 0 never wraps
	color bool
}

func (dw diagWriter) write(diags hcl.Diagnostics) error {
	var b strings.Builder
	for _, d := range diags {
		if d != nil {
			dw.one(&b, d)
		}
	}
	_, err := io.WriteString(dw.w, b.String())
	return err
}

func (dw diagWriter) paint(code, s string) string {
	if !dw.color || s == "" {
		return s
	}
	return code + s + sgrReset
}

func (dw diagWriter) one(b *strings.Builder, d *hcl.Diagnostic) {
	sev, code := "Error", sgrRed
	if d.Severity == hcl.DiagWarning {
		sev, code = "Warning", sgrYellow
	}
	fmt.Fprintf(b, "%s: %s\n\n", dw.paint(code, sev), d.Summary)
	if d.Subject != nil {
		dw.snippet(b, d, code)
		dw.values(b, d)
	}
	if d.Detail != "" {
		detail := d.Detail
		if dw.width > 0 {
			detail = wordwrap.WrapString(detail, dw.width)
		}
		fmt.Fprintf(b, "%s\n\n", detail)
	}
}

// snippet prints the source lines of the subject (and its context) with carets
// under the subject's range.
func (dw diagWriter) snippet(b *strings.Builder, d *hcl.Diagnostic, code string) {
	subject := *d.Subject
	file := dw.files[subject.Filename]
	if file == nil || file.Bytes == nil {
		fmt.Fprintf(b, "  on %s line %d:\n  (source code not available)\n\n", subject.Filename, subject.Start.Line)
		return
	}
	snip, mark := subject, subject
	if d.Context != nil {
		snip = hcl.RangeOver(snip, *d.Context)
	}
	// An empty range cannot be shown: widen it to the one character it points at,
	// as hcl's writer does.
	if snip.Empty() {
		snip.End.Byte++
		snip.End.Column++
	}
	if mark.Empty() {
		mark.End.Byte++
		mark.End.Column++
	}
	in := ""
	if cs, ok := file.Nav.(interface{ ContextString(int) string }); ok {
		if c := cs.ContextString(subject.Start.Byte); c != "" {
			in = ", in " + c
		}
	}
	fmt.Fprintf(b, "  on %s line %d%s:\n", subject.Filename, subject.Start.Line, in)
	src := file.Bytes
	// Scan from the line the snippet starts on to the one it ends on, not the whole
	// file: the ranges carry their byte offsets, so the lines in between are known.
	sc := hcl.NewRangeScanner(src, subject.Filename, bufio.ScanLines)
	if s := snip.Start; s.Byte <= len(src) && s.Line > 0 {
		from := bytes.LastIndexByte(src[:s.Byte], '\n') + 1
		sc = hcl.NewRangeScannerFragment(src, subject.Filename, hcl.Pos{Line: s.Line, Column: 1, Byte: from}, bufio.ScanLines)
	}
	for sc.Scan() {
		line := sc.Range()
		if line.Start.Byte >= snip.End.Byte && line.Start.Line > snip.End.Line {
			break
		}
		if !line.Overlaps(snip) {
			continue
		}
		prefix := fmt.Sprintf("%4d: ", line.Start.Line)
		before, hi, after := line.PartitionAround(mark)
		if hi.Empty() {
			fmt.Fprintf(b, "%s%s\n", prefix, sc.Bytes())
			continue
		}
		lead, marked := string(before.SliceBytes(src)), string(hi.SliceBytes(src))
		fmt.Fprintf(b, "%s%s%s%s\n", prefix, lead, dw.paint(sgrHighlight, marked), after.SliceBytes(src))
		// A range over several lines takes in their indentation: carets go under
		// the text only, and a line with none gets no carets.
		if text := strings.TrimLeft(marked, " \t"); text != "" {
			lead += marked[:len(marked)-len(text)]
			marked = strings.TrimRight(text, " \t")
		} else if line.Start.Line != mark.Start.Line {
			continue
		}
		carets := strings.Repeat("^", max(1, uniseg.StringWidth(marked)))
		fmt.Fprintf(b, "%s%s%s\n", strings.Repeat(" ", len(prefix)), blankLike(lead), dw.paint(code, carets))
	}
	b.WriteByte('\n')
}

// blankLike is s with every character replaced by blanks of its display width, tabs
// kept, so a caret line lines up under the source line in a terminal.
func blankLike(s string) string {
	var out strings.Builder
	for _, part := range strings.SplitAfter(s, "\t") {
		text, tab := strings.CutSuffix(part, "\t")
		out.WriteString(strings.Repeat(" ", uniseg.StringWidth(text)))
		if tab {
			out.WriteByte('\t')
		}
	}
	return out.String()
}

// values prints what the variables in the failing expression held ("with var.x as
// "y"."), as hcl's writer does, when the diagnostic carries them.
func (dw diagWriter) values(b *strings.Builder, d *hcl.Diagnostic) {
	if d.Expression == nil || d.EvalContext == nil {
		return
	}
	seen := map[string]bool{}
	var stmts []string
	for _, tr := range d.Expression.Variables() {
		val, diags := tr.TraverseAbs(d.EvalContext)
		if diags.HasErrors() || !val.IsKnown() || val.IsMarked() {
			continue
		}
		name := traversalString(tr)
		if seen[name] {
			continue
		}
		seen[name] = true
		if val.IsNull() {
			stmts = append(stmts, name+" set to null")
		} else {
			stmts = append(stmts, name+" as "+valueString(val))
		}
	}
	sort.Strings(stmts)
	for i, s := range stmts {
		lead, end := "     ", ",\n"
		if i == 0 {
			lead = "with "
		}
		if i == len(stmts)-1 {
			end = ".\n\n"
		}
		b.WriteString(lead + s + end)
	}
}

func traversalString(tr hcl.Traversal) string {
	var b strings.Builder
	for _, step := range tr {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			b.WriteString(s.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + s.Name)
		case hcl.TraverseIndex:
			if s.Key.Type().IsPrimitiveType() {
				b.WriteString("[" + valueString(s.Key) + "]")
			} else {
				b.WriteString("[...]")
			}
		}
	}
	return b.String()
}

// valueString is a short description of v for a diagnostic: the value itself for
// a primitive, a size for a collection.
func valueString(v cty.Value) string {
	ty := v.Type()
	switch {
	case v.IsNull():
		return "null"
	case !v.IsKnown():
		return "(not yet known)"
	case ty == cty.Bool:
		return fmt.Sprint(v.True())
	case ty == cty.Number:
		return v.AsBigFloat().Text('g', 10)
	case ty == cty.String:
		return fmt.Sprintf("%q", v.AsString())
	case ty.IsCollectionType() || ty.IsTupleType():
		switch n := v.LengthInt(); n {
		case 0:
			return "empty " + ty.FriendlyName()
		case 1:
			return ty.FriendlyName() + " with 1 element"
		default:
			return fmt.Sprintf("%s with %d elements", ty.FriendlyName(), n)
		}
	case ty.IsObjectType():
		return fmt.Sprintf("object with %d attributes", len(ty.AttributeTypes()))
	}
	return ty.FriendlyName()
}
