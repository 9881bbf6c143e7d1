package dropin

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/espcompose/espcompose/format/parttable"
)

// gen_esp32part.py, as ESP-IDF's build calls it (argparse version, __version__ 1.5).
// Status lines and errors go to stderr, bare; an input error exits 2.

func genPartParser() *parser {
	p := &parser{prog: "gen_esp32part.py", positional: []string{"input", "output"}}
	p.add(&opt{names: []string{"--flash-size"}, n: nargsOptional, choices: []string{"1MB", "2MB", "4MB", "8MB", "16MB", "32MB", "64MB", "128MB"}})
	p.add(&opt{names: []string{"--disable-md5sum"}, n: nargsFlag})
	p.add(&opt{names: []string{"--no-verify"}, n: nargsFlag})
	p.add(&opt{names: []string{"--verify", "-v"}, n: nargsFlag})
	p.add(&opt{names: []string{"--quiet", "-q"}, n: nargsFlag})
	p.add(&opt{names: []string{"--offset", "-o"}, n: nargsOne})
	p.add(&opt{names: []string{"--primary-bootloader-offset"}, n: nargsOne})
	p.add(&opt{names: []string{"--recovery-bootloader-offset"}, n: nargsOne})
	p.add(&opt{names: []string{"--secure"}, n: nargsOptional, choices: []string{"v1", "v2"}})
	p.add(&opt{names: []string{"--extra-partition-subtypes"}, n: nargsAny})
	return p
}

func runGenPart(argv []string, env *Env) int {
	p := genPartParser()
	if wantsHelp(argv) {
		fmt.Fprint(env.Stdout, p.help("ESP32 partition table utility (espcompose drop-in). Output is deterministic."))
		return 0
	}
	a, err := p.parse(argv)
	if err == nil {
		// --extra-partition-subtypes takes several values and, as ESP-IDF's current
		// gen_esp32part reads it, gives back the input and output names written
		// after them.
		ex := a.vals["extra_partition_subtypes"]
		for len(a.pos) < 2 && len(ex) > 1 {
			a.pos = append([]string{ex[len(ex)-1]}, a.pos...)
			ex = ex[:len(ex)-1]
		}
		a.vals["extra_partition_subtypes"] = ex
		if len(a.pos) == 0 {
			err = &usageErr{p.prog, "the following arguments are required: input"}
		}
	}
	if err == nil && len(a.pos) > 2 {
		err = &usageErr{p.prog, "unrecognized arguments: " + strings.Join(a.pos[2:], " ")}
	}
	if err != nil {
		fmt.Fprintln(env.Stderr, p.usageLine())
		fmt.Fprintln(env.Stderr, err.Error())
		return 2
	}
	in, out := a.pos[0], "-"
	if len(a.pos) > 1 {
		out = a.pos[1]
	}
	src, err := env.read(in)
	if err != nil {
		fmt.Fprintln(env.Stderr, p.usageLine())
		fmt.Fprintf(env.Stderr, "%s: error: argument input: can't open '%s': %v\n", p.prog, in, err)
		return 2
	}
	if err := genPart(a, env, src, in, out); err != nil {
		var ee *exitErr
		if errors.As(err, &ee) {
			return ee.code
		}
		fmt.Fprintln(env.Stderr, err.Error())
		return 2
	}
	return 0
}

