package dropin

import (
	"fmt"
	"sort"
	"strings"
)

// The reference tools parse their command lines with Python's argparse. Scripts rely
// on its rules, so this parser follows them: long options take "--opt value" or
// "--opt=value" and may be abbreviated to a unique prefix; short options take
// "-k value" or "-kvalue"; positionals and options mix freely; "--" ends options.
// Error texts are argparse's, so a script that greps them keeps working.

type nargs int

const (
	nargsFlag     nargs = iota // store_true
	nargsOne                   // one value
	nargsOptional              // nargs='?': a value if one follows
	nargsMany                  // nargs='+': one or more values
	nargsAny                   // nargs='*'
)

// opt is one option of a (sub)command.
type opt struct {
	names   []string // as the reference declares them, e.g. "--keyfile", "-k"
	dest    string
	n       nargs
	choices []string
	req     bool
	// serial marks options that only affect a serial connection: accepted and
	// ignored with a note.
	serial bool
	// ignored marks options accepted for compatibility that change nothing here;
	// note is printed when one is given.
	note string
}

func (o *opt) display() string { return strings.Join(o.names, "/") }

// parser is one argparse parser: a program or a sub-command.
type parser struct {
	prog string
	opts []*opt
	// positional names, for the "required" message.
	positional []string
	// minPos is how many positionals are required.
	minPos int
}

func (p *parser) add(o *opt) *opt {
	if o.dest == "" {
		o.dest = strings.TrimLeft(o.names[0], "-")
		o.dest = strings.ReplaceAll(o.dest, "-", "_")
	}
	p.opts = append(p.opts, o)
	return o
}

// args is a parse result.
type args struct {
	vals  map[string][]string
	set   map[string]bool
	pos   []string
	notes []string
}

func (a *args) has(dest string) bool { return a.set[dest] }

func (a *args) str(dest, def string) string {
	if v := a.vals[dest]; len(v) > 0 {
		return v[len(v)-1]
	}
	return def
}

func (a *args) list(dest string) []string { return a.vals[dest] }

// usageErr is an argparse error: printed as "PROG: error: MSG" with exit code 2.
type usageErr struct {
	prog, msg string
}

func (e *usageErr) Error() string { return e.prog + ": error: " + e.msg }

// lookup finds the option an argument names: exact match, else (long options only)
// a unique prefix, as argparse's allow_abbrev does.
func (p *parser) lookup(name string) (*opt, error) {
	for _, o := range p.opts {
		for _, n := range o.names {
			if n == name {
				return o, nil
			}
		}
	}
	if !strings.HasPrefix(name, "--") {
		return nil, nil
	}
	var hits []string
	var hit *opt
	for _, o := range p.opts {
		for _, n := range o.names {
			if strings.HasPrefix(n, "--") && strings.HasPrefix(n, name) {
				hits = append(hits, n)
				hit = o
			}
		}
	}
	switch len(hits) {
	case 0:
		return nil, nil
	case 1:
		return hit, nil
	}
	return nil, &usageErr{p.prog, fmt.Sprintf("ambiguous option: %s could match %s", name, strings.Join(hits, ", "))}
}

// isOptionLike is argparse's test for "this argument starts an option" (negative
// numbers aside).
func isOptionLike(s string) bool {
	if len(s) < 2 || s[0] != '-' {
		return false
	}
	if s[1] >= '0' && s[1] <= '9' {
		return false
	}
	return true
}

