package dropin

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// sub is one sub-command of espsecure or esptool.
type sub struct {
	name    string // v4 spelling (underscores); the v5 spelling (hyphens) is an alias
	help    string
	p       *parser
	inFiles []string // option dests and positional names opened for reading at parse time
	// pre runs after parsing and before the banner: checks argparse makes while
	// parsing (its errors are usage errors).
	pre func(a *args, env *Env) error
	run func(a *args, env *Env) error
}

// multiTool is a program with sub-commands, printing a banner after parsing and
// "A fatal error occurred" on failure (espsecure, esptool).
type multiTool struct {
	prog, banner, desc string
	global             *parser // options before the sub-command (esptool)
	subs               []*sub
	// outOfScope are sub-commands that need a serial port: refused.
	outOfScope map[string]string
}

func (t *multiTool) find(name string) *sub {
	for _, s := range t.subs {
		if s.name == name || strings.ReplaceAll(s.name, "_", "-") == name {
			return s
		}
	}
	return nil
}

// addV5Aliases gives every option with an underscore its v5 spelling with hyphens.
func addV5Aliases(p *parser) {
	for _, o := range p.opts {
		for _, n := range o.names {
			if strings.HasPrefix(n, "--") && strings.Contains(n, "_") {
				alt := strings.ReplaceAll(n, "_", "-")
				if !contains(o.names, alt) {
					o.names = append(o.names, alt)
				}
			}
		}
	}
}

func (t *multiTool) usageError(env *Env, p *parser, err error) int {
	fmt.Fprintln(env.Stderr, p.usageLine())
	fmt.Fprintln(env.Stderr, err.Error())
	return 2
}

func (t *multiTool) helpText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: %s [-h] {", t.prog)
	names := make([]string, len(t.subs))
	for i, s := range t.subs {
		names[i] = s.name
	}
	b.WriteString(strings.Join(names, ","))
	b.WriteString("} ...\n\n")
	b.WriteString(t.desc + "\n\n")
	for _, s := range t.subs {
		fmt.Fprintf(&b, "  %-32s %s\n", s.name, s.help)
	}
	if len(t.outOfScope) > 0 {
		var oos []string
		for k := range t.outOfScope {
			oos = append(oos, k)
		}
		sort.Strings(oos)
		fmt.Fprintf(&b, "\nNot available in espcompose (they need a serial connection or are out of scope):\n  %s\n", strings.Join(oos, ", "))
	}
	return b.String()
}

