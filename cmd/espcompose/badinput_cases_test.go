package main

// badInputCases lists the bad-input suite, one case a line:
//
//	{name, files, args, wantExit, wantErr}
//
// See badinput_test.go for what each field means and badinput_fixtures_test.go for
// the files every case starts with. Output paths point into the case directory, so
// the suite sees any file a failed command leaves behind.
func badInputCases() []badCase {
	var cases []badCase
	for _, group := range [][]badCase{
		partitionTableCases(), imageCases(), mergeCases(), nvsCases(), flashCryptCases(),
		signCases(), verifyCases(), digestCases(), manifestCases(), globalCases(), guardCases(), decodeCases(),
		fsCases(), lockCases(), diffCases(), doctorCases(), initFmtCases(), keyCases(), batchCases(),
		mfgCases(), certCases(), derivedKeyCases(),
	} {
		cases = append(cases, group...)
	}
	return cases
}

func partitionTableCases() []badCase {
	enc := func(flags string) []string { return argv("partition-table encode " + flags + " b.csv out/pt.bin") }
	csv := func(text string) map[string]string { return file("b.csv", text) }
	return []badCase{
		{"pt unknown flag", csv("a,data,nvs,0x9000,0x6000,bogus\n"), enc(""), 2, "espcompose: b.csv:1: CSV flag column contains unknown flag 'bogus'"},
		{"pt size not a number", csv("a,data,nvs,0x9000,zz\n"), enc(""), 2, "espcompose: b.csv:1: Invalid field value zz"},
		{"pt unknown type", csv("a,dta,nvs,0x9000,0x6000\n"), enc(""), 2, "espcompose: b.csv:1: Value 'dta' is not valid. Known keywords: bootloader, partition_table, app, data"},
		{"pt unknown data subtype", csv("a,data,wat,0x9000,0x6000\n"), enc(""), 2, "espcompose: b.csv:1: Value 'wat' is not valid. Known keywords: ota, phy, nvs, coredump, nvs_keys, efuse, undefined, esphttpd, fat, spiffs, littlefs, tee_ota"},
		{"pt type out of range", csv("a,0x100,0,0x9000,0x6000\n"), enc(""), 2, "espcompose: b.csv:1: Type 256 is out of range (0-255)"},
		{"pt offset not aligned", csv("a,data,nvs,0x9001,0x6000\n"), enc(""), 2, "espcompose: b.csv:1: Partition a invalid: Offset 0x9001 is not aligned to 0x1000"},
		{"pt app offset not 64K aligned", csv("a,app,factory,0x10001,1M\n"), enc(""), 2, "espcompose: b.csv:1: Partition a invalid: Offset 0x10001 is not aligned to 0x10000"},
		{"pt size column missing", csv("a,data,nvs\n"), enc(""), 2, "espcompose: b.csv:1: Size field can't be empty"},
		{"pt negative size", csv("a,data,nvs,0x9000,-1\n"), enc(""), 2, "espcompose: b.csv:1: Size 0x-8fff is out of range"},
		{"pt nvs too small", csv("a,data,nvs,0x9000,0x1000\n"), enc(""), 2, "espcompose: b.csv:1: Partition a invalid: 'a' partition of type 1 and subtype 2 of this size (0x1000) must be flagged as 'readonly' (the size of read/write NVS has to be at least 0x3000)"},
		{"pt overlap", csv("a,data,nvs,0x9000,0x6000\nb,data,phy,0xa000,0x1000\n"), enc(""), 2, "espcompose: b.csv:2: CSV Error at line 2: Partitions overlap. Partition sets offset 0xa000. Previous partition ends 0xf000"},
		{"pt overlaps the table", csv("a,data,nvs,0x4000,0x6000\n"), enc(""), 2, "espcompose: b.csv:1: CSV Error at line 1: Partitions overlap. Partition sets offset 0x4000. But partition table occupies the whole sector 0x8000. Use a free offset 0x9000 or higher."},
		{"pt duplicate name", csv("a,data,nvs,0x9000,0x6000\na,data,phy,0xf000,0x1000\n"), enc(""), 2, "espcompose: b.csv:2: Partition names must be unique (a)"},
		{"pt line number counts comments", csv("# Name, Type, SubType, Offset, Size\n\nnvs,data,nvs,0x9000,0x6000\nx,data,nvs,0xf000,0x6000,bogus\n"), enc(""), 2, "espcompose: b.csv:4: CSV flag column contains unknown flag 'bogus'"},
		{"pt larger than flash", csv("a,app,factory,0x10000,5M\n"), enc("--flash-size 4MB"), 2, "espcompose: b.csv:1: Partitions tables occupies 5.1MB of flash (5308416 bytes) which does not fit in configured flash size 4MB. Change the flash size in menuconfig under the 'Serial Flasher Config' menu."},
		{"pt bad utf-16", csv("\xff\xfe\x00"), enc(""), 2, "espcompose: b.csv: truncated UTF-16 data"},
		{"pt csv missing", nil, argv("partition-table encode nope.csv out/pt.bin"), 2, "espcompose: read nope.csv: no such file or directory"},
		{"pt csv is a directory", file("d.csv/x", ""), argv("partition-table encode d.csv out/pt.bin"), 2, "espcompose: read d.csv: is a directory"},
		{"pt bad --flash-size", nil, argv("partition-table encode --flash-size 4Q pt.csv out/pt.bin"), 2, `espcompose: --flash-size: "4Q" is not a size: use bytes (4096), hex (0x1000) or a K/M suffix (64K, 4MB)`},
		{"pt bad --offset", nil, argv("partition-table encode --offset zz pt.csv out/pt.bin"), 2, `espcompose: --offset: "zz" is not an address or size`},
		{"pt --offset over the entries", nil, argv("partition-table encode --offset 0x10000 pt.csv out/pt.bin"), 2, "espcompose: pt.csv:2: CSV Error at line 2: Partitions overlap. Partition sets offset 0x9000. But partition table occupies the whole sector 0x10000. Use a free offset 0x11000 or higher."},
		{"pt bad --secure", nil, argv("partition-table encode --secure v3 pt.csv out/pt.bin"), 2, `espcompose: --secure must be v1 or v2, not "v3"`},
		{"pt bad --extra-partition-subtypes", nil, argv("partition-table encode --extra-partition-subtypes foo pt.csv out/pt.bin"), 2, `espcompose: Error parsing custom subtypes: expected "type, name, value" ("foo")`},
		{"pt bootloader offset past 4G", nil, argv("partition-table encode --primary-bootloader-offset 0x123456789 pt.csv out/pt.bin"), 2, `espcompose: --primary-bootloader-offset: "0x123456789" is not an address or size`},
		{"pt table too big for 1MB", nil, argv("partition-table encode --flash-size 1MB pt.csv out/pt.bin"), 2, "espcompose: pt.csv:4: Partitions tables occupies 1.1MB of flash (1114112 bytes) which does not fit in configured flash size 1MB. Change the flash size in menuconfig under the 'Serial Flasher Config' menu."},
		{"pt no output argument", nil, argv("partition-table encode pt.csv"), 2, "espcompose: accepts 2 arg(s), received 1"},
	}
}

