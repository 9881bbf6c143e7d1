package diff

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// efusePlanFile is the reviewed eFuse plan a build writes when security is on.
const efusePlanFile = "efuse-plan.md"

// parseEfusePlan reads the steps of efuse-plan.md ("### N. Title" and the fenced
// commands under it) and the Secure Boot V2 digests of its review list.
func parseEfusePlan(md string) (steps []EfuseStep, digests []string) {
	lines := strings.Split(md, "\n")
	inDigests := false
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "### "):
			title := strings.TrimPrefix(l, "### ")
			if _, rest, ok := strings.Cut(title, ". "); ok {
				title = rest
			}
			var cmds []string
			// The commands are the first fenced block of the step.
			for i+1 < len(lines) && !strings.HasPrefix(lines[i+1], "#") {
				i++
				if fence := fenceOf(lines[i]); fence != "" {
					for i+1 < len(lines) && strings.TrimSpace(lines[i+1]) != fence {
						i++
						cmds = append(cmds, lines[i])
					}
					i++
					break
				}
			}
			steps = append(steps, EfuseStep{Title: title, Commands: strings.Join(cmds, "\n")})
			inDigests = false
		case strings.HasPrefix(l, "## "):
			inDigests = strings.HasPrefix(l, "## Public-key digests")
		case inDigests && strings.HasPrefix(l, "- key "):
			if m := digestLine().FindStringSubmatch(l); m != nil {
				slot, _ := strconv.Atoi(m[1])
				for len(digests) <= slot {
					digests = append(digests, "")
				}
				digests[slot] = m[2]
			}
		}
	}
	return steps, digests
}

// digestLine is "- key N (`$DIST/...`): `hex`" as outputs.EfusePlan writes it.
var digestLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("^- key ([0-9]+) .*: `([0-9a-f]+)`$") })

// fenceOf returns the closing fence of a line opening a fenced block, else "".
func fenceOf(l string) string {
	n := len(l) - len(strings.TrimLeft(l, "`"))
	if n < 3 {
		return ""
	}
	return l[:n]
}

// burnKey is one "efuse burn_key BLOCK FILE [PURPOSE]" command: the key file as
// written (unquoted) and the purpose, if any.
type burnKey struct {
	block, file, purpose string
}

// burnKeys lists the burn_key commands of a plan's steps.
func burnKeys(steps []EfuseStep) []burnKey {
	var out []burnKey
	for _, s := range steps {
		for _, c := range strings.Split(s.Commands, "\n") {
			w := shellWords(c)
			if len(w) >= 4 && w[0] == "efuse" && w[1] == "burn_key" {
				k := burnKey{block: w[2], file: w[3]}
				if len(w) > 4 {
					k.purpose = w[4]
				}
				out = append(out, k)
			}
		}
	}
	return out
}

// efuseValue is the value a plan burns into a named eFuse ("" when none).
func efuseValue(steps []EfuseStep, name string) string {
	for _, s := range steps {
		for _, c := range strings.Split(s.Commands, "\n") {
			w := shellWords(c)
			if len(w) < 2 || w[0] != "efuse" || w[1] != "burn_efuse" {
				continue
			}
			for i := 2; i+1 < len(w); i += 2 {
				if w[i] == name {
					return w[i+1]
				}
			}
		}
	}
	return ""
}

// shellWords splits a POSIX shell command line of the plan into words: single quotes
// keep text literally (the plan quotes every path that way), double quotes and
// $DIST are kept as written.
func shellWords(s string) []string {
	var words []string
	var cur strings.Builder
	in := false
	quoteSingle, quoteDouble := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quoteSingle:
			if c == '\'' {
				quoteSingle = false
			} else {
				cur.WriteByte(c)
			}
		case quoteDouble:
			if c == '"' {
				quoteDouble = false
			} else {
				cur.WriteByte(c)
			}
		case c == '\'':
			quoteSingle, in = true, true
		case c == '"':
			quoteDouble, in = true, true
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			in = true
		case c == ' ' || c == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}
