package hclfmt

import (
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// CheckUTF8 reports the first byte of src that is not UTF-8, as HCL's own "Invalid
// character encoding" error. HCL requires UTF-8 but its scanner reports a bad byte
// only inside a quoted string: elsewhere it can end up inside a token (A=\xe80 parses
// as an attribute), which hclwrite then lays out differently on a second pass, and
// which a manifest should never carry silently.
func CheckUTF8(src []byte, filename string) hcl.Diagnostics {
	if utf8.Valid(src) {
		return nil
	}
	pos := hcl.InitialPos
	for i := 0; i < len(src); {
		r, n := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && n <= 1 {
			end := pos
			end.Byte++
			end.Column++
			return hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Invalid character encoding",
				Detail:   "All input files must be UTF-8 encoded. Ensure that UTF-8 encoding is selected in your editor.",
				Subject:  &hcl.Range{Filename: filename, Start: pos, End: end},
			}}
		}
		pos.Byte += n
		if r == '\n' {
			pos.Line++
			pos.Column = 1
		} else {
			pos.Column++
		}
		i += n
	}
	return nil
}