func imageCases() []badCase {
	return []badCase{
		{"image info truncated segment", nil, argv("image info trunc.bin"), 2, "espcompose: trunc.bin: End of file reading segment 0x3c000020, length 2304 (actual length 68) (at byte offset 24)"},
		{"image info cut in a segment header", nil, argv("image info t8.bin"), 2, "espcompose: t8.bin: segment header cut short (at byte offset 8)"},
		{"image info --json truncated", nil, argv("image info --json trunc.bin"), 2, "espcompose: trunc.bin: End of file reading segment 0x3c000020, length 2304 (actual length 68) (at byte offset 24)"},
		{"image info bad magic", nil, argv("image info text.txt"), 2, "espcompose: text.txt: This is not a valid image (invalid magic number: 0x68) (at byte offset 0)"},
		{"image info empty", nil, argv("image info empty.bin"), 2, "espcompose: empty.bin: appimage: image truncated: File is empty"},
		{"image info empty stdin", nil, argv("image info -"), 2, "espcompose: -: appimage: image truncated: File is empty"},
		{"image info missing", nil, argv("image info nope.bin"), 2, "espcompose: read nope.bin: no such file or directory"},
		{"image info unknown chip", nil, argv("image info --chip esp99 app.bin"), 2, `espcompose: --chip: appimage: unknown chip: "esp99"`},
		{"image info bad --version", nil, argv("image info --version 3 app.bin"), 2, "espcompose: --version must be 1 or 2, not 3"},
		{"image info two files", nil, argv("image info app.bin boot.bin"), 2, "espcompose: accepts 1 arg(s), received 2"},
		{"image build without --chip", nil, argv("image build out/x.bin"), 2, `espcompose: required flag(s) "chip" not set`},
		{"image build unknown chip", nil, argv("image build --chip esp99 out/x.bin"), 2, `espcompose: appimage: unknown chip: "esp99"`},
		{"image build bad flash mode", nil, argv("image build --chip esp32 --flash-mode qqq out/x.bin"), 2, `espcompose: appimage: unsupported flash parameter: invalid flash mode "qqq" (choose from qio, qout, dio, dout)`},
		{"image build bad flash freq", nil, argv("image build --chip esp32 --flash-freq 999m out/x.bin"), 2, "espcompose: appimage: unsupported flash parameter: Flash frequency '999m' is not supported by this chip type. Supported frequencies: 80m, 40m, 26m, 20m"},
		{"image build bad flash size", nil, argv("image build --chip esp32 --flash-size 3MB out/x.bin"), 2, "espcompose: appimage: unsupported flash parameter: Flash size '3MB' is not supported by this chip type. Supported sizes: 1MB, 2MB, 4MB, 8MB, 16MB, 32MB, 64MB, 128MB"},
		{"image build negative code size", nil, argv("image build --chip esp32 --code-size -5 out/x.bin"), 2, "espcompose: --code-size must be between 1 and 16777216 bytes, not -5"},
		{"image build huge code size", nil, argv("image build --chip esp32 --code-size 99999999999 out/x.bin"), 2, "espcompose: --code-size must be between 1 and 16777216 bytes, not 99999999999"},
		{"image build code size not a number", nil, argv("image build --chip esp32 --code-size zz out/x.bin"), 2, `espcompose: invalid argument "zz" for "--code-size" flag: strconv.ParseInt: parsing "zz": invalid syntax`},
		{"image build project name too long", nil, argv("image build --chip esp32c3 --project " + repeat("x", 40) + " out/x.bin"), 2, `espcompose: appimage: cannot build image: app descriptor project_name "` + repeat("x", 40) + `" is longer than 32 bytes`},
	}
}

