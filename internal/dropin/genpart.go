package dropin

import (
	"bytes"
	"errors"
	"fmt"
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

// bareMsg is the reference's wording of a codec error, without espcompose's
// FILE:LINE prefix: gen_esp32part prints the bare message.
func bareMsg(err error) string {
	var pe *parttable.Error
	if errors.As(err, &pe) && pe.Msg != "" {
		return pe.Msg
	}
	return err.Error()
}
