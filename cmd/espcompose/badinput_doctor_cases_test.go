package main

// doctorCases: doctor's bad input exits 2 naming the file, and writes nothing.
func doctorCases() []badCase {
	notImage := "not a flash image: no partition table at 0x8000: no entries (the sector is erased or holds only an MD5 record) (if the flash is encrypted, give --key and --chip)"
	return []badCase{
		{"doctor text", nil, argv("doctor text.txt"), 2, "espcompose: text.txt: " + notImage},
		{"doctor missing image", nil, argv("doctor nope.bin"), 2, "espcompose: nope.bin: no such file or directory"},
		{"doctor empty image", nil, argv("doctor empty.bin"), 2, "espcompose: empty.bin: not a flash image: empty input (0 bytes)"},
		{"doctor not a build directory", file("d/x", ""), argv("doctor d"), 2, "espcompose: d: not an espcompose build directory: open d/flasher_args.json: no such file or directory"},
		{"doctor key of the wrong size", nil, argv("doctor app.bin --key text.txt"), 2,
			"espcompose: app.bin: not a flash image: no partition table at 0x8000: flashenc: wrong key length: esp32c3 key has wrong length (52 bytes), 32 expected"},
		{"doctor nvs keys and hmac key", nil, argv("doctor app.bin --nvs-keys text.txt --nvs-hmac-key text.txt"), 2, "espcompose: --nvs-keys and --nvs-hmac-key: give one"},
		{"doctor bad hmac key", nil, argv("doctor app.bin --nvs-hmac-key text.txt"), 2, "espcompose: text.txt: nvs: wrong key length: HMAC key is 52 bytes, want 32"},
		{"doctor bad --table-offset", nil, argv("doctor app.bin --table-offset zz"), 2, `espcompose: --table-offset: "zz" is not an address or size`},
		{"doctor manifest missing", nil, argv("doctor -f nope.hcl"), 2, "nope.hcl: no such file or directory."},
		{"doctor two inputs", nil, argv("doctor a.bin b.bin"), 2, "espcompose: accepts at most 1 arg(s), received 2"},
	}
}
