package verify

import "strings"

// urlAttrNames are the attributes through which a page loads something.
var urlAttrNames = []string{"src", "href", "srcset", "action", "poster"}

type attr struct{ name, value string }

// urlAttrs finds every src, href, srcset, action and poster attribute of page: the
// name (in any ASCII case, as HTML compares attribute names) after white space, then optional white space, '=', optional
// white space, an optional quote and the value up to a quote, space or '>'; what
// the regular expression `(?i)\s(src|href|srcset|action|poster)\s*=\s*["']?([^"' >]*)`
// matches (but for the Unicode folds (?i) adds, ſ for s and K for k, which are
// no HTML attribute name), in one pass over the page instead of a regexp machine's:
// that machine was a fifth of a cold build's read-back.
func urlAttrs(page string) []attr {
	lower := asciiLower(page) // byte for byte: the offsets are those of page
	var out []attr
	for i := 1; i < len(page); i++ {
		if !isSpace(page[i-1]) {
			continue
		}
		for _, name := range urlAttrNames {
			if !strings.HasPrefix(lower[i:], name) {
				continue
			}
			j := skipSpace(page, i+len(name))
			if j >= len(page) || page[j] != '=' {
				continue
			}
			j = skipSpace(page, j+1)
			if j < len(page) && (page[j] == '"' || page[j] == '\'') {
				j++
			}
			k := j
			for k < len(page) && page[k] != '"' && page[k] != '\'' && page[k] != ' ' && page[k] != '>' {
				k++
			}
			out = append(out, attr{page[i : i+len(name)], page[j:k]})
			i = k - 1 // matches do not overlap
			break
		}
	}
	return out
}

// isSpace is RE2's \s: tab, newline, form feed, carriage return, space.
func isSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\f' || b == '\r'
}

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// asciiLower lowers ASCII letters only, keeping every byte where it is.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
