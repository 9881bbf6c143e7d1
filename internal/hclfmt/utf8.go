package hclfmt

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/espcompose/espcompose/internal/textpos"
)

// CheckUTF8 reports the first byte of src that is not UTF-8, as HCL's own "Invalid
// character encoding" error. HCL requires UTF-8 but its scanner reports a bad byte
// only inside a quoted string: elsewhere it can end up inside a token (A=\xe80 parses
// as an attribute), which hclwrite then lays out differently on a second pass, and
// which a manifest should never carry silently.
func CheckUTF8(src []byte, filename string) hcl.Diagnostics {
	at, bad := textpos.InvalidUTF8(src)
	if !bad {
		return nil
	}
	start := hcl.Pos{Line: at.Line, Column: at.Column, Byte: at.Byte}
	end := hcl.Pos{Line: at.Line, Column: at.Column + 1, Byte: at.Byte + 1}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid character encoding",
		Detail:   "All input files must be UTF-8 encoded. Ensure that UTF-8 encoding is selected in your editor.",
		Subject:  &hcl.Range{Filename: filename, Start: start, End: end},
	}}
}
