package dropin

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
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

// readCSVRows reads a CSV as Python's csv.reader does (ragged rows, lenient quotes),
// dropping whitespace-only lines first as mfg_gen's strip_blank_lines does.
func readCSVRows(b []byte) ([][]string, error) {
	var kept []string
	for _, line := range strings.SplitAfter(string(b), "\n") {
		if strings.TrimSpace(line) != "" {
			kept = append(kept, line)
		}
	}
	r := csv.NewReader(strings.NewReader(strings.Join(kept, "")))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var rows [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		rows = append(rows, rec)
	}
}

// pyCSVRow writes one row as Python's csv.writer does: minimal quoting, \r\n.
func pyCSVRow(w *bytes.Buffer, row []string) {
	for i, f := range row {
		if i > 0 {
			w.WriteByte(',')
		}
		if strings.ContainsAny(f, ",\"\r\n") {
			w.WriteByte('"')
			w.WriteString(strings.ReplaceAll(f, `"`, `""`))
			w.WriteByte('"')
		} else {
			w.WriteString(f)
		}
	}
	w.WriteString("\r\n")
}

func inRow(row []string, s string) bool { return contains(row, s) }

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
	conf, err := readCSVRows(confRaw)
	if err != nil {
		return fmt.Errorf("%s: %v", confPath, err)
	}
	values, err := readCSVRows(valRaw)
	if err != nil {
		return fmt.Errorf("%s: %v", valuesPath, err)
	}
	if len(conf) == 0 {
		return &sysExit{fmt.Sprintf("Error: config file: %s is empty.", confPath)}
	}
	if len(values) == 0 {
		return &sysExit{fmt.Sprintf("Error: values file: %s is empty.", valuesPath)}
	}
	var confKeys, repeat []string
	for _, row := range conf {
		if !inRow(row, "namespace") {
			confKeys = append(confKeys, row[0])
		}
		if inRow(row, "REPEAT") {
			repeat = append(repeat, row[0])
		}
	}
	valueKeys := values[0]
	fileid := a.str("fileid", "")
	if fileid != "" && !contains(valueKeys, fileid) {
		return &sysExit{fmt.Sprintf("Error: target_file_identifier: %s does not exist in values file.\n", fileid)}
	}
	// verify_file_data_count, verify_datatype_encoding
	encodings := []string{"string", "binary", "hex2bin", "u8", "i8", "u16", "u32", "i32", "u64", "i64", "base64"}
	for i, row := range conf {
		if len(row) != 3 && !contains(repeat, row[0]) {
			return &sysExit{fmt.Sprintf("Error: data missing in config file at line no:%d <format needed:key,type,encoding>\n", i+1)}
		}
	}
	for i, row := range conf {
		if len(row) < 2 || !contains([]string{"file", "data", "namespace"}, row[1]) {
			return &sysExit{fmt.Sprintf("Error: config file: %s has invalid datatype at line no:%d\n`", confPath, i+1)}
		}
		if !inRow(row, "namespace") && (len(row) < 3 || !contains(encodings, row[2])) {
			return &sysExit{fmt.Sprintf("Error: config file: %s has invalid encoding at line no:%d\n`", confPath, i+1)}
		}
	}
	// verify_keys_exist: the config's keys appear in the values header in order.
	var present []string
	for _, k := range valueKeys {
		if contains(confKeys, k) {
			present = append(present, k)
		}
	}
	var missing bool
	for i, row := range conf {
		if inRow(row, "namespace") {
			continue
		}
		if len(present) > 0 && row[0] == present[0] {
			present = present[1:]
			continue
		}
		env.printf("Key:` %s ` at line no: %d  in config file is not found in values file.\n", row[0], i+1)
		missing = true
	}
	if missing {
		return &exitErr{1}
	}
	for i, row := range values[1:] {
		if len(row) != len(valueKeys) {
			return &sysExit{fmt.Sprintf("\nError: Number of values is not equal to number of keys in file: %s at line No:%d\n", valuesPath, i+2)}
		}
	}
	encrypt := a.has("keygen") || a.has("inputkey")
	if encrypt {
		env.printf("\nGenerating encrypted NVS binary images...\n")
	}
	// Group the config rows per namespace, without their REPEAT marker.
	var confRows [][]string
	for _, row := range conf {
		r := append([]string{}, row...)
		if i := indexOf(r, "REPEAT"); i >= 0 {
			r = append(r[:i], r[i+1:]...)
		}
		confRows = append(confRows, r)
	}
	// REPEAT keys take the first row's value in every row.
	rows := values[1:]
	if len(repeat) > 0 && len(rows) > 1 {
		first := rows[0]
		for _, row := range rows[1:] {
			rep := append([]string{}, repeat...)
			for i := 0; i < len(row) && len(rep) > 0; i++ {
				if i < len(valueKeys) && valueKeys[i] == rep[0] {
					if i < len(first) {
						row[i] = first[i]
					}
					rep = rep[1:]
				}
			}
		}
	}
	var prefixNum, prefixDigits int
	if pn := a.list("prefix_num"); len(pn) == 2 {
		if prefixNum, err = strconv.Atoi(pn[0]); err != nil {
			return &usageErr{"mfg_gen.py generate", fmt.Sprintf("argument --prefix_num: invalid int value: '%s'", pn[0])}
		}
		if prefixDigits, err = strconv.Atoi(pn[1]); err != nil {
			return &usageErr{"mfg_gen.py generate", fmt.Sprintf("argument --prefix_num: invalid int value: '%s'", pn[1])}
		}
	}
	csvDir, binDir := g.target(g.outdir, "csv"), g.target(g.outdir, "bin")
	id := "0"
	for _, row := range rows {
		pairs := make([][2]string, 0, len(valueKeys))
		for i := 0; i < len(valueKeys) || i < len(row); i++ {
			var p [2]string
			if i < len(valueKeys) {
				p[0] = valueKeys[i]
			}
			if i < len(row) {
				p[1] = row[i]
			}
			pairs = append(pairs, p)
		}
		// get_fileid_val: the value of the first pair containing the identifier (as
		// a key or a value); without --fileid, a counter from 1.
		found := false
		if fileid != "" {
			for _, p := range pairs {
				if p[0] == fileid || p[1] == fileid {
					id, found = p[1], true
					break
				}
			}
		}
		if !found {
			n, _ := strconv.Atoi(id)
			id = strconv.Itoa(n + 1)
		}
		stem := prefix + "-" + id
		if len(a.list("prefix_num")) == 2 {
			stem = fmt.Sprintf("%s-%0*d-%s", prefix, prefixDigits, prefixNum, id)
			prefixNum++
		}
		csvOut := csvDir + "/" + stem + ".csv"
		if _, err := env.FS.Stat(env.path(csvOut)); err == nil {
			return &sysExit{fmt.Sprintf("Target csv file: %s already exists.`", csvOut)}
		}
		var b bytes.Buffer
		pyCSVRow(&b, []string{"key", "type", "encoding", "value"})
		rest := pairs
		for _, cr := range confRows {
			if inRow(cr, "namespace") {
				pyCSVRow(&b, append(append([]string{}, cr...), ""))
				continue
			}
			for len(rest) > 0 && rest[0][0] != cr[0] && rest[0][1] != cr[0] {
				rest = rest[1:]
			}
			if len(rest) == 0 {
				return fmt.Errorf("list index out of range")
			}
			pyCSVRow(&b, append(append([]string{}, cr...), rest[0][1]))
			rest = rest[1:]
		}
		if err := env.Write(env.path(csvOut), b.Bytes(), 0o644, false); err != nil {
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

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