func mergeCases() []badCase {
	m := func(rest string) []string { return argv("merge --chip esp32c3 -o out/m.bin " + rest) }
	return []badCase{
		{"merge overlap", nil, m("0x0 boot.bin 0x1000 app.bin"), 2, "espcompose: merged: inputs overlap: Detected overlap at address: 0x1000 for file: app.bin (conflicts with boot.bin at 0x0, which reaches into the same flash sector)"},
		{"merge same address twice", nil, m("0x0 boot.bin 0x0 boot.bin"), 2, "espcompose: merged: inputs overlap: Detected overlap at address: 0x0 for file: boot.bin (conflicts with boot.bin at 0x0, which reaches into the same flash sector)"},
		{"merge bad address", nil, m("0x0 boot.bin zz app.bin"), 2, `espcompose: address: "zz" is not an address or size`},
		{"merge address past the largest flash", nil, m("0xffffffff app.bin"), 2, "espcompose: app.bin at 0xffffffff: ends at 0x10001404f, beyond the largest flash (128MB)"},
		{"merge input ends past the largest flash", nil, m("0x7ff0000 app.bin"), 2, "espcompose: app.bin at 0x7ff0000: ends at 0x8004050, beyond the largest flash (128MB)"},
		{"merge odd arguments", nil, m("0x0 boot.bin 0x10000"), 2, "espcompose: merge takes address/file pairs"},
		{"merge missing input", nil, m("0x0 boot.bin 0x10000 nope.bin"), 2, "espcompose: read nope.bin: no such file or directory"},
		{"merge hex input spans 512MB", file("big.hex", ":020000040000FA\n:01000000AA55\n:020000042000DA\n:01000000BB44\n:00000001FF\n"), m("0x0 big.hex"), 2, "espcompose: big.hex: merged: invalid option: Intel HEX input placed at 0x0 would flatten to 536870913 bytes (limit 268435456)"},
		{"merge hex input past the largest flash", file("high.hex", ":020000040900F1\n:01000000AA55\n:00000001FF\n"), m("0x0 high.hex"), 2, "espcompose: high.hex at 0x0: ends at 0x9000001, beyond the largest flash (128MB)"},
		{"merge bad --flash-size", nil, m("--flash-size 3MB 0x0 boot.bin"), 2, `espcompose: merged: invalid option: --flash_size "3MB" (choose from 256KB, 512KB, 1MB, 2MB, 2MB-c1, 4MB, 4MB-c1, 8MB, 16MB, 32MB, 64MB, 128MB)`},
		{"merge bad --flash-mode", nil, m("--flash-mode xyz 0x0 boot.bin"), 2, `espcompose: merged: invalid option: --flash_mode "xyz" (choose from qio, qout, dio, dout)`},
		{"merge bad --flash-freq", nil, m("--flash-freq 1m 0x0 boot.bin"), 2, `espcompose: merged: invalid option: --flash_freq "1m" (choose from 80m, 60m, 48m, 40m, 30m, 26m, 24m, 20m, 16m, 15m, 12m)`},
		{"merge bad --format", nil, m("--format elf 0x0 boot.bin"), 2, `espcompose: merged: invalid option: format "elf" (choose from raw, uf2, hex)`},
		{"merge bad --fill-flash-size", nil, m("--fill-flash-size 7MB 0x0 boot.bin"), 2, `espcompose: merged: invalid option: --fill-flash-size "7MB" (choose from 256KB, 512KB, 1MB, 2MB, 4MB, 8MB, 16MB, 32MB, 64MB, 128MB)`},
		{"merge input before --target-offset", nil, m("--target-offset 0x20000 0x0 boot.bin"), 2, "espcompose: merged: input before target offset: Output file target offset is 0x20000. Input file offset 0x0 is before this."},
		{"merge bad --target-offset", nil, m("--target-offset zz 0x0 boot.bin"), 2, `espcompose: --target-offset: "zz" is not an address or size`},
		{"merge unknown chip", nil, argv("merge --chip esp99 -o out/m.bin 0x0 boot.bin"), 2, `espcompose: appimage: unknown chip: "esp99": Invalid chip choice: 'esp99' (choose from esp8266, esp32, esp32s2, esp32s3beta2, esp32s3, esp32c3, esp32c6beta, esp32h2beta1, esp32h2beta2, esp32c2, esp32c6, esp32c61, esp32c5, esp32c5beta3, esp32h2, esp32p4)`},
		{"merge without --chip", nil, argv("merge -o out/m.bin 0x0 boot.bin"), 2, "espcompose: merge needs --chip"},
		{"merge without -o", nil, argv("merge --chip esp32c3 0x0 boot.bin"), 2, "espcompose: merge needs -o OUT"},
	}
}

