package manifest

import (
	"strconv"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// rewriteHexLiterals lets manifests write offsets as 0x8000, which HCL's grammar does
// not have (it lexes "0" then the identifier "x8000"). Each such literal is replaced by
// its decimal value padded with spaces to the same width, so every byte offset, line and
// column in diagnostics still matches the user's source. Literals whose decimal form is
// wider (more than 9 hex digits) are left alone and fail to parse as before.
func rewriteHexLiterals(src []byte, filename string) []byte {
	tokens, diags := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return src
	}
	var out []byte
	for i := 0; i+1 < len(tokens); i++ {
		num, ident := tokens[i], tokens[i+1]
		if num.Type != hclsyntax.TokenNumberLit || string(num.Bytes) != "0" ||
			ident.Type != hclsyntax.TokenIdent || num.Range.End.Byte != ident.Range.Start.Byte {
			continue
		}
		word := string(ident.Bytes)
		if len(word) < 2 || (word[0] != 'x' && word[0] != 'X') {
			continue
		}
		v, err := strconv.ParseUint(word[1:], 16, 64)
		if err != nil {
			continue
		}
		dec := strconv.FormatUint(v, 10)
		width := ident.Range.End.Byte - num.Range.Start.Byte
		if len(dec) > width {
			continue
		}
		if out == nil {
			out = append([]byte(nil), src...)
		}
		start := num.Range.Start.Byte
		copy(out[start:], dec)
		for j := start + len(dec); j < start+width; j++ {
			out[j] = ' '
		}
	}
	if out == nil {
		return src
	}
	return out
}