func genPart(a *args, env *Env, src []byte, in, out string) error {
	quiet := a.has("quiet")
	status := func(s string) {
		if !quiet {
			fmt.Fprintln(env.Stderr, s)
		}
	}
	opts := parttable.Options{DisableMD5: a.has("disable_md5sum"), LookupEnv: env.Getenv}
	off, err := strconv.ParseUint(a.str("offset", "0x8000"), 0, 32)
	if err != nil {
		return fmt.Errorf("invalid literal for int() with base 0: '%s'", a.str("offset", ""))
	}
	opts.Offset, opts.ExplicitOffset = uint32(off), true
	if s := a.str("primary_bootloader_offset", ""); s != "" {
		v, err := strconv.ParseUint(s, 0, 32)
		if err != nil {
			return fmt.Errorf("invalid literal for int() with base 0: '%s'", s)
		}
		if v >= off {
			return fmt.Errorf("Unsupported configuration. Primary bootloader must be below partition table. Check --primary-bootloader-offset=%#x and --offset=%#x", v, off)
		}
		u := uint32(v)
		opts.PrimaryBootloaderOffset = &u
	}
	if s := a.str("recovery_bootloader_offset", ""); s != "" {
		v, err := strconv.ParseUint(s, 0, 32)
		if err != nil {
			return fmt.Errorf("invalid literal for int() with base 0: '%s'", s)
		}
		u := uint32(v)
		opts.RecoveryBootloaderOffset = &u
	}
	if a.has("secure") {
		opts.SecureBoot = 1 // --secure alone means v1
		if a.str("secure", "v1") == "v2" {
			opts.SecureBoot = 2
		}
	}
	for _, e := range a.list("extra_partition_subtypes") {
		st, err := parttable.ParseExtraSubtype(e)
		if err != nil {
			return fmt.Errorf("Error parsing custom subtypes: %v", bareMsg(err))
		}
		opts.ExtraSubtypes = append(opts.ExtraSubtypes, st)
	}
	var t *parttable.Table
	binary := parttable.IsBinary(src)
	if binary {
		status("Parsing binary partition input...")
		if t, err = parttable.Decode(src); err != nil {
			return errors.New(bareMsg(err))
		}
	} else {
		status("Parsing CSV input...")
		if t, err = parttable.ParseCSV(bytes.NewReader(src), in, opts); err != nil {
			var pe *parttable.Error
			if errors.As(err, &pe) && pe.Line > 0 && !strings.HasPrefix(pe.Msg, "CSV Error") {
				// A line the tool could not read: PartitionTable.from_csv words it so.
				return fmt.Errorf("Error at line %d: %s\nPlease check extra_partition_subtypes.inc file in build/config directory", pe.Line, pe.Msg)
			}
			return errors.New(bareMsg(err))
		}
	}
	verify := !a.has("no_verify")
	if verify {
		status("Verifying table...")
		for _, w := range t.Warnings(opts) {
			fmt.Fprintln(env.Stderr, w)
		}
	}
	flash := opts.FlashSize
	opts.FlashSize = 0
	if verify {
		if binary {
			err = t.ValidateBinary(opts)
		} else {
			err = t.Validate(opts)
		}
		if err != nil {
			criticalLines(env, t, opts, err)
			return errors.New(bareMsg(err))
		}
	}
	if fs := a.str("flash_size", ""); fs != "" {
		mb, _ := strconv.Atoi(strings.TrimSuffix(fs, "MB"))
		flash = uint32(mb) << 20
		opts.FlashSize = flash
		if err := t.Validate(opts); err != nil {
			return errors.New(bareMsg(err))
		}
	}
	var res []byte
	if binary {
		var b bytes.Buffer
		if err := t.WriteCSV(&b, opts); err != nil {
			return errors.New(bareMsg(err))
		}
		res = b.Bytes()
	} else if res, err = parttable.Encode(t, opts); err != nil {
		return errors.New(bareMsg(err))
	}
	if out == "-" {
		_, err := env.Stdout.Write(res)
		return err
	}
	if err := env.write(out, res, 0o644); err != nil {
		fmt.Fprintf(env.Stderr, "espcompose: %v\n", err)
		return &exitErr{2}
	}
	return nil
}

// criticalLines prints the partitions gen_esp32part lists before some verify errors:
// every partition of a duplicated name (sorted by name), or the otadata partitions.
func criticalLines(env *Env, t *parttable.Table, opts parttable.Options, err error) {
	var pe *parttable.Error
	if !errors.As(err, &pe) {
		return
	}
	var show []parttable.Entry
	switch {
	case errors.Is(err, parttable.ErrDuplicateName):
		count := map[string]int{}
		for _, e := range t.Entries {
			count[e.Name]++
		}
		for _, e := range t.Entries {
			if count[e.Name] > 1 {
				show = append(show, e)
			}
		}
		sort.SliceStable(show, func(i, j int) bool { return show[i].Name < show[j].Name })
		fmt.Fprintln(env.Stderr, "A list of partitions that have the same name:")
	case strings.Contains(pe.Msg, "otadata partition"):
		sub := "ota"
		if strings.Contains(pe.Msg, "TEE") {
			sub = "tee_ota"
		}
		st, _ := parttable.SubtypeByName(parttable.TypeData, sub, opts.ExtraSubtypes)
		for _, e := range t.Entries {
			if e.Type == parttable.TypeData && e.Subtype == st {
				show = append(show, e)
			}
		}
	}
	for _, e := range show {
		one := parttable.Table{Entries: []parttable.Entry{e}}
		var b bytes.Buffer
		if one.WriteCSV(&b, opts) == nil {
			lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
			fmt.Fprintln(env.Stderr, lines[len(lines)-1])
		}
	}
}

// bareMsg is the reference's wording of a codec error, without espcompose's
// FILE:LINE prefix: gen_esp32part prints the bare message.
func bareMsg(err error) string {
	var pe *parttable.Error
	if errors.As(err, &pe) && pe.Msg != "" {
		if errors.Is(err, parttable.ErrDuplicateName) {
			return "Partition names must be unique" // the names were listed above
		}
		return pe.Msg
	}
	return err.Error()
}