func nvsCases() []badCase {
	row := func(r string) map[string]string {
		return file("b.csv", "key,type,encoding,value\nstorage,namespace,,\n"+r+"\n")
	}
	enc := argv("nvs encode b.csv out/nvs.bin --size 0x3000")
	return []badCase{
		{"nvs string too long", row("v,data,string," + repeat("a", 4001)), enc, 2, "espcompose: b.csv:3: nvs: value too long: key `v`: size (4002) exceeds max allowed length `4000` bytes"},
		{"nvs v1 blob too long", row("v,data,hex2bin," + repeat("ab", 1985)), argv("nvs encode b.csv out/nvs.bin --size 0x3000 --version 1"), 2, "espcompose: b.csv:3: nvs: value too long: key `v`: size (1985) exceeds max allowed length `1984` bytes"},
		{"nvs size not whole pages", row("v,data,u8,1"), argv("nvs encode b.csv out/nvs.bin --size 0x3001"), 2, "espcompose: --size 0x3001: nvs: invalid partition size: 0x3001: size of partition must be multiple of 4096"},
		{"nvs size huge", row("v,data,u8,1"), argv("nvs encode b.csv out/nvs.bin --size 4096000000"), 2, "espcompose: --size 4096000000: larger than the largest flash (128MB)"},
		{"nvs u8 too big", row("v,data,u8,256"), enc, 2, "espcompose: b.csv:3: nvs: value out of range: key `v`: 256 out of range for u8 [0, 255]"},
		{"nvs u8 negative", row("v,data,u8,-1"), enc, 2, "espcompose: b.csv:3: nvs: value out of range: key `v`: -1 out of range for u8 [0, 255]"},
		{"nvs i8 too big", row("v,data,i8,200"), enc, 2, "espcompose: b.csv:3: nvs: value out of range: key `v`: 200 out of range for i8 [-128, 127]"},
		{"nvs integer not a number", row("v,data,u32,abc"), enc, 2, "espcompose: b.csv:3: nvs: invalid value: key `v`: \"abc\" is not a decimal integer"},
		{"nvs unknown encoding", row("v,data,u128,1"), enc, 2, "espcompose: b.csv:3: nvs: unknown encoding: \"u128\" for key `v`"},
		{"nvs unknown type", row("v,blob,string,1"), enc, 2, `espcompose: b.csv:3: nvs: malformed CSV: type "blob" (want namespace, data or file)`},
		{"nvs file row missing file", row("v,file,string,nofile.txt"), enc, 2, "espcompose: b.csv:3: nvs: invalid value: key `v`: open nofile.txt: no such file or directory"},
		{"nvs bad hex", row("v,data,hex2bin,zz"), enc, 2, "espcompose: b.csv:3: nvs: invalid value: v: non-hexadecimal digit found"},
		{"nvs no value column", row("v,data,u32"), enc, 2, "espcompose: b.csv:3: nvs: malformed CSV: key `v`: no value column"},
		{"nvs key too long", row("thiskeyiswaytoolong,data,u8,1"), enc, 2, "espcompose: b.csv:3: nvs: invalid key: length of key `thiskeyiswaytoolong` should be <= 15 characters"},
		{"nvs entry before namespace", file("b.csv", "key,type,encoding,value\nv,data,u8,1\n"), enc, 2, "espcompose: b.csv:2: nvs: malformed CSV: key `v` comes before any namespace row"},
		{"nvs file row absolute path", row("v,file,binary,/etc/passwd"), enc, 2, "espcompose: b.csv:3: nvs: invalid value: key `v`: file path \"/etc/passwd\" must be relative and stay inside the CSV's directory"},
		{"nvs file row escapes the CSV folder", row("v,file,binary,../pt.csv"), enc, 2, "espcompose: b.csv:3: nvs: invalid value: key `v`: file path \"../pt.csv\" must be relative and stay inside the CSV's directory"},
		{"nvs file row integer encoding", row("v,file,u8,pt.csv"), enc, 2, "espcompose: b.csv:3: nvs: unknown encoding: \"u8\" for file key `v` (want string, hex2bin, base64 or binary)"},
		{"nvs header lacks value", file("b.csv", "key,type,encoding\nstorage,namespace,\n"), enc, 2, "espcompose: b.csv:1: nvs: malformed CSV: header lacks column \"value\" (want key,type,encoding,value)"},
		{"nvs header lacks key", file("b.csv", "a,b,c,d\nstorage,namespace,,\n"), enc, 2, "espcompose: b.csv:1: nvs: malformed CSV: header lacks column \"key\" (want key,type,encoding,value)"},
		{"nvs csv missing", nil, argv("nvs encode nope.csv out/nvs.bin --size 0x3000"), 2, "espcompose: read nope.csv: no such file or directory"},
		{"nvs without --size", nil, argv("nvs encode nvs.csv out/nvs.bin"), 2, "espcompose: nvs encode needs --size"},
		{"nvs bad --size", nil, argv("nvs encode nvs.csv out/nvs.bin --size zz"), 2, `espcompose: --size: "zz" is not a size: use bytes (4096), hex (0x1000) or a K/M suffix (64K, 4MB)`},
		{"nvs --size past 4G", nil, argv("nvs encode nvs.csv out/nvs.bin --size 0x100000000"), 2, "espcompose: --size 0x100000000: larger than the largest flash (128MB)"},
		{"nvs bad --version", nil, argv("nvs encode nvs.csv out/nvs.bin --size 0x3000 --version 3"), 2, "espcompose: --version must be 1 or 2, not 3"},
		{"nvs only one argument", nil, argv("nvs encode nvs.csv --size 0x3000"), 2, "espcompose: requires at least 2 arg(s), only received 1"},
		{"nvs --keyfile wrong size", nil, argv("nvs encode nvs.csv out/nvs.bin --size 0x3000 --keyfile key32.bin"), 2, "espcompose: --keyfile key32.bin: nvs: wrong key length: nvs_keys partition is 32 bytes, want 4096"},
		{"nvs --keyfile bad crc", file("bad_keys.bin", string(flipByte(badInputFixture("nvs_keys.bin"), 3))), argv("nvs encode nvs.csv out/nvs.bin --size 0x3000 --keyfile bad_keys.bin"), 2, "espcompose: --keyfile bad_keys.bin: nvs: key partition CRC mismatch: stored 0x30516743 at offset 0x40, computed 0xeb8bdbec"},
		{"nvs --hmac-key wrong size", nil, argv("nvs encode nvs.csv out/nvs.bin --size 0x3000 --hmac-key key31.bin"), 2, "espcompose: --hmac-key key31.bin: nvs: wrong key length: HMAC key is 31 bytes, want 32"},
		{"nvs --keyfile with --hmac-key", nil, argv("nvs encode nvs.csv out/nvs.bin --size 0x3000 --keyfile nvs_keys.bin --hmac-key hmac.bin"), 2, "espcompose: --keyfile and --hmac-key are mutually exclusive"},
		{"nvs --keys-out exists", nil, argv("nvs encode nvs.csv out/nvs.bin --size 0x3000 --keys-out app.bin"), 2, "espcompose: --keys-out app.bin: file exists; refusing to overwrite a key file"},
		{"nvs --keys-out with --keyfile", nil, argv("nvs encode nvs.csv out/nvs.bin --size 0x3000 --keys-out out/k.bin --keyfile nvs_keys.bin"), 2, "espcompose: --keys-out and --keyfile are mutually exclusive: --keyfile already names the keys"},
		{"nvs --keys-out to stdout", nil, argv("nvs encode nvs.csv out/nvs.bin --size 0x3000 --keys-out -"), 2, "espcompose: --keys-out: refusing to write key material to stdout"},
		{"nvs keygen target exists", nil, argv("nvs keygen app.bin"), 2, "espcompose: nvs keygen app.bin: file exists; refusing to overwrite a key file"},
		{"nvs keygen to stdout", nil, argv("nvs keygen -"), 2, "espcompose: nvs keygen: refusing to write key material to stdout"},
		{"nvs keygen hmac wrong size", nil, argv("nvs keygen out/k.bin --hmac-key key31.bin"), 2, "espcompose: --hmac-key key31.bin: nvs: wrong key length: HMAC key is 31 bytes, want 32"},
		{"nvs keygen hmac missing", nil, argv("nvs keygen out/k.bin --hmac-key nope.bin"), 2, "espcompose: read nope.bin: no such file or directory"},
	}
}

