package main

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/espcompose/espcompose/format/spiffs"
)

// qsFilesystem is the quickstart manifest whose storage partition (line 71) is filled
// from a filesystem block appended at line 88; subtype replaces its subtype, and
// extra is merged in (the folder's files, keyed from the case directory).
func qsFilesystem(block, subtype string, extra map[string]string) map[string]string {
	b, err := os.ReadFile(filepath.Join(examplesDir, "quickstart", "espcompose.hcl"))
	if err != nil {
		panic(err)
	}
	old := "  subtype = \"spiffs\"\n  size    = \"896K\"\n"
	s := string(b)
	if !strings.Contains(s, old) {
		panic("qsFilesystem: the quickstart storage partition changed")
	}
	s = strings.Replace(s, old, "  subtype = \""+subtype+"\"\n  size    = \"896K\"\n  contents = filesystem.web\n", 1)
	s += "\nfilesystem \"web\" {\n" + block + "}\n"
	return files(file("qs/espcompose.hcl", s), extra)
}

// www is a small web folder beside the quickstart manifest.
var www = map[string]string{"qs/www/INDEX.HTM": "<html></html>\n", "qs/www/js/APP.JS": "let a = 1\n"}

// hostileSPIFFS is a SPIFFS image holding a file named "../evil.txt" (the encoder
// refuses the name, so it is patched in).
func hostileSPIFFS() string {
	img, err := spiffs.Build([]spiffs.File{{Path: "zzzzzzzzzzz", Data: []byte("x")}}, spiffs.DefaultOptions(16<<10))
	if err != nil {
		panic(err)
	}
	s := string(img)
	return strings.Replace(s, "/zzzzzzzzzzz\x00", "/../evil.txt\x00", 1)
}

