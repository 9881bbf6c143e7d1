// Package hclfmt is espcompose's canonical manifest layout: hclwrite.Format, taught the
// unquoted hex literals (offset = 0x8000) that manifests may use, plus one final newline.
// `espcompose fmt` and `espcompose init` both write through it, so an imported manifest
// is already formatted.
package hclfmt

import (
	"bytes"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// Format returns the canonical form of src, or the syntax errors that stop it from
// being formatted (hclwrite would otherwise lay out broken input as if it were valid).
// Diagnostics point into src as written.
func Format(src []byte, filename string) ([]byte, hcl.Diagnostics) {
	if diags := CheckUTF8(src, filename); diags.HasErrors() {
		return nil, diags
	}
	masked, hexIdents := maskHex(src, filename)
	if _, diags := hclsyntax.ParseConfig(masked, filename, hcl.InitialPos); diags.HasErrors() {
		return nil, diags
	}
	formatted := hclwrite.Format(masked)
	// hclwrite only changes the space between tokens, except where removing a space
	// joins two tokens into another (0. 0 becomes the number 0.0): then the file is
	// not rewritten, and the user is shown where.
	if at, ok := sameTokens(masked, formatted, filename); !ok {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot format without changing the meaning",
			Detail: "Laying out this line would join tokens that the space between them keeps apart " +
				"(for example 0. 0 would become the number 0.0). Write it as you mean it, then format again.",
			Subject: &at,
		}}
	}
	out := unmaskHex(formatted, hexIdents)
	// hclwrite keeps blank lines as written; at the end of a file they only make diffs
	// noisier, so a file ends with exactly one newline.
	out = bytes.TrimRight(out, "\n \t")
	if len(out) == 0 {
		return []byte{}, nil
	}
	return append(out, '\n'), nil
}

// maskHex turns each hex literal, which HCL lexes as the number 0 followed by the
// identifier x8000, into the single identifier hx8000 of the same width, so the
// formatter neither splits it ("0 x8000") nor shifts what is aligned after it. It
// returns the ordinals, among the identifier tokens of the masked source, of the
// identifiers it made.
func maskHex(src []byte, filename string) ([]byte, map[int]bool) {
	tokens, diags := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return src, nil
	}
	var out []byte
	marks := map[int]bool{}
	ident := 0
	for i := 0; i < len(tokens); i++ {
		tok := tokens[i]
		if tok.Type == hclsyntax.TokenIdent {
			ident++
			continue
		}
		if i+1 >= len(tokens) || !isHexPair(tok, tokens[i+1]) {
			continue
		}
		if out == nil {
			out = append([]byte(nil), src...)
		}
		out[tok.Range.Start.Byte] = 'h'
		marks[ident] = true // the merged token takes the identifier's ordinal
		ident++
		i++ // the identifier half is consumed
	}
	if out == nil {
		return src, nil
	}
	return out, marks
}

func isHexPair(num, id hclsyntax.Token) bool {
	if num.Type != hclsyntax.TokenNumberLit || string(num.Bytes) != "0" ||
		id.Type != hclsyntax.TokenIdent || num.Range.End.Byte != id.Range.Start.Byte {
		return false
	}
	w := id.Bytes
	if len(w) < 2 || (w[0] != 'x' && w[0] != 'X') {
		return false
	}
	for _, c := range w[1:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// unmaskHex restores the identifiers maskHex made; formatting changes only the space
// between tokens, so identifier ordinals are the same before and after.
func unmaskHex(formatted []byte, marks map[int]bool) []byte {
	if len(marks) == 0 {
		return formatted
	}
	tokens, _ := hclsyntax.LexConfig(formatted, "", hcl.InitialPos)
	ident := 0
	for _, tok := range tokens {
		if tok.Type != hclsyntax.TokenIdent {
			continue
		}
		if marks[ident] {
			formatted[tok.Range.Start.Byte] = '0'
		}
		ident++
	}
	return formatted
}

// sameTokens says whether before and after lex to the same tokens (newlines aside,
// comments compared without surrounding space); where not, it returns the range in
// before of the first token that differs.
func sameTokens(before, after []byte, filename string) (hcl.Range, bool) {
	a, b := significant(before, filename), significant(after, filename)
	for i := range a {
		if i >= len(b) || a[i].Type != b[i].Type || !bytes.Equal(tokenBytes(a[i]), tokenBytes(b[i])) {
			return a[i].Range, false
		}
	}
	if len(b) > len(a) {
		if len(a) == 0 {
			return hcl.Range{Filename: filename, Start: hcl.InitialPos, End: hcl.InitialPos}, false
		}
		return a[len(a)-1].Range, false
	}
	return hcl.Range{}, true
}

func significant(src []byte, filename string) hclsyntax.Tokens {
	toks, _ := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	out := toks[:0]
	for _, t := range toks {
		if t.Type != hclsyntax.TokenNewline && t.Type != hclsyntax.TokenEOF {
			out = append(out, t)
		}
	}
	return out
}

func tokenBytes(t hclsyntax.Token) []byte {
	if t.Type == hclsyntax.TokenComment {
		return bytes.TrimSpace(t.Bytes)
	}
	return t.Bytes
}
