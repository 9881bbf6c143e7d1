package dropin

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/espcompose/espcompose/importer/mfg"
)

// mfg_gen.py (ESP-IDF tools/mass_mfg): one NVS image per row of a values CSV, from a
// config CSV naming the keys, types and encodings. Each row becomes
// OUTDIR/csv/PREFIX-ID.csv (nvs_partition_gen's CSV, written as Python's csv module
// writes it) and OUTDIR/bin/PREFIX-ID.bin. Unlike the reference, no *_tmp.csv or
// *_created.csv files are left beside the inputs.

func mfgParsers() map[string]*parser {
	gen := &parser{prog: "mfg_gen.py generate", positional: []string{"conf", "values", "prefix", "size"}, minPos: 4}
	gen.add(&opt{names: []string{"--prefix_num"}, n: nargsMany})
	gen.add(&opt{names: []string{"--fileid"}, n: nargsOne})
	gen.add(&opt{names: []string{"--version"}, n: nargsOne, choices: []string{"1", "2"}})
	gen.add(&opt{names: []string{"--keygen"}, n: nargsFlag})
	gen.add(&opt{names: []string{"--keyfile"}, n: nargsOne})
	gen.add(&opt{names: []string{"--inputkey"}, n: nargsOne})
	gen.add(&opt{names: []string{"--outdir"}, n: nargsOne})
	gen.add(&opt{names: []string{"--key_protect_hmac"}, n: nargsFlag})
	gen.add(&opt{names: []string{"--kp_hmac_keygen"}, n: nargsFlag})
	gen.add(&opt{names: []string{"--kp_hmac_keyfile"}, n: nargsOne})
	gen.add(&opt{names: []string{"--kp_hmac_inputkey"}, n: nargsOne})
	gen.add(&opt{names: []string{"--input"}, n: nargsOne})
	gen.add(&opt{names: []string{"--output"}, n: nargsOne})
	gk := &parser{prog: "mfg_gen.py generate-key"}
	gk.add(&opt{names: []string{"--keyfile"}, n: nargsOne})
	gk.add(&opt{names: []string{"--outdir"}, n: nargsOne})
	gk.add(&opt{names: []string{"--key_protect_hmac"}, n: nargsFlag})
	gk.add(&opt{names: []string{"--kp_hmac_keygen"}, n: nargsFlag})
	gk.add(&opt{names: []string{"--kp_hmac_keyfile"}, n: nargsOne})
	gk.add(&opt{names: []string{"--kp_hmac_inputkey"}, n: nargsOne})
	return map[string]*parser{"generate": gen, "generate-key": gk}
}

func runMfgGen(argv []string, env *Env) int {
	ps := mfgParsers()
	if len(argv) == 0 || argv[0] == "-h" || argv[0] == "--help" {
		fmt.Fprint(env.Stdout, "usage: mfg_gen.py [-h] {generate,generate-key} ...\n\nESP Manufacturing Utility (espcompose drop-in). Output is deterministic;\ngenerated keys (--keygen, generate-key) are random, as they must be.\n")
		return 0
	}
	p, ok := ps[argv[0]]
	if !ok {
		fmt.Fprintln(env.Stderr, "usage: mfg_gen.py [-h] {generate,generate-key} ...")
		fmt.Fprintf(env.Stderr, "mfg_gen.py: error: argument command: invalid choice: '%s' (choose from 'generate', 'generate-key')\n", argv[0])
		return 2
	}
	if wantsHelp(argv[1:]) {
		fmt.Fprint(env.Stdout, p.help(""))
		return 0
	}
	a, err := p.parse(argv[1:])
	if err == nil && a.has("prefix_num") && len(a.list("prefix_num")) != 2 {
		err = &usageErr{p.prog, "argument --prefix_num: expected 2 arguments"}
	}
	if err != nil {
		fmt.Fprintln(env.Stderr, p.usageLine())
		fmt.Fprintln(env.Stderr, err.Error())
		return 2
	}
	g := &nvsGen{a: a, env: env, outdir: a.str("outdir", env.Dir)}
	if argv[0] == "generate-key" {
		_, err = g.generateKey()
	} else {
		err = mfgGenerate(g)
	}
	if err != nil {
		var ee *exitErr
		if errors.As(err, &ee) {
			return ee.code
		}
		var se *sysExit
		if errors.As(err, &se) {
			// raise SystemExit("message"): the message on stderr, status 1.
			fmt.Fprintln(env.Stderr, se.msg)
			return 1
		}
		// mfg_gen's main() prints any other exception and exits 0.
		env.printf("%s\n", err)
		return 0
	}
	return 0
}

// sysExit is Python's SystemExit("message").
type sysExit struct{ msg string }

func (s *sysExit) Error() string { return s.msg }

