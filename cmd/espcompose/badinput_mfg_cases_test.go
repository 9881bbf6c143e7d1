package main

// mfgCases: `init --from-mfg` refuses bad mfg_gen input with the file and line, exit 2,
// and writes neither the manifest nor devices.csv.
func mfgCases() []badCase {
	conf := "dev,namespace,\nserial,data,string\ncount,data,u16\n"
	vals := "id,serial,count\nd1,SN-1,1\nd2,SN-2,2\n"
	in := func(c, v string) map[string]string { return files(file("c.csv", c), file("v.csv", v)) }
	run := func(rest string) []string { return argv("init -f new.hcl --from-mfg c.csv v.csv dev 0x3000 " + rest) }
	return []badCase{
		{"mfg config row missing its encoding", in("dev,namespace,\nserial,data\n", vals), run(""), 2,
			`espcompose: init --from-mfg: c.csv:2: key "serial": 2 columns; a config row is key,type,encoding (and REPEAT)`},
		{"mfg config key missing from the values", in(conf+"other,data,u8\n", vals), run(""), 2,
			`espcompose: init --from-mfg: c.csv:4: key "other" is not a column of v.csv (the values header must name the config's keys in the config's order)`},
		{"mfg unknown encoding", in("dev,namespace,\n\nserial,data,u128\n", vals), run(""), 2,
			`espcompose: init --from-mfg: c.csv:3: key "serial": unknown encoding "u128" (mfg_gen takes string, binary, hex2bin, u8, i8, u16, u32, i32, u64, i64, base64)`},
		{"mfg unknown type", in("dev,namespace,\nserial,value,string\n", vals), run(""), 2,
			`espcompose: init --from-mfg: c.csv:2: key "serial": type "value" is not data, file or namespace`},
		{"mfg value count mismatch", in(conf, "id,serial,count\nd1,SN-1,1\n\nd2,SN-2\n"), run(""), 2,
			`espcompose: init --from-mfg: v.csv:4: 2 values for the header's 3 columns`},
		{"mfg value out of range", in(conf, "id,serial,count\nd1,SN-1,70000\n"), run("--fileid id"), 2,
			`espcompose: init --from-mfg: v.csv:2: device dev-d1: nvs: value out of range: key ` + "`count`" + `: 70000 out of range for u16 [0, 65535]`},
		{"mfg value with edge white space", in(conf, "id,serial,count\nd1, SN-1,1\n"), run(""), 2,
			`espcompose: init --from-mfg: v.csv:2: device dev-1, column "serial": value " SN-1" has leading or trailing white space or a carriage return, which a devices CSV cannot carry (espcompose trims its cells)`},
		{"mfg --fileid not a column", in(conf, vals), run("--fileid serialno"), 2,
			`espcompose: init --from-mfg: v.csv:1: --fileid "serialno" is not a column of the header`},
		{"mfg device name not a folder name", in(conf, "id,serial,count\nd/1,SN-1,1\n"), run("--fileid id"), 2,
			`espcompose: init --from-mfg: v.csv:2: device file name "dev-d/1": espcompose names each device's folder by it, which takes only letters, digits, '.', '-' and '_'`},
		{"mfg missing file", in("dev,namespace,\nserial,data,string\ncount,file,binary\n", vals), run(""), 2,
			`espcompose: init --from-mfg: v.csv:2: device dev-1: nvs: invalid value: key ` + "`count`" + `: open 1: no such file or directory`},
		{"mfg keygen and inputkey", in(conf, vals), run("--keygen --inputkey k.bin"), 2,
			`espcompose: init --from-mfg: --keygen and --inputkey are alternatives (mfg_gen refuses both)`},
		{"mfg inputkey not an nvs_keys image", files(in(conf, vals), file("k.bin", "short")), run("--inputkey k.bin"), 2,
			`espcompose: init --from-mfg: --inputkey k.bin: nvs: wrong key length: nvs_keys partition is 5 bytes, want 4096`},
		{"mfg size not a multiple of 4096", in(conf, vals), argv("init -f new.hcl --from-mfg c.csv v.csv dev 0x3100"), 2,
			`espcompose: init --from-mfg: SIZE 0x3100: an NVS partition is a multiple of 4096 bytes and at least 0x3000`},
		{"mfg without PREFIX and SIZE", in(conf, vals), argv("init -f new.hcl --from-mfg c.csv v.csv"), 2,
			`espcompose: init --from-mfg CONFIG.csv VALUES.csv PREFIX SIZE: give VALUES.csv, PREFIX and SIZE as mfg_gen.py generate takes them (got 1 arguments)`},
		{"mfg devices.csv exists", files(in(conf, vals), file("devices.csv", "id\nx\n")), run(""), 2,
			`espcompose: init: devices.csv already exists; init never overwrites a file (move it away, or write the manifest elsewhere with -f)`},
		{"mfg and --from-csv", in(conf, vals), run("--from-csv p.csv"), 2,
			`espcompose: init: --from-idf, --from-csv and --from-mfg are alternatives; give one`},
	}
}