func flashCryptCases() []badCase {
	c3 := func(verb, rest string) []string { return argv(verb + " --chip esp32c3 " + rest) }
	return []badCase{
		{"encrypt key too short", nil, c3("encrypt", "--key key31.bin --address 0x10000 app.bin out/e.bin"), 2, "espcompose: --key key31.bin: flashenc: wrong key length: esp32c3 key has wrong length (31 bytes), 32 expected"},
		{"encrypt 16-byte key on esp32c3", nil, c3("encrypt", "--key key16.bin --address 0x10000 app.bin out/e.bin"), 2, "espcompose: --key key16.bin: flashenc: wrong key length: esp32c3 key has wrong length (16 bytes), 32 expected"},
		{"encrypt 64-byte key on esp32", nil, argv("encrypt --chip esp32 --key key64.bin --address 0x10000 app.bin out/e.bin"), 2, "espcompose: --key key64.bin: flashenc: wrong key length: esp32 key has wrong length (64 bytes), 24 or 32 expected"},
		{"encrypt empty key", nil, c3("encrypt", "--key empty.bin --address 0x10000 app.bin out/e.bin"), 2, "espcompose: --key empty.bin: flashenc: wrong key length: esp32c3 key has wrong length (0 bytes), 32 expected"},
		{"encrypt address not a multiple of 16", nil, c3("encrypt", "--key key32.bin --address 0x10001 app.bin out/e.bin"), 2, "espcompose: --address 0x10001: flashenc: bad flash address: starting flash address 0x10001 must be a multiple of 16"},
		{"decrypt address not a multiple of 16", nil, c3("decrypt", "--key key32.bin --address 0x10008 app.bin out/d.bin"), 2, "espcompose: --address 0x10008: flashenc: bad flash address: starting flash address 0x10008 must be a multiple of 16"},
		{"encrypt data past 4G", nil, c3("encrypt", "--key key32.bin --address 0xffffff00 app.bin out/e.bin"), 2, "espcompose: --address 0xffffff00: flashenc: bad flash address: 0xffffff00 + 82000 bytes runs past the 4 GiB address space"},
		{"encrypt bad address", nil, c3("encrypt", "--key key32.bin --address zz app.bin out/e.bin"), 2, `espcompose: --address: "zz" is not an address or size`},
		{"encrypt data length", file("odd.bin", "abc"), c3("encrypt", "--key key32.bin --address 0x10000 odd.bin out/e.bin"), 2, "espcompose: odd.bin: flashenc: bad data length: input data length (3) must be a multiple of 16"},
		{"decrypt data length", file("odd.bin", "abc"), c3("decrypt", "--key key32.bin --address 0x10000 odd.bin out/d.bin"), 2, "espcompose: odd.bin: flashenc: bad data length: input data length (3) must be a multiple of 16"},
		{"encrypt key missing", nil, c3("encrypt", "--key nope.bin --address 0x10000 app.bin out/e.bin"), 2, "espcompose: read nope.bin: no such file or directory"},
		{"decrypt input missing", nil, c3("decrypt", "--key key32.bin --address 0x10000 nope.bin out/d.bin"), 2, "espcompose: read nope.bin: no such file or directory"},
		{"encrypt unknown chip", nil, argv("encrypt --chip esp99 --key key32.bin --address 0x10000 app.bin out/e.bin"), 2, `espcompose: --chip: flashenc: unknown chip: "esp99"`},
		{"encrypt --aes-xts on esp32", nil, argv("encrypt --chip esp32 --aes-xts --key key32.bin --address 0x10000 app.bin out/e.bin"), 2, "espcompose: --aes-xts: esp32 uses ESP32 AES-256, not XTS-AES"},
		{"encrypt crypt conf with XTS", nil, c3("encrypt", "--flash-crypt-conf 0x3 --key key32.bin --address 0x10000 app.bin out/e.bin"), 2, "espcompose: --flash-crypt-conf applies only to the ESP32 AES-256 scheme, not XTS-AES-128"},
		{"encrypt crypt conf out of range", nil, argv("encrypt --chip esp32 --flash-crypt-conf 0x10 --key key32.bin --address 0x10000 app.bin out/e.bin"), 2, `espcompose: --flash-crypt-conf: "0x10" is not a value in 0x0..0xF`},
		{"encrypt without --address", nil, argv("encrypt --key key32.bin app.bin out/e.bin"), 2, `espcompose: required flag(s) "address" not set`},
		{"decrypt without --key", nil, argv("decrypt --address 0x10000 app.bin out/d.bin"), 2, `espcompose: required flag(s) "key" not set`},
	}
}

func signCases() []badCase {
	sign := func(flags string) []string { return argv("sign " + flags + " out/s.bin") }
	return []badCase{
		{"sign RSA-2048 key", nil, sign("--key rsa2048.pem app.bin"), 2, "espcompose: --key rsa2048.pem: secureboot: unsupported key type: Key file has length 2048 bits. Secure boot v2 only supports RSA-3072."},
		{"sign P-521 key", nil, sign("--key p521.pem app.bin"), 2, "espcompose: --key p521.pem: secureboot: unsupported key type: Key file uses incorrect curve (1.3.132.0.35). Secure Boot V2 + ECDSA only supports NIST192p, NIST256p, NIST384p"},
		{"sign with an RSA public key", nil, sign("--key rsa3072_pub.pem app.bin"), 2, "espcompose: --key rsa3072_pub.pem: a public key; signing needs the private key (signatures made elsewhere go in with --pub-key and --signature)"},
		{"sign with an ECDSA public key", nil, sign("--key p256_pub.pem app.bin"), 2, "espcompose: --key p256_pub.pem: a public key; signing needs the private key (signatures made elsewhere go in with --pub-key and --signature)"},
		{"sign corrupt PEM", nil, sign("--key corrupt.pem app.bin"), 2, "espcompose: --key corrupt.pem: secureboot: unsupported key format: no PEM private key found"},
		{"sign certificate-shaped PEM", nil, sign("--key notkey.pem app.bin"), 2, "espcompose: --key notkey.pem: secureboot: unsupported key format: no PEM private key found"},
		{"sign key missing", nil, sign("--key nope.pem app.bin"), 2, "espcompose: read nope.pem: no such file or directory"},
		{"sign image missing", nil, sign("--key rsa3072.pem nope.bin"), 2, "espcompose: read nope.bin: no such file or directory"},
		{"sign bad --version", nil, sign("--version 3 --key rsa3072.pem app.bin"), 2, "espcompose: --version must be 1 or 2, not 3"},
		{"sign V1 with RSA", nil, sign("--version 1 --key rsa3072.pem app32.bin"), 2, "espcompose: --key rsa3072.pem: secureboot: unsupported key type: Signing key uses incorrect curve. ESP32 Secure Boot only supports NIST256p (openssl calls this curve 'prime256v1')"},
		{"sign V1 with P-384", nil, sign("--version 1 --key p384.pem app32.bin"), 2, "espcompose: --key p384.pem: secureboot: unsupported key type: Signing key uses incorrect curve. ESP32 Secure Boot only supports NIST256p (openssl calls this curve 'prime256v1')"},
		{"sign V1 two keys", nil, sign("--version 1 --key p256.pem --key p256.pem app32.bin"), 2, "espcompose: Secure Boot V1 takes exactly one key"},
		{"sign four keys", nil, sign("--key p256.pem --key p256.pem --key p256.pem --key p256.pem app.bin"), 2, "espcompose: at most 3 keys or signatures, got 4"},
		{"sign --pub-key without --signature", nil, sign("--pub-key rsa3072_pub.pem app.bin"), 2, "espcompose: --pub-key and --signature come in pairs (1 --pub-key, 0 --signature)"},
		{"sign --key with --pub-key", nil, sign("--key rsa3072.pem --pub-key rsa3072_pub.pem --signature digest32.bin app.bin"), 2, "espcompose: --key cannot be combined with --pub-key/--signature"},
		{"sign without a key", nil, sign("app.bin"), 2, "espcompose: sign needs --key, or --pub-key with --signature"},
		{"sign V1 --append", nil, sign("--version 1 --append --key p256.pem app32.bin"), 2, "espcompose: --append applies only to --version 2"},
		{"sign precalculated unaligned image", nil, sign("--pub-key rsa3072_pub.pem --signature digest32.bin app.bin"), 2, "espcompose: app.bin: secureboot: not sector aligned: Secure Boot V2 requires the signature block to start from a 4KB aligned sector but the datafile supplied is not sector aligned (82000 bytes)"},
		{"sign precalculated wrong signature", file("pad.bin", string(padTo4K(badInputFixture("app.bin")))), sign("--pub-key rsa3072_pub.pem --signature text.txt pad.bin"), 2, "espcompose: --signature text.txt (for --pub-key rsa3072_pub.pem): secureboot: invalid signature: Signature verification failed: Invalid Signature. The pre-calculated signature has not been signed using the given public key"},
		{"sign V1 precalculated short signature", nil, sign("--version 1 --pub-key p256_pub.pem --signature text.txt app32.bin"), 2, "espcompose: --signature text.txt: secureboot: invalid signature: V1 signature is 52 bytes, want 64"},
		{"sign-digest digest too short", file("d31.bin", string(pattern(31, 1))), argv("sign-digest --key rsa3072.pem d31.bin out/sig.bin"), 2, `espcompose: d31.bin: key "rsa3072.pem": digest is 31 bytes, rsa3072 signs 32-byte digests`},
		{"sign-digest digest for another curve", nil, argv("sign-digest --key p384.pem digest32.bin out/sig.bin"), 2, `espcompose: digest32.bin: key "p384.pem": digest is 32 bytes, ecdsa384 signs 48-byte digests`},
		{"sign-digest empty digest", nil, argv("sign-digest --key rsa3072.pem empty.bin out/sig.bin"), 2, `espcompose: empty.bin: key "rsa3072.pem": digest is 0 bytes, rsa3072 signs 32-byte digests`},
		{"sign-digest with a public key", nil, argv("sign-digest --key rsa3072_pub.pem digest32.bin out/sig.bin"), 2, "espcompose: --key rsa3072_pub.pem: a public key; signing needs the private key"},
		{"sign-digest corrupt PEM", nil, argv("sign-digest --key corrupt.pem digest32.bin out/sig.bin"), 2, "espcompose: --key corrupt.pem: secureboot: unsupported key format: no PEM private key found"},
		{"sign-digest RSA-2048", nil, argv("sign-digest --key rsa2048.pem digest32.bin out/sig.bin"), 2, "espcompose: --key rsa2048.pem: secureboot: unsupported key type: Key file has length 2048 bits. Secure boot v2 only supports RSA-3072."},
		{"sign-digest without --key", nil, argv("sign-digest digest32.bin out/sig.bin"), 2, "espcompose: sign-digest needs --key"},
		{"sign-digest digest missing", nil, argv("sign-digest --key rsa3072.pem nope.bin out/sig.bin"), 2, "espcompose: read nope.bin: no such file or directory"},
	}
}