func (t *multiTool) run(argv []string, env *Env) int {
	// Global options (esptool's --chip, --port, ...) come before the sub-command.
	var globals *args
	rest := argv
	if t.global != nil {
		i := 0
		var pre []string
		for i < len(argv) {
			a := argv[i]
			if !isOptionLike(a) {
				break
			}
			if a == "-h" || a == "--help" {
				fmt.Fprint(env.Stdout, t.helpText())
				return 0
			}
			pre = append(pre, a)
			name, _, hasVal := strings.Cut(a, "=")
			o, _ := t.global.lookup(name)
			if o != nil && o.n != nargsFlag && !hasVal && i+1 < len(argv) {
				if o.n != nargsOptional || !isOptionLike(argv[i+1]) {
					i++
					pre = append(pre, argv[i])
				}
			}
			i++
		}
		g, err := t.global.parse(pre)
		if err != nil {
			return t.usageError(env, t.global, err)
		}
		if len(g.pos) > 0 {
			return t.usageError(env, t.global, &usageErr{t.prog, "unrecognized arguments: " + strings.Join(g.pos, " ")})
		}
		globals = g
		rest = argv[i:]
	}
	if len(rest) == 0 || rest[0] == "-h" || rest[0] == "--help" {
		if len(rest) == 0 {
			// No operation: the reference prints its banner, then its help, exit 1.
			fmt.Fprint(env.Stdout, t.banner+t.helpText())
			return 1
		}
		fmt.Fprint(env.Stdout, t.helpText())
		return 0
	}
	name := rest[0]
	if why, ok := t.outOfScope[strings.ReplaceAll(name, "-", "_")]; ok {
		fmt.Fprintf(env.Stderr, "espcompose %s: %s is out of scope: %s. Use Espressif's %s.py for it.\n", t.prog, name, why, t.prog)
		return 2
	}
	s := t.find(name)
	if s == nil {
		var choices []string
		for _, x := range t.subs {
			choices = append(choices, "'"+x.name+"'")
		}
		return t.usageError(env, &parser{prog: t.prog}, &usageErr{t.prog, fmt.Sprintf("argument operation: invalid choice: '%s' (choose from %s)", name, strings.Join(choices, ", "))})
	}
	if wantsHelp(rest[1:]) {
		fmt.Fprint(env.Stdout, s.p.help(s.help))
		return 0
	}
	a, err := s.p.parse(rest[1:])
	if err != nil {
		if a != nil {
			if ferr := t.checkInputs(env, s, a); ferr != nil {
				return t.usageError(env, s.p, ferr)
			}
		}
		return t.usageError(env, s.p, err)
	}
	if globals != nil {
		for k, v := range globals.vals {
			a.vals[k], a.set[k] = v, true
		}
		a.notes = append(globals.notes, a.notes...)
	}
	if ferr := t.checkInputs(env, s, a); ferr != nil {
		return t.usageError(env, s.p, ferr)
	}
	if s.pre != nil {
		if err := s.pre(a, env); err != nil {
			var ue *usageErr
			if errors.As(err, &ue) {
				return t.usageError(env, s.p, err)
			}
			return reportRunError(env, err)
		}
	}
	fmt.Fprint(env.Stdout, t.banner)
	printNotes(env, t.prog, a.notes)
	if err := s.run(a, env); err != nil {
		return reportRunError(env, err)
	}
	return 0
}

// fileArgs returns the paths an option or positional names.
func (a *args) fileArgs(p *parser, dest string) []string {
	for i, n := range p.positional {
		if n == dest && i < len(a.pos) {
			return a.pos[i : i+1]
		}
	}
	return a.vals[dest]
}

func argDisplay(p *parser, dest string) string {
	for _, o := range p.opts {
		if o.dest == dest {
			return o.display()
		}
	}
	return dest
}

func unwrapPathErr(err error) error {
	var u interface{ Unwrap() error }
	if errors.As(err, &u) {
		if inner := u.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
}

// reportRunError prints a failure the way esptool and espsecure do.
func reportRunError(env *Env, err error) int {
	var ee *exitErr
	if errors.As(err, &ee) {
		return ee.code
	}
	var f *fatal
	if errors.As(err, &f) {
		fmt.Fprintf(env.Stdout, "\nA fatal error occurred: %s\n", f.msg)
		return 2
	}
	var fe *fileErr
	if errors.As(err, &fe) {
		fmt.Fprintf(env.Stdout, "\nA fatal error occurred: %s\n", fe.Error())
		return 2
	}
	// Output refused by espcompose's guard, or a write that failed.
	fmt.Fprintf(env.Stderr, "espcompose: %v\n", err)
	return 2
}

// checkInputs: argparse.FileType opens inputs while parsing, so a missing one is a
// usage error before anything is printed.
func (t *multiTool) checkInputs(env *Env, s *sub, a *args) error {
	for _, dest := range s.inFiles {
		for _, p := range a.fileArgs(s.p, dest) {
			if _, err := env.FS.Stat(env.path(p)); err != nil {
				return &usageErr{s.p.prog, fmt.Sprintf("argument %s: can't open '%s': %v", argDisplay(s.p, dest), p, (&fileErr{path: p, err: unwrapPathErr(err)}).Error())}
			}
		}
	}
	return nil
}