func mfgGenerate(g *nvsGen) error {
	a, env := g.a, g.env
	confPath, valuesPath, prefix, size := a.pos[0], a.pos[1], a.pos[2], a.pos[3]
	if filepath.Ext(confPath) != ".csv" {
		return &sysExit{fmt.Sprintf("Error: config file: %s does not have the .csv extension.", confPath)}
	}
	if filepath.Ext(valuesPath) != ".csv" {
		return &sysExit{fmt.Sprintf("Error: values file: %s does not have the .csv extension.", valuesPath)}
	}
	confRaw, err := env.read(confPath)
	if err != nil {
		return err
	}
	valRaw, err := env.read(valuesPath)
	if err != nil {
		return err
	}
	conf, err := mfg.ReadRows(confRaw)
	if err != nil {
		return fmt.Errorf("%s: %v", confPath, err)
	}
	values, err := mfg.ReadRows(valRaw)
	if err != nil {
		return fmt.Errorf("%s: %v", valuesPath, err)
	}
	fileid := a.str("fileid", "")
	batch, err := mfg.Check(conf, values, fileid)
	if err != nil {
		return mfgCheckError(err, confPath, valuesPath, env)
	}
	encrypt := a.has("keygen") || a.has("inputkey")
	if encrypt {
		env.printf("\nGenerating encrypted NVS binary images...\n")
	}
	naming := mfg.Naming{Prefix: prefix, FileID: fileid}
	if pn := a.list("prefix_num"); len(pn) == 2 {
		naming.PrefixNum = true
		if naming.PrefixStart, err = strconv.Atoi(pn[0]); err != nil {
			return &usageErr{"mfg_gen.py generate", fmt.Sprintf("argument --prefix_num: invalid int value: '%s'", pn[0])}
		}
		if naming.PrefixDigits, err = strconv.Atoi(pn[1]); err != nil {
			return &usageErr{"mfg_gen.py generate", fmt.Sprintf("argument --prefix_num: invalid int value: '%s'", pn[1])}
		}
	}
	csvDir, binDir := g.target(g.outdir, "csv"), g.target(g.outdir, "bin")
	for _, dev := range batch.Devices(naming) {
		stem := dev.Stem
		csvOut := csvDir + "/" + stem + ".csv"
		if _, err := env.FS.Stat(env.path(csvOut)); err == nil {
			return &sysExit{fmt.Sprintf("Target csv file: %s already exists.`", csvOut)}
		}
		if dev.Err != nil {
			return dev.Err
		}
		if err := env.Write(env.path(csvOut), dev.CSV(), 0o644, false); err != nil {
			return err
		}
		env.printf("\nCreated CSV file: ===> %s\n", csvOut)
		binOut := binDir + "/" + stem + ".bin"
		if _, err := env.FS.Stat(env.path(binOut)); err == nil {
			return &sysExit{fmt.Sprintf("Target binary file: %s already exists.`", binOut)}
		}
		sub := &args{vals: map[string][]string{}, set: map[string]bool{}}
		for k, v := range a.vals {
			sub.vals[k], sub.set[k] = v, true
		}
		if a.has("keygen") {
			sub.vals["keyfile"], sub.set["keyfile"] = []string{"keys-" + stem}, true
		}
		sub.pos = []string{csvOut, filepath.Join("bin", stem+".bin"), size}
		row := &nvsGen{a: sub, env: env, outdir: g.outdir}
		if encrypt {
			err = row.encrypt()
		} else {
			err = row.generate(nil)
		}
		if err != nil {
			var ee *exitErr
			if errors.As(err, &ee) {
				return err
			}
			return &sysExit{err.Error()}
		}
	}
	env.printf("\nFiles generated in %s ...\n", g.outdir)
	return nil
}

// mfgCheckError words a failed input check as the reference does.
func mfgCheckError(err error, confPath, valuesPath string, env *Env) error {
	var me *mfg.Error
	if !errors.As(err, &me) {
		return err
	}
	switch me.Kind {
	case mfg.ConfigEmpty:
		return &sysExit{fmt.Sprintf("Error: config file: %s is empty.", confPath)}
	case mfg.ValuesEmpty:
		return &sysExit{fmt.Sprintf("Error: values file: %s is empty.", valuesPath)}
	case mfg.FileIDMissing:
		return &sysExit{fmt.Sprintf("Error: target_file_identifier: %s does not exist in values file.\n", me.Key)}
	case mfg.MissingData:
		return &sysExit{fmt.Sprintf("Error: data missing in config file at line no:%d <format needed:key,type,encoding>\n", me.Index)}
	case mfg.BadType:
		return &sysExit{fmt.Sprintf("Error: config file: %s has invalid datatype at line no:%d\n`", confPath, me.Index)}
	case mfg.BadEncoding:
		return &sysExit{fmt.Sprintf("Error: config file: %s has invalid encoding at line no:%d\n`", confPath, me.Index)}
	case mfg.KeysMissing:
		for _, m := range me.Missing {
			env.printf("Key:` %s ` at line no: %d  in config file is not found in values file.\n", m.Key, m.Index)
		}
		return &exitErr{1}
	case mfg.ValueCount:
		return &sysExit{fmt.Sprintf("\nError: Number of values is not equal to number of keys in file: %s at line No:%d\n", valuesPath, me.Index)}
	}
	return err
}