func verifyCases() []badCase {
	return []badCase{
		{"verify unsigned unaligned image", nil, argv("verify --key rsa3072_pub.pem app.bin"), 2, "espcompose: app.bin: secureboot: not sector aligned: Invalid datafile. Data size should be non-zero & a multiple of 4096 (got 82000 bytes)"},
		{"verify unsigned aligned image", file("pad.bin", string(padTo4K(badInputFixture("app.bin")))), argv("verify --key rsa3072_pub.pem pad.bin"), 2, "espcompose: pad.bin: not signed: no Secure Boot V2 signature block after the image"},
		{"verify V1 unsigned image", nil, argv("verify --version 1 --key p256_pub.pem app32.bin"), 2, "espcompose: app32.bin: not signed (no V1 signature after the image): secureboot: invalid signature block: Signature block has version 1380530467. This version of espsecure only supports version 0."},
		{"verify empty file", nil, argv("verify --key rsa3072_pub.pem empty.bin"), 2, "espcompose: empty.bin: secureboot: not sector aligned: Invalid datafile. Data size should be non-zero & a multiple of 4096 (got 0 bytes)"},
		{"verify truncated signed image", file("cut.bin", string(badInputFixture("signed.bin")[:90102])), argv("verify --key rsa3072_pub.pem cut.bin"), 2, "espcompose: cut.bin: secureboot: not sector aligned: Invalid datafile. Data size should be non-zero & a multiple of 4096 (got 90102 bytes)"},
		{"verify corrupt key", nil, argv("verify --key corrupt.pem signed.bin"), 2, "espcompose: --key corrupt.pem: secureboot: unsupported key format: no PEM private key found"},
		{"verify RSA-2048 key", nil, argv("verify --key rsa2048.pem signed.bin"), 2, "espcompose: --key rsa2048.pem: secureboot: unsupported key type: Key file has length 2048 bits. Secure boot v2 only supports RSA-3072."},
		{"verify V1 with RSA key", nil, argv("verify --version 1 --key rsa3072_pub.pem signed1.bin"), 2, "espcompose: --key rsa3072_pub.pem: secureboot: unsupported key type: Signing key uses incorrect curve. ESP32 Secure Boot only supports NIST256p (openssl calls this curve 'prime256v1')"},
		{"verify bad --version", nil, argv("verify --version 0 --key rsa3072_pub.pem signed.bin"), 2, "espcompose: --version must be 1 or 2, not 0"},
		{"verify without --key", nil, argv("verify signed.bin"), 2, `espcompose: required flag(s) "key" not set`},
		{"verify key missing", nil, argv("verify --key nope.pem signed.bin"), 2, "espcompose: read nope.pem: no such file or directory"},
		{"verify image missing", nil, argv("verify --key rsa3072_pub.pem nope.bin"), 2, "espcompose: read nope.bin: no such file or directory"},
	}
}

