package main

import "strings"

// derivedKeyBlock makes the quickstart fixture a device batch whose flash encryption
// key is derived per device from a master secret; each case edits one line of it.
// It starts on line 82 of qs/espcompose.hcl (before output {).
const derivedKeyBlock = `devices {
  csv = "devices.csv"
  id  = device.serial
}
key "master" {
  algorithm = "hmac"
  file      = "../hmac.bin"
}
key "flash" {
  algorithm   = "xts-aes-128"
  derive_from = key.master
}
security {
  flash_encryption {
    key = key.flash
  }
}
`

// derivedKeyEdit is the quickstart manifest with the derived-key blocks, old replaced
// by new in them, and a devices file of two devices.
func derivedKeyEdit(old, new string) map[string]string {
	if !strings.Contains(derivedKeyBlock, old) {
		panic("derivedKeyEdit: no " + old)
	}
	return files(qsEdit("output {", strings.Replace(derivedKeyBlock, old, new, 1)+"output {"),
		file("qs/devices.csv", "serial\nD-1\nD-2\n"))
}

// derivedKeyCases: key.derive_from and `key derive`. Each is exit 2 with nothing
// written, in validate as in build.
func derivedKeyCases() []badCase {
	qs := func(cmd string) []string { return argv(cmd + " -f qs/espcompose.hcl -o out --cache-dir cache") }
	return []badCase{
		{"derived key from an undeclared master", derivedKeyEdit("key.master\n", "key.nope\n"), qs("validate"), 2,
			"Error: Reference to undeclared key\n  on qs/espcompose.hcl line 92, in key \"flash\":"},
		{"derived key master too short", files(derivedKeyEdit(`"../hmac.bin"`, `"short.bin"`), file("qs/short.bin", "0123456789abcdef")), qs("build"), 2,
			"Error: Wrong key file length\n  on qs/espcompose.hcl line 88, in key \"master\":"},
		{"derived key master too short, validate", files(derivedKeyEdit(`"../hmac.bin"`, `"short.bin"`), file("qs/short.bin", "0123456789abcdef")), qs("validate"), 2,
			"Error: Wrong key file length\n  on qs/espcompose.hcl line 88, in key \"master\":"},
		{"derived key without devices, validate", derivedKeyEdit("devices {\n  csv = \"devices.csv\"\n  id  = device.serial\n}\n", ""), qs("validate"), 2,
			"Error: Derived key without devices\n  on qs/espcompose.hcl line 88, in key \"flash\":"},
		{"derived key master not hmac", derivedKeyEdit(`algorithm = "hmac"`, `algorithm = "aes-256"`), qs("validate"), 2,
			"Error: Wrong master secret\n  on qs/espcompose.hcl line 92, in key \"flash\":"},
		{"derived key without devices", derivedKeyEdit("devices {\n  csv = \"devices.csv\"\n  id  = device.serial\n}\n", ""), qs("build"), 2,
			"Error: Derived key without devices\n  on qs/espcompose.hcl line 88, in key \"flash\":"},
		{"derived signing key", derivedKeyEdit(`"xts-aes-128"`, `"ecdsa-p256"`), qs("validate"), 2,
			"Error: Key algorithm cannot be derived\n  on qs/espcompose.hcl line 92, in key \"flash\":"},
		{"derived key with a file", derivedKeyEdit("derive_from = key.master\n", "derive_from = key.master\n  file        = \"k.bin\"\n"), qs("plan"), 2,
			"Error: Conflicting key sources\n  on qs/espcompose.hcl line 93, in key \"flash\":"},
		{"derived key from itself", derivedKeyEdit("key.master\n", "key.flash\n"), qs("validate"), 2,
			"Error: Reference cycle\n  on qs/espcompose.hcl line 90, in key \"flash\":"},
		{"key derive without --device", derivedKeyEdit("", ""), argv("key derive -f qs/espcompose.hcl flash out/k.bin"), 2,
			"espcompose: key derive: --device ID names the device whose key to derive"},
		{"key derive of a key that is not derived", derivedKeyEdit("", ""), argv("key derive -f qs/espcompose.hcl --device D-1 master out/k.bin"), 2,
			"espcompose: key.master is not derived (it has no derive_from); its key is its file"},
		{"key derive of an unknown device", derivedKeyEdit("", ""), argv("key derive -f qs/espcompose.hcl --device D-9 flash out/k.bin"), 2,
			`espcompose: no device with id "D-9" in the devices file`},
		{"key derive over an existing file", derivedKeyEdit("", ""), argv("key derive -f qs/espcompose.hcl --device D-1 flash qs/devices.csv"), 2,
			"espcompose: key derive qs/devices.csv: file exists; refusing to overwrite a key file"},
	}
}