func fsCases() []badCase {
	qs := func(cmd string) []string { return argv(cmd + " -f qs/espcompose.hcl -o out --cache-dir cache") }
	fat := "  type = \"fat\"\n  dir  = \"www\"\n"
	big := map[string]string{"qs/www/BIG.BIN": strings.Repeat("x", 1<<20)}
	fb := func(flags string) []string { return argv("fs build " + flags + " dir out/fs.bin") }
	dir := map[string]string{"dir/a.txt": "a\n", "dir/sub/b.txt": "b\n"}
	return []badCase{
		// The manifest: every mistake on its line.
		{"fs block unknown type", qsFilesystem("  type = \"ext4\"\n  dir  = \"www\"\n", "fat", www), qs("validate"), 2, "Error: Unknown filesystem type\n  on qs/espcompose.hcl line 89, in filesystem \"web\":"},
		{"fs block option of another type", qsFilesystem(fat+"  page_size = 512\n", "fat", www), qs("validate"), 2, "Error: Option does not apply\n  on qs/espcompose.hcl line 91, in filesystem \"web\":"},
		{"fs block bad sector size", qsFilesystem(fat+"  sector_size = 1024\n", "fat", www), qs("validate"), 2, "Error: Invalid sector size\n  on qs/espcompose.hcl line 91, in filesystem \"web\":"},
		{"fs block without dir", qsFilesystem("  type = \"fat\"\n", "fat", www), qs("validate"), 2, "Error: Missing required argument\n  on qs/espcompose.hcl line 88, in filesystem \"web\":"},
		{"fs undeclared filesystem", editFile(qsFilesystem(fat, "fat", www), "qs/espcompose.hcl", "contents = filesystem.web", "contents = filesystem.wbe"), qs("plan"), 2, "Error: Reference to undeclared filesystem\n  on qs/espcompose.hcl line 75, in partition \"storage\":"},
		{"fs folder missing", qsFilesystem("  type = \"fat\"\n  dir  = \"nope\"\n", "fat", www), qs("plan"), 2, "Error: Cannot read filesystem folder\n  on qs/espcompose.hcl line 90, in filesystem \"web\":"},
		{"fs folder is a file", qsFilesystem("  type = \"fat\"\n  dir  = \"images/app.bin\"\n", "fat", www), qs("build"), 2, "Error: Cannot read filesystem folder\n  on qs/espcompose.hcl line 90, in filesystem \"web\":"},
		{"fs subtype does not match", qsFilesystem(fat, "spiffs", www), qs("build"), 2, "Error: Filesystem does not match the partition\n  on qs/espcompose.hcl line 75, in partition \"storage\":"},
		{"fs files do not fit", qsFilesystem(fat, "fat", files(www, big)), qs("build"), 2, "Error: Files do not fit the partition\n  on qs/espcompose.hcl line 75, in partition \"storage\":"},
		{"fs name not 8.3", qsFilesystem(fat, "fat", files(www, file("qs/www/index.html", "x"))), qs("build"), 2, "Error: Name too long for the filesystem\n  on qs/espcompose.hcl line 90, in filesystem \"web\":"},
		{"fs spiffs name too long", qsFilesystem("  type = \"spiffs\"\n  dir  = \"www\"\n  obj_name_len = 8\n", "spiffs", www), qs("build"), 2, "Error: Name too long for the filesystem\n  on qs/espcompose.hcl line 91, in filesystem \"web\":"},
		{"fs safe mode on 4096-byte sectors", qsFilesystem("  type = \"wl-fat\"\n  dir  = \"www\"\n  wl_mode = \"safe\"\n", "fat", www), qs("plan"), 2, "Error: Invalid filesystem options\n  on qs/espcompose.hcl line 91, in filesystem \"web\":"},

		// fs build
		{"fs build without --type", dir, argv("fs build --size 64K dir out/fs.bin"), 2, "espcompose: --type is required: spiffs, fat or wl-fat"},
		{"fs build unknown --type", dir, fb("--type ext4 --size 64K"), 2, `espcompose: --type must be spiffs, fat or wl-fat, not "ext4"`},
		{"fs build without --size", dir, fb("--type fat"), 2, "espcompose: --size is required (the partition size, e.g. 0x100000 or 1M)"},
		{"fs build bad --size", dir, fb("--type fat --size 4Q"), 2, `espcompose: --size: "4Q" is not a partition size (1 byte to 128MB)`},
		{"fs build --size detect for spiffs", dir, fb("--type spiffs --size detect"), 2, "espcompose: --size detect works with --type fat only; a spiffs image fills its partition"},
		{"fs build flag of another type", dir, fb("--type fat --size 64K --page-size 512 --wl-mode safe"), 2, "espcompose: --page-size applies to --type spiffs; --wl-mode applies to --type wl-fat, not fat"},
		{"fs build bad --sector-size", dir, fb("--type fat --size 64K --sector-size 1024"), 2, "espcompose: --sector-size must be 512 or 4096, not 1024"},
		{"fs build bad --fat-type", dir, fb("--type fat --size 64K --fat-type 32"), 2, "espcompose: --fat-type must be 12 or 16, not 32"},
		{"fs build --big-endian for fat", dir, fb("--type fat --size 64K --big-endian"), 2, "espcompose: --big-endian applies to --type spiffs, not fat"},
		{"fs build bad --fat-count", dir, fb("--type fat --size 64K --fat-count 3"), 2, "espcompose: --fat-count must be 1 or 2, not 3"},
		{"fs build bad --volume-id", dir, fb("--type fat --size 64K --volume-id zz"), 2, `espcompose: --volume-id: "zz" is not a 32-bit number (e.g. 0x12345678)`},
		{"fs build bad --device-id", dir, fb("--type wl-fat --size 64K --device-id 0x123456789"), 2, `espcompose: --device-id: "0x123456789" is not a 32-bit number (e.g. 0x12345678)`},
		{"fs build bad --wl-mode", dir, fb("--type wl-fat --size 64K --wl-mode fast"), 2, `espcompose: --wl-mode must be safe or perf, not "fast"`},
		{"fs build safe mode on 4096-byte sectors", dir, fb("--type wl-fat --size 64K --wl-mode safe"), 2, "espcompose: invalid filesystem options: wl_mode safe needs sector_size 512 (as wl_fatfsgen.py), not 4096"},
		{"fs build bad --page-size", dir, fb("--type spiffs --size 64K --page-size 9"), 2, `espcompose: --page-size: "9" is not a number from 64 to 65536`},
		{"fs build --magic and --no-magic", dir, fb("--type spiffs --size 64K --magic --no-magic"), 2, "espcompose: give --magic or --no-magic, --magic-len or --no-magic-len, not both"},
		{"fs build bad --label", dir, fb("--type fat --size 64K --label TWELVE_CHARS"), 2, `espcompose: --label is at most 11 printable ASCII characters, not "TWELVE_CHARS"`},
		{"fs build --source-date-epoch unset", dir, fb("--type fat --size 64K --source-date-epoch"), 2, `espcompose: --source-date-epoch: SOURCE_DATE_EPOCH="" is not a number of seconds`},
		{"fs build folder missing", nil, argv("fs build --type fat --size 64K nope out/fs.bin"), 2, "espcompose: read nope: no such file or directory"},
		{"fs build folder is a file", nil, argv("fs build --type fat --size 64K pt.csv out/fs.bin"), 2, "espcompose: read pt.csv: pt.csv is not a folder"},
		{"fs build does not fit", files(dir, file("dir/big.bin", strings.Repeat("y", 100<<10))), fb("--type spiffs --size 64K"), 2, "espcompose: dir does not fit a 65536-byte spiffs image: it needs at least 114688 bytes (0x1c000), 49152 more: spiffs: the image size has been exceeded: adding \"/big.bin\"; the files need 114688 bytes, the image has 65536 (49152 bytes over)"},
		{"fs build name not 8.3", files(dir, file("dir/longer-name.txt", "x")), fb("--type fat --size 64K --sector-size 512"), 2, `espcompose: dir: fatfs: name longer than 8.3 without long name support: "longer-name.txt": maximal length of the object name is 8 characters and 3 characters for extension (use 8.3 names or --long-names)`},
		{"fs build image inside its folder", dir, argv("fs build --type fat --size 64K dir dir/fs.bin"), 2, "espcompose: dir/fs.bin is inside dir; the image would be packed into the next image built from that folder"},
		{"fs build extra argument", dir, argv("fs build --type fat --size 64K dir out/a.bin out/b.bin"), 2, "espcompose: accepts 2 arg(s), received 3"},

		// fs ls
		{"fs ls missing image", nil, argv("fs ls nope.bin"), 2, "espcompose: read nope.bin: no such file or directory"},
		{"fs ls not a filesystem", nil, argv("fs ls text.txt"), 2, "espcompose: text.txt: not a readable spiffs image: spiffs: corrupt image: image of 52 bytes is not a whole number of 4096-byte blocks (SPIFFS images record none of their options: give --page-size, --block-size, --obj-name-len, --meta-len as it was built, or --type)"},
		{"fs ls empty image", nil, argv("fs ls empty.bin"), 2, "espcompose: empty.bin is empty, so it holds no filesystem"},
		{"fs ls bad --type", nil, argv("fs ls --type ext4 app.bin"), 2, `espcompose: --type must be spiffs, fat or wl-fat, not "ext4"`},
		{"fs ls app image as fat", nil, argv("fs ls --type fat app.bin"), 2, "espcompose: app.bin: not a readable fat image: fatfs: corrupt image: no boot sector signature at byte 510"},
		{"fs ls app image as wl-fat", nil, argv("fs ls --type wl-fat app.bin"), 2, "espcompose: app.bin: not a readable wl-fat image: wl: not a wear-levelled image: 82000 bytes is not a WL partition (a multiple of 4096, at least 20480)"},

		// fs extract
		{"fs extract hostile name", file("h.bin", hostileSPIFFS()), argv("fs extract h.bin out/x"), 2, `espcompose: h.bin holds the name "../evil.txt", which would be written outside out/x; nothing extracted`},
		{"fs extract into a full folder", files(spiffsImage(), file("full/keep.txt", "mine")), argv("fs extract spiffs.bin full"), 2, "espcompose: full exists and is not empty; extract only into a new or empty folder"},
		{"fs extract into a file", spiffsImage(), argv("fs extract spiffs.bin pt.csv"), 2, "espcompose: refusing to use pt.csv as an extract folder: it is a file, not a folder"},
		{"fs extract into the folder of its input", spiffsImage(), argv("fs extract spiffs.bin ."), 2, "espcompose: refusing to use . as an extract folder: it holds input file spiffs.bin"},
		{"fs extract not a filesystem", nil, argv("fs extract text.txt out/x"), 2, "espcompose: text.txt: not a readable spiffs image: spiffs: corrupt image: image of 52 bytes is not a whole number of 4096-byte blocks (SPIFFS images record none of their options: give --page-size, --block-size, --obj-name-len, --meta-len as it was built, or --type)"},
		{"fs extract missing image", nil, argv("fs extract nope.bin out/x"), 2, "espcompose: read nope.bin: no such file or directory"},
	}
}

// spiffsImage is a valid SPIFFS image, spiffs.bin, of one file.
func spiffsImage() map[string]string {
	img, err := spiffs.Build([]spiffs.File{{Path: "a.txt", Data: []byte("a\n")}}, spiffs.DefaultOptions(16<<10))
	if err != nil {
		panic(err)
	}
	return file("spiffs.bin", string(img))
}

// editFile replaces old with new in one file of a case's file map.
func editFile(m map[string]string, name, old, new string) map[string]string {
	if !strings.Contains(m[name], old) {
		panic("editFile: " + name + " has no " + old)
	}
	m[name] = strings.Replace(m[name], old, new, 1)
	return m
}