func digestCases() []badCase {
	return []badCase{
		{"digest-pubkey RSA-2048", nil, argv("digest-pubkey --key rsa2048.pem out/d.bin"), 2, "espcompose: --key rsa2048.pem: secureboot: unsupported key type: Key file has length 2048 bits. Secure boot v2 only supports RSA-3072."},
		{"digest-pubkey P-521", nil, argv("digest-pubkey --key p521.pem out/d.bin"), 2, "espcompose: --key p521.pem: secureboot: unsupported key type: Key file uses incorrect curve (1.3.132.0.35). Secure Boot V2 + ECDSA only supports NIST192p, NIST256p, NIST384p"},
		{"digest-pubkey corrupt PEM", nil, argv("digest-pubkey --key corrupt.pem out/d.bin"), 2, "espcompose: --key corrupt.pem: secureboot: unsupported key format: no PEM private key found"},
		{"digest-pubkey raw key file", nil, argv("digest-pubkey --key key32.bin out/d.bin"), 2, "espcompose: --key key32.bin: secureboot: unsupported key format: Verification key does not appear to be an RSA Private or Public key in PEM format. Unsupported"},
		{"digest-pubkey key missing", nil, argv("digest-pubkey --key nope.pem out/d.bin"), 2, "espcompose: read nope.pem: no such file or directory"},
		{"digest-pubkey V1 with RSA", nil, argv("digest-pubkey --version 1 --key rsa3072.pem out/d.bin"), 2, "espcompose: --key rsa3072.pem: secureboot: unsupported key type: Signing key uses incorrect curve. ESP32 Secure Boot only supports NIST256p (openssl calls this curve 'prime256v1')"},
		{"digest-pubkey V1 with a public key", nil, argv("digest-pubkey --version 1 --key p256_pub.pem out/d.bin"), 2, "espcompose: --key p256_pub.pem: a public key; the V1 digest is of the private key"},
		{"digest-pubkey bad --keylen", nil, argv("digest-pubkey --version 1 --keylen 100 --key p256.pem out/d.bin"), 2, "espcompose: --keylen must be 192 or 256, not 100"},
		{"digest-pubkey --keylen with V2", nil, argv("digest-pubkey --keylen 192 --key p256.pem out/d.bin"), 2, "espcompose: --keylen applies only to --version 1"},
		{"digest-pubkey bad --version", nil, argv("digest-pubkey --version 5 --key p256.pem out/d.bin"), 2, "espcompose: --version must be 1 or 2, not 5"},
		{"digest-pubkey V1 to stdout", nil, argv("digest-pubkey --version 1 --key p256.pem -"), 2, "espcompose: refusing to write the V1 key digest (a secret eFuse key) to stdout"},
		{"digest-pubkey without output", nil, argv("digest-pubkey --key p256.pem"), 2, "espcompose: accepts 1 arg(s), received 0"},
		{"digest-pubkey without --key", nil, argv("digest-pubkey out/d.bin"), 2, `espcompose: required flag(s) "key" not set`},
	}
}

func manifestCases() []badCase {
	qs := func(cmd string) []string { return argv(cmd + " -f qs/espcompose.hcl -o out --cache-dir cache") }
	return []badCase{
		{"validate syntax error", qsEdit("target {", "target {{"), qs("validate"), 2, "Error: Argument or block definition required\n  on qs/espcompose.hcl line 12, in target:"},
		{"validate --json syntax error", qsEdit("target {", "target {{"), qs("validate --json"), 2, "Error: Argument or block definition required\n  on qs/espcompose.hcl line 12, in target:\n  12: target {{\n              ^"},
		{"plan --json --dot", nil, qs("plan --json --dot"), 2, "espcompose: --json and --dot disagree; use one"},
		{"plan unknown block", qsEdit("output {", "outptu {"), qs("plan"), 2, "Error: Unsupported block type\n  on qs/espcompose.hcl line 82, in outptu:"},
		{"build image file missing", qsEdit("images/app.bin", "images/nope.bin"), qs("build"), 2, "Error: Cannot read image\n  on qs/espcompose.hcl line 24, in image \"app\":"},
		{"validate unknown chip", qsEdit(`chip       = "esp32c3"`, `chip = "esp99"`), qs("validate"), 2, "Error: Unknown chip\n  on qs/espcompose.hcl line 13, in target:"},
		{"validate bad size", qsEdit(`size     = "1536K"`, `size = "1536Q"`), qs("validate"), 2, "Error: Invalid size\n  on qs/espcompose.hcl line 61, in partition \"ota_0\":"},
		{"build partitions past flash", qsEdit(`size    = "896K"`, `size = "4M"`), qs("build"), 2, "Error: Partition does not fit in flash\n  on qs/espcompose.hcl line 74, in partition \"storage\":"},
		{"plan undeclared variable", qsEdit("version      = var.app_version", "version = var.nope"), qs("plan"), 2, "Error: Reference to undeclared variable\n  on qs/espcompose.hcl line 27, in image \"app\":"},
		{"build image does not match expect", qsEdit(`project_name = "quickstart"`, `project_name = "other"`), qs("build"), 2, "Error: Image does not match expect\n  on qs/espcompose.hcl line 26, in image \"app\":"},
		{"plan --dot manifest missing", nil, argv("plan --dot -f qs/nope.hcl"), 2, "Error: Cannot read manifest"},
		{"validate manifest missing", nil, argv("validate -f qs/nope.hcl"), 2, "Error: Cannot read manifest\nqs/nope.hcl: no such file or directory."},
		{"build manifest missing", nil, argv("build -f qs/nope.hcl -o out"), 2, "Error: Cannot read manifest"},
		{"sign-request without -o", qsAppend(qsSecureBoot), argv("sign-request -f qs/espcompose.hcl --cache-dir cache"), 2, "espcompose: sign-request needs -o FILE"},
		{"sign-request without secure boot", nil, argv("sign-request -f qs/espcompose.hcl -o out/req.json --cache-dir cache"), 2, "espcompose: qs/espcompose.hcl signs nothing: there is no security.secure_boot block"},
		{"sign-request manifest missing", nil, argv("sign-request -f qs/nope.hcl -o out/req.json"), 2, "Error: Cannot read manifest"},
		{"sign-request syntax error", files(qsAppend(qsSecureBoot + "}\n")), argv("sign-request -f qs/espcompose.hcl -o out/req.json --cache-dir cache"), 2, "Error: Argument or block definition required\n  on qs/espcompose.hcl line 98:"},
		{"sign-request undeclared key", qsSecureBootEdit("[key.sb]", "[key.nope]"), argv("sign-request -f qs/espcompose.hcl -o out/req.json --cache-dir cache"), 2, "Error: Reference to undeclared key\n  on qs/espcompose.hcl line 95, in security:"},
		{"sign-request key file missing", qsSecureBootEdit("keys/sign.pem", "keys/nope.pem"), argv("sign-request -f qs/espcompose.hcl -o out/req.json --cache-dir cache"), 2, "Error: Missing key file\n  on qs/espcompose.hcl line 89, in key \"sb\":"},
		{"sign-request unknown algorithm", qsSecureBootEdit("rsa-3072", "rsa-9999"), argv("sign-request -f qs/espcompose.hcl -o out/req.json --cache-dir cache"), 2, "Error: Unknown key algorithm\n  on qs/espcompose.hcl line 88, in key \"sb\":"},
		{"build secure boot version 7", qsSecureBootEdit("version = 2", "version = 7"), argv("build -f qs/espcompose.hcl -o out --cache-dir cache"), 2, "Error: Value out of range\n  on qs/espcompose.hcl line 94, in security:"},
		{"sign-request extra argument", qsAppend(qsSecureBoot), argv("sign-request -f qs/espcompose.hcl -o out/req.json extra"), 2, `espcompose: unknown command "extra" for "espcompose sign-request"`},
	}
}

