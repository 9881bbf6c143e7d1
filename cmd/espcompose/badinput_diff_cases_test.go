package main

// diffCases: `espcompose diff` given a side it cannot read exits 2, naming the file
// (and line) at fault, and writes nothing; exit 1 is kept for "the releases differ".
func diffCases() []badCase {
	sum := func(data string) string { return sha256hex([]byte(data)) }
	return []badCase{
		{"diff missing side", nil, argv("diff qs nope"), 2, "espcompose: nope: no such file or directory"},
		{"diff folder neither build nor project", file("empty/x.txt", "x"), argv("diff qs empty"), 2,
			"espcompose: empty: neither a build directory (no build.json) nor a project folder (no espcompose.hcl)"},
		{"diff devices build root", file("dd/devices.json", "{}"), argv("diff dd qs"), 2, "espcompose: dd: a devices build: compare one device's folder, dd/devices/<id>"},
		{"diff devices manifest without --device", files(file("m/d.csv", "id\nA\nB\n"), file("m/espcompose.hcl", "espcompose {\n  version = 1\n}\ndevices {\n  csv = \"d.csv\"\n  id  = device.id\n}\ntarget {\n  chip       = \"esp32c3\"\n  flash_size = \"4MB\"\n}\n")),
			argv("diff qs m"), 2, "espcompose: m/espcompose.hcl has a devices block: choose the device to compare with --device"},
		{"diff build.json not JSON", file("d/build.json", "{\n  \"tool\": \"espcompose\",\n  oops\n}\n"), argv("diff d qs"), 2,
			"espcompose: d/build.json:3: invalid character 'o' looking for beginning of object key string"},
		{"diff SHA256SUMS mismatch", files(file("d/build.json", "{}"), file("d/SHA256SUMS", sum("{ }")+"  build.json\n")), argv("diff qs d"), 2,
			"espcompose: d/SHA256SUMS:1: build.json does not match its sha256 (" + sum("{}") + ", listed " + sum("{ }") + "): it changed since the build"},
		{"diff SHA256SUMS bad line", files(file("d/build.json", "{}"), file("d/SHA256SUMS", sum("{}")+"  build.json\nnot a sum\n")), argv("diff qs d"), 2,
			`espcompose: d/SHA256SUMS:2: expected "<sha256>  <file>", found "not a sum"`},
		{"diff flash map names a missing file", file("d/build.json", `{"tool":"espcompose","flash_map":[{"name":"nvs","offset":"0x9000","size":"0x6000","type":"data/nvs","file":"partitions/nvs.bin"}],"outputs":[]}`), argv("diff d qs"), 2,
			"espcompose: d/build.json:1: flash_map names partitions/nvs.bin, which is not in the build"},
		{"diff bad manifest", file("bad/espcompose.hcl", "espcompose {\n  version = 1\n}\nbogus {}\n"), argv("diff qs bad/espcompose.hcl"), 2,
			"Error: Unsupported block type\n  on bad/espcompose.hcl line 4, in bogus:"},
		{"diff missing key", file("k/espcompose.hcl", "espcompose {\n  version = 1\n}\ntarget {\n  chip       = \"esp32c3\"\n  flash_size = \"4MB\"\n}\nkey \"flash\" {\n  algorithm = \"xts-aes-128\"\n  file      = \"fe.bin\"\n  create    = true\n}\nsecurity {\n  flash_encryption { key = key.flash }\n}\n"), argv("diff k qs"), 2,
			`espcompose: k/espcompose.hcl: key:flash: key "flash": fe.bin: key file missing`},
		{"diff manifest with an external signer", qsSecureBootEdit(`  file      = "keys/sign.pem"`, "  public_key = \"../rsa3072_pub.pem\"\n  signer     = [\"false\"]"), argv("diff qs qs"), 2,
			"espcompose: qs/espcompose.hcl:87: key.sb signs through an external signer, which diff does not ask to sign: build this release and compare its build directory"},
		{"diff unknown format", nil, argv("diff --format yaml qs qs"), 2, `espcompose: --format "yaml": choose text, json or markdown`},
		{"diff json and markdown", nil, argv("diff --json --format markdown qs qs"), 2, "espcompose: --json and --format markdown disagree; use one"},
		{"diff one side", nil, argv("diff qs"), 2, "espcompose: accepts 2 arg(s), received 1"},
	}
}
