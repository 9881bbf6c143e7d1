package main

// initFmtCases: init and fmt refuse bad input with exit 2 and write nothing (init never
// creates the manifest, fmt rewrites no file when any of them fails to parse).
func initFmtCases() []badCase {
	brokenHCL := "target {\n  chip = \n}\n"
	return []badCase{
		{"init over an existing manifest", nil, argv("init -f qs/espcompose.hcl"), 2,
			"espcompose: init: qs/espcompose.hcl already exists; init never overwrites a file (move it away or choose another name with -f)"},
		{"init --from-idf on a folder that is not a build", nil, argv("init --from-idf qs -f new.hcl"), 2,
			"espcompose: init --from-idf: qs/flasher_args.json not found: is qs an ESP-IDF build directory? Run idf.py build first"},
		{"init --from-idf bad flasher_args.json", file("b/flasher_args.json", "{\n  \"flash_files\": {,\n}"), argv("init --from-idf b -f new.hcl"), 2,
			"espcompose: init --from-idf: b/flasher_args.json: line 2 (byte 21): invalid character ',' looking for beginning of object key string"},
		{"init --from-idf partition table binary cut short", files(file("b/flasher_args.json", `{"flash_files": {"0x0": "bl.bin", "0x8000": "pt.bin"}, "partition-table": {"offset": "0x8000", "file": "pt.bin", "encrypted": "false"}, "extra_esptool_args": {"chip": "esp32c3"}, "flash_settings": {"flash_size": "4MB"}}`), file("b/pt.bin", "x")), argv("init --from-idf b -f new.hcl"), 2,
			"espcompose: init --from-idf: b/pt.bin: offset 0x1: Partition table length must be a multiple of 32 bytes (got 1)"},
		{"init --from-csv bad subtype", file("p.csv", "nvs, data, nvs, , 0x6000,\nx, data, bogus, , 4K,\n"), argv("init --from-csv p.csv -f new.hcl"), 2,
			"espcompose: init --from-csv: p.csv:2: Value 'bogus' is not valid. Known keywords: ota, phy, nvs, coredump, nvs_keys, efuse, undefined, esphttpd, fat, spiffs, littlefs, tee_ota"},
		{"init --from-csv and --from-idf", nil, argv("init --from-csv p.csv --from-idf b -f new.hcl"), 2,
			"espcompose: init: --from-idf and --from-csv are alternatives; give one"},
		{"init unknown chip", nil, argv("init --chip esp32x9 -f new.hcl"), 2,
			"espcompose: init: --chip \"esp32x9\": appimage: unknown chip: \"esp32x9\""},
		{"fmt syntax error", files(file("a.hcl", "x   = 1\n"), file("b.hcl", brokenHCL)), argv("fmt a.hcl b.hcl"), 2,
			"Error: Invalid expression\n  on b.hcl line 2, in target:"},
		{"fmt missing file", nil, argv("fmt nope.hcl"), 2,
			"espcompose: fmt: stat nope.hcl: no such file or directory"},
		{"fmt unknown flag", nil, argv("fmt -chek qs"), 2,
			"espcompose: fmt: flag provided but not defined: -chek"},
	}
}