func globalCases() []badCase {
	return []badCase{
		{"version extra argument", nil, argv("version extra"), 2, `espcompose: unknown command "extra" for "espcompose version"`},
		{"unknown command", nil, argv("frobnicate"), 2, `espcompose: unknown command "frobnicate" for "espcompose"`},
		{"unknown flag", nil, argv("build --bogus -f qs/espcompose.hcl -o out"), 2, "espcompose: unknown flag: --bogus"},
		{"unknown shorthand flag", nil, argv("build -Z -f qs/espcompose.hcl -o out"), 2, "espcompose: unknown shorthand flag: 'Z' in -Z"},
		{"--var without =", nil, argv("build -f qs/espcompose.hcl -o out --cache-dir cache --var app_version"), 2, `espcompose: -var "app_version": expected name=value`},
		{"--var without a name", nil, argv("build -f qs/espcompose.hcl -o out --cache-dir cache --var =1"), 2, `espcompose: -var "=1": expected name=value`},
		{"--var undeclared", nil, argv("build -f qs/espcompose.hcl -o out --cache-dir cache --var nope=1"), 2, "Error: Value for undeclared variable"},
		{"--var without a value", nil, argv("validate -f qs/espcompose.hcl --var"), 2, "espcompose: flag needs an argument: --var"},
		{"-f without a value", nil, argv("validate -f"), 2, "espcompose: flag needs an argument: 'f' in -f"},
		{"validate extra argument", nil, argv("validate -f qs/espcompose.hcl extra"), 2, `espcompose: unknown command "extra" for "espcompose validate"`},
	}
}

// guardCases: paths whose use would destroy or swallow what espcompose did not make.
func guardCases() []badCase {
	b := func(flags string) []string { return argv("build -f qs/espcompose.hcl " + flags) }
	return []badCase{
		{"build into the images folder", nil, b("-o qs/images"), 2, "espcompose: refusing to use qs/images as an output directory: it holds input file qs/images/app.bin"},
		{"build into the project", nil, b("-o qs"), 2, "espcompose: refusing to use qs as an output directory: it is the manifest's folder qs"},
		{"build into the project's parent", nil, b("-o ."), 2, "espcompose: refusing to use . as an output directory: it holds the manifest's folder qs"},
		{"build into a file", nil, b("-o pt.csv"), 2, "espcompose: refusing to use pt.csv as an output directory: it is a file, not a folder"},
		{"build into a foreign folder", file("mine/notes.txt", "mine"), b("-o mine"), 2, "espcompose: refusing to use mine as an output directory: it exists and espcompose did not make it (it has no .espcompose-output file); espcompose only replaces folders it made. Choose a new folder with -o, or remove this one yourself"},
		{"plan into the images folder", nil, argv("plan -f qs/espcompose.hcl -o qs/images"), 2, "espcompose: refusing to use qs/images as an output directory: it holds input file qs/images/app.bin"},
		{"build cache around the output", nil, b("-o out --cache-dir ."), 2, "espcompose: refusing to use out as an output directory: it lies inside the stage cache ."},
		{"build cache in a file", nil, b("-o out --cache-dir pt.csv"), 2, "espcompose: refusing to use pt.csv as a cache directory: it is a file, not a folder"},
		{"build cache is the output", nil, b("-o out --cache-dir out"), 2, "espcompose: refusing to use out as an output directory: it is the stage cache out"},
		{"build cache is the project", nil, b("-o out --cache-dir qs"), 2, "espcompose: refusing to use qs as a cache directory: it is the manifest's folder qs"},
		{"build --signatures missing", nil, b("-o out --cache-dir cache --signatures nope"), 2, "espcompose: --signatures nope: no such file or directory"},
		{"build --signatures a file", nil, b("-o out --cache-dir cache --signatures pt.csv"), 2, "espcompose: --signatures pt.csv: not a folder (give the folder the signing service returned)"},
		{"build --device without devices", nil, b("-o out --cache-dir cache --device x1"), 2, "espcompose: --device x1: qs/espcompose.hcl has no devices block, so it builds one configuration; drop --device"},
		{"output folder is a file", nil, argv("partition-table encode pt.csv app.bin/x.bin"), 2, "espcompose: refusing to use app.bin/x.bin as an output file: app.bin is a file, not a folder"},
		{"keys-out folder is a file", nil, argv("nvs encode nvs.csv out/nvs.bin --size 0x3000 --keys-out app.bin/k.bin"), 2, "espcompose: refusing to use app.bin/k.bin as an output file: app.bin is a file, not a folder"},
		{"output is the input", nil, argv("partition-table encode pt.csv pt.csv"), 2, "espcompose: refusing to use pt.csv as an output file: it is also an input file; write the result to another file"},
		{"digest over its own key", nil, argv("digest-pubkey --key rsa3072.pem rsa3072.pem"), 2, "espcompose: refusing to use rsa3072.pem as an output file: it is also an input file; write the result to another file"},
		{"digest over another private key", nil, argv("digest-pubkey --key rsa3072.pem p256.pem"), 2, "espcompose: refusing to use p256.pem as an output file: it holds a private key, which espcompose never overwrites"},
		{"decrypt over its key", nil, argv("decrypt --chip esp32c3 --key key32.bin --address 0x10000 app.bin key32.bin"), 2, "espcompose: refusing to use key32.bin as an output file: it is also an input file; write the result to another file"},
		{"sign over its key", nil, argv("sign --version 2 --key rsa3072.pem app.bin rsa3072.pem"), 2, "espcompose: refusing to use rsa3072.pem as an output file: it is also an input file; write the result to another file"},
	}
}
