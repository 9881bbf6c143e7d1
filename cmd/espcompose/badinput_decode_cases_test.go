package main

import (
	"bytes"
	"encoding/binary"
	"strings"
)

// ptEntry is one 32-byte partition table entry as gen_esp32part writes it.
func ptEntry(name string, typ, subtype byte, offset, size uint32) []byte {
	e := make([]byte, 32)
	e[0], e[1], e[2], e[3] = 0xAA, 0x50, typ, subtype
	binary.LittleEndian.PutUint32(e[4:], offset)
	binary.LittleEndian.PutUint32(e[8:], size)
	copy(e[12:28], name)
	return e
}

// ptBinary is a table of entries padded with 0xFF to the table sector's 0xC00 bytes.
func ptBinary(entries ...[]byte) string {
	b := bytes.Join(entries, nil)
	return string(append(b, bytes.Repeat([]byte{0xff}, 0xC00-len(b))...))
}

// flashImage is an erased 64 KiB flash with table at 0x8000, and no bootloader.
func flashImage(table string) string {
	img := bytes.Repeat([]byte{0xff}, 0x10000)
	copy(img[0x8000:], table)
	return string(img)
}

// decodeCases: decoders check what they read (issue 7 item 4).
func decodeCases() []badCase {
	nvsE := ptEntry("nvs", 1, 2, 0x9000, 0x6000)
	app := ptEntry("factory", 0, 0, 0x10000, 0x100000)
	dec := func(flags string) []string { return argv("partition-table decode " + flags + " t.bin out/t.csv") }
	return []badCase{
		{"pt decode overlap", file("t.bin", ptBinary(nvsE, ptEntry("phy", 1, 1, 0xa000, 0x1000))), dec(""), 2,
			`espcompose: t.bin: offset 0x20, partition "phy": Partition at 0xa000 overlaps 0x9000-0xefff`},
		{"pt decode duplicate name", file("t.bin", ptBinary(nvsE, ptEntry("nvs", 1, 1, 0xf000, 0x1000))), dec(""), 2,
			`espcompose: t.bin: offset 0x20, partition "nvs": Partition names must be unique (nvs)`},
		{"pt decode app misaligned", file("t.bin", ptBinary(nvsE, ptEntry("factory", 0, 0, 0x18000, 0x100000))), dec(""), 2,
			`espcompose: t.bin: offset 0x20, partition "factory": Partition factory invalid: Offset 0x18000 is not aligned to 0x10000`},
		{"pt decode otadata size", file("t.bin", ptBinary(nvsE, ptEntry("otadata", 1, 0, 0xf000, 0x1000))), dec(""), 2,
			`espcompose: t.bin: offset 0x20, partition "otadata": otadata partition must have size = 0x2000`},
		{"pt decode below the table", file("t.bin", ptBinary(ptEntry("low", 1, 2, 0x4000, 0x3000))), dec(""), 2,
			`espcompose: t.bin: offset 0x0, partition "low": Partition offset 0x4000 is below 0x9000`},
		{"pt decode larger than flash", file("t.bin", ptBinary(nvsE, ptEntry("factory", 0, 0, 0x10000, 0x400000))), dec("--flash-size 4MB"), 2,
			`espcompose: t.bin: offset 0x20, partition "factory": Partitions tables occupies 4.1MB of flash (4259840 bytes) which does not fit in configured flash size 4MB. Change the flash size in menuconfig under the 'Serial Flasher Config' menu.`},
		{"pt decode not a table", file("t.bin", ptBinary([]byte("garbage-not-a-partition-table!!!"))), dec(""), 2, "espcompose: t.bin: offset 0x0: Invalid magic bytes (b'ga') for partition definition"},
		{"pt decode empty", file("t.bin", ""), dec(""), 2, "espcompose: t.bin: offset 0x0: Partition table is missing an end-of-table marker"},

		{"nvs decode empty", file("n.bin", ""), argv("nvs decode n.bin"), 2,
			"espcompose: n.bin: empty file: an NVS partition is a whole number of 4096-byte pages"},
		{"nvs decode partial page", file("n.bin", strings.Repeat("\xff", 5000)), argv("nvs decode n.bin"), 2,
			"espcompose: n.bin: 5000 bytes is not a whole number of 4096-byte pages: the last page, at offset 0x1000, has only 904 bytes"},
		{"nvs decode all erased", file("n.bin", strings.Repeat("\xff", 3*4096)), argv("nvs decode n.bin"), 2,
			"espcompose: n.bin: no NVS page: all 3 page(s) (0x0-0x2fff) are erased (0xFF)"},

		{"inspect empty", file("f.bin", ""), argv("inspect f.bin"), 2,
			"espcompose: f.bin: not an ESP flash image: empty input (0 bytes)"},
		{"inspect erased flash", file("f.bin", strings.Repeat("\xff", 0x10000)), argv("inspect f.bin"), 2,
			"espcompose: f.bin: not an ESP flash image: no partition table at 0x8000: no entries (the sector is erased or holds only an MD5 record) (if the flash is encrypted, give --key and --chip)"},
		{"inspect text", nil, argv("inspect text.txt"), 2, "espcompose: text.txt: not an ESP flash image: no partition table at 0x8000: no entries (the sector is erased or holds only an MD5 record) (if the flash is encrypted, give --key and --chip)"},
		{"inspect a table with no bootloader", file("f.bin", flashImage(ptBinary(app))), argv("inspect f.bin"), 1,
			"espcompose: f.bin: 2 check(s) failed, first: not an ESP image: no bootloader header (magic 0xE9) at 0x0, 0x1000 or 0x2000 (give --chip if the bootloader is encrypted)"},
	}
}
