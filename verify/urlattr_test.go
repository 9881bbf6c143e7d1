package verify

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// The scanner finds what the regular expression it replaced finds.
var urlAttrRE = regexp.MustCompile(`(?i)\s(src|href|srcset|action|poster)\s*=\s*["']?([^"' >]*)`)

func reAttrs(page string) []attr {
	var out []attr
	for _, m := range urlAttrRE.FindAllStringSubmatch(page, -1) {
		out = append(out, attr{m[1], m[2]})
	}
	return out
}

func sameAttrs(a, b []attr) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestURLAttrsMatchesRegexp(t *testing.T) {
	pages := []string{
		`<a href="#top">x</a> <img SRC='http://x/y.png'> <form action = /post>`,
		`<video poster=a.jpg srcset="a 1x, b 2x"><a\thref="#r"></a>`,
		`<p>hrefs are words; src=nothing at start</p><a class=x href>`,
		"<a\nHREF\n=\n\"\">", `<img src="ünïcode.png"> <a href="#ÄÖ">`,
		`<a data-href="x">`, `srcset=x`,
	}
	// Random pages from the pieces the patterns care about.
	pieces := []string{" ", "\t", "\n", "=", `"`, "'", ">", "<a", "href", "HREF", "src", "srcset", "action", "poster", "#", "x", "é", "/y"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		var b strings.Builder
		for range 1 + r.IntN(20) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		pages = append(pages, b.String())
	}
	for _, p := range pages {
		if got, want := urlAttrs(p), reAttrs(p); !sameAttrs(got, want) {
			t.Fatalf("%q: %v, the regexp finds %v", p, got, want)
		}
	}
}