func (p *parser) parse(argv []string) (*args, error) {
	res := &args{vals: map[string][]string{}, set: map[string]bool{}}
	var unknown []string
	for i := 0; i < len(argv); i++ {
		s := argv[i]
		if s == "--" {
			res.pos = append(res.pos, argv[i+1:]...)
			break
		}
		if !isOptionLike(s) {
			res.pos = append(res.pos, s)
			continue
		}
		name, val, hasVal := s, "", false
		if strings.HasPrefix(s, "--") {
			name, val, hasVal = strings.Cut(s, "=")
		}
		o, err := p.lookup(name)
		if err != nil {
			return nil, err
		}
		if o == nil && !strings.HasPrefix(s, "--") && len(s) > 2 {
			// -kVALUE: a short option with its value attached.
			if so, _ := p.lookup(s[:2]); so != nil && so.n != nargsFlag {
				o, val, hasVal = so, s[2:], true
			}
		}
		if o == nil {
			unknown = append(unknown, s)
			continue
		}
		res.set[o.dest] = true
		switch o.n {
		case nargsFlag:
			if hasVal {
				return nil, &usageErr{p.prog, fmt.Sprintf("argument %s: ignored explicit argument '%s'", o.display(), val)}
			}
			res.vals[o.dest] = append(res.vals[o.dest], "true")
		case nargsOne:
			if !hasVal {
				if i+1 >= len(argv) || isOptionLike(argv[i+1]) {
					return nil, &usageErr{p.prog, fmt.Sprintf("argument %s: expected one argument", o.display())}
				}
				i++
				val = argv[i]
			}
			res.vals[o.dest] = append(res.vals[o.dest], val)
		case nargsOptional:
			if !hasVal && i+1 < len(argv) && !isOptionLike(argv[i+1]) {
				i++
				val, hasVal = argv[i], true
			}
			if hasVal {
				res.vals[o.dest] = append(res.vals[o.dest], val)
			}
		case nargsMany, nargsAny:
			var vs []string
			if hasVal {
				vs = append(vs, val)
			} else {
				for i+1 < len(argv) && !isOptionLike(argv[i+1]) && argv[i+1] != "--" {
					i++
					vs = append(vs, argv[i])
				}
			}
			if len(vs) == 0 && o.n == nargsMany {
				return nil, &usageErr{p.prog, fmt.Sprintf("argument %s: expected at least one argument", o.display())}
			}
			// argparse keeps the last occurrence of a nargs='+' option.
			res.vals[o.dest] = vs
		}
		if o.choices != nil {
			for _, v := range res.vals[o.dest] {
				if !contains(o.choices, v) {
					q := make([]string, len(o.choices))
					for j, c := range o.choices {
						q[j] = "'" + c + "'"
					}
					return nil, &usageErr{p.prog, fmt.Sprintf("argument %s: invalid choice: '%s' (choose from %s)", o.display(), v, strings.Join(q, ", "))}
				}
			}
		}
		if o.serial {
			res.notes = append(res.notes, fmt.Sprintf("%s only affects a serial connection to a chip; ignored", name))
		} else if o.note != "" {
			res.notes = append(res.notes, fmt.Sprintf("%s %s", name, o.note))
		}
	}
	var missing []string
	for _, o := range p.opts {
		if o.req && !res.set[o.dest] {
			missing = append(missing, o.display())
		}
	}
	if len(res.pos) < p.minPos {
		missing = append(missing, p.positional[len(res.pos):p.minPos]...)
	}
	if len(missing) > 0 {
		// res goes back too: argparse opens FileType arguments while parsing, so a
		// missing input file is reported before a missing argument.
		return res, &usageErr{p.prog, "the following arguments are required: " + strings.Join(missing, ", ")}
	}
	if len(unknown) > 0 {
		return res, &usageErr{p.prog, "unrecognized arguments: " + strings.Join(unknown, " ")}
	}
	return res, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// usageLine is a short usage line for error output: the reference prints its full
// argparse usage; scripts read the error line after it, which is the reference's.
func (p *parser) usageLine() string {
	names := make([]string, 0, len(p.opts))
	for _, o := range p.opts {
		names = append(names, o.names[0])
	}
	sort.Strings(names)
	u := "usage: " + p.prog + " [-h]"
	for _, n := range names {
		u += " [" + n + "]"
	}
	for _, n := range p.positional {
		u += " " + n
	}
	return u
}

// help is the -h text: every option, the espcompose notes, and where espcompose
// differs from the reference.
func (p *parser) help(desc string) string {
	var b strings.Builder
	b.WriteString(p.usageLine())
	b.WriteString("\n\n")
	if desc != "" {
		b.WriteString(desc)
		b.WriteString("\n\n")
	}
	b.WriteString("options:\n  -h, --help\n")
	for _, o := range p.opts {
		line := "  " + strings.Join(o.names, ", ")
		if o.choices != nil {
			line += " {" + strings.Join(o.choices, ",") + "}"
		}
		switch {
		case o.serial:
			line += "  (serial connection only: accepted and ignored)"
		case o.note != "":
			line += "  (" + o.note + ")"
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}
