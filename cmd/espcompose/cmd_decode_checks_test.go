package main

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"encoding/json"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/conformance"
	"github.com/espcompose/espcompose/internal/testimage"
)

// rawTable writes partition records as given, with a correct MD5 record, so the
// only thing wrong with them is what the records say.
func rawTable(t *testing.T, fs afero.Fs, name string, recs ...[]any) {
	t.Helper()
	table := bytes.Repeat([]byte{0xFF}, 0xC00)
	for i, r := range recs {
		rec := table[i*32 : (i+1)*32]
		rec[0], rec[1], rec[2], rec[3] = 0xAA, 0x50, uint8(r[1].(int)), uint8(r[2].(int))
		binary.LittleEndian.PutUint32(rec[4:], uint32(r[3].(int)))
		binary.LittleEndian.PutUint32(rec[8:], uint32(r[4].(int)))
		clear(rec[12:32])
		copy(rec[12:28], r[0].(string))
	}
	n := len(recs) * 32
	md5rec := table[n : n+32]
	md5rec[0], md5rec[1] = 0xEB, 0xEB
	sum := md5.Sum(table[:n])
	copy(md5rec[16:], sum[:])
	if err := afero.WriteFile(fs, name, table, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestPartitionTableDecodeChecksLikeTheTool(t *testing.T) {
	nvs := []any{"nvs", 1, 2, 0x9000, 0x6000}
	app := []any{"factory", 0, 0, 0x10000, 0x100000}
	cases := []struct {
		name  string
		recs  [][]any
		flags []string
		msg   string
	}{
		{"overlap", [][]any{nvs, app, {"ota_1", 0, 0x11, 0x100000, 0x100000}}, nil,
			`in.bin: offset 0x40, partition "ota_1": Partition at 0x100000 overlaps 0x10000-0x10ffff`},
		{"duplicate name", [][]any{nvs, app, {"nvs", 1, 0x81, 0x200000, 0x10000}}, nil,
			`in.bin: offset 0x40, partition "nvs": Partition names must be unique (nvs)`},
		{"past flash size", [][]any{nvs, {"factory", 0, 0, 0x10000, 0x400000}}, []string{"--flash-size", "4MB"},
			`in.bin: offset 0x20, partition "factory": Partitions tables occupies 4.1MB of flash (4259840 bytes) which does not fit in configured flash size 4MB.`},
		{"misaligned", [][]any{nvs, {"factory", 0, 0, 0x18000, 0x100000}}, nil,
			`in.bin: offset 0x20, partition "factory": Partition factory invalid: Offset 0x18000 is not aligned to 0x10000`},
		{"otadata size", [][]any{nvs, {"otadata", 1, 0, 0xf000, 0x1000}, app}, nil,
			`in.bin: offset 0x20, partition "otadata": otadata partition must have size = 0x2000`},
		{"below the table", [][]any{{"low", 1, 0x81, 0x4000, 0x1000}}, nil,
			`in.bin: offset 0x0, partition "low": Partition offset 0x4000 is below 0x9000`},
		{"below a moved table", [][]any{nvs, app}, []string{"--offset", "0xa000"},
			`in.bin: offset 0x0, partition "nvs": Partition offset 0x9000 is below 0xb000`},
		{"secure v1 app size", [][]any{nvs, {"factory", 0, 0, 0x10000, 0x101000}}, []string{"--secure", "v1"},
			`in.bin: offset 0x20, partition "factory": Partition factory invalid: Size 0x101000 is not aligned to 0x10000`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := afero.NewMemMapFs()
			rawTable(t, fs, "in.bin", c.recs...)
			args := append([]string{"partition-table", "decode"}, c.flags...)
			code, stdout, stderr := runCLI(t, fs, nil, append(args, "in.bin", "out.csv")...)
			if code != 2 || !strings.Contains(stderr, c.msg) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, c.msg)
			}
			if stdout != "" {
				t.Errorf("wrote %q to stdout", stdout)
			}
			if ok, _ := afero.Exists(fs, "out.csv"); ok {
				t.Error("a refused table was written")
			}
			// --no-verify reads it as the tool's --no-verify does.
			code, _, stderr = runCLI(t, fs, nil, append(append(args, "--no-verify"), "in.bin", "out.csv")...)
			if code != 0 {
				t.Errorf("--no-verify: exit %d: %s", code, stderr)
			}
		})
	}
}

// Every binary-to-CSV run of the reference tool, with its options, decodes byte for
// byte through the command.
func TestCLIPartitionTableReverseConformance(t *testing.T) {
	for _, c := range conformance.Load(t, "parttable") {
		var cc struct {
			Reverse []string `json:"reverse_command"`
			CSV     string   `json:"expected_csv"`
		}
		c.Decode(t, &cc)
		if cc.Reverse == nil {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			fs := confFS(t, c)
			// --disable-md5sum only changes how the tool reads a binary that has an
			// MD5 record; ours accepts a table with or without one.
			keep := map[string]string{"--disable-md5sum": ""}
			args := append([]string{"partition-table", "decode"}, translate(cc.Reverse[2:len(cc.Reverse)-1], keep, nil)...)
			code, _, stderr := runCLI(t, fs, nil, append(args, "/case/out.csv")...)
			if code != 0 {
				t.Fatalf("exit %d: %s (args %q)", code, stderr, args)
			}
			got, _ := afero.ReadFile(fs, "/case/out.csv")
			if want := c.File(t, cc.CSV); !bytes.Equal(got, want) {
				t.Errorf("decoded CSV differs from %s:\n%s", cc.CSV, got)
			}
		})
	}
}

func TestNVSDecodeRefusesWhatIsNoPartition(t *testing.T) {
	garbage := bytes.Repeat([]byte{0x5A}, 4096)
	cases := []struct {
		name string
		data []byte
		args []string
		want string
	}{
		{"empty", nil, nil,
			"espcompose: in.bin: empty file: an NVS partition is a whole number of 4096-byte pages\n"},
		{"partial page", make([]byte, 5000), nil,
			"espcompose: in.bin: 5000 bytes is not a whole number of 4096-byte pages: the last page, at offset 0x1000, has only 904 bytes\n"},
		{"partial page with keys", make([]byte, 100), []string{"--hmac-key", "h.bin"},
			"espcompose: in.bin: 100 bytes is not a whole number of 4096-byte pages: the last page, at offset 0x0, has only 100 bytes\n"},
		{"erased", bytes.Repeat([]byte{0xFF}, 3*4096), nil,
			"espcompose: in.bin: no NVS page: all 3 page(s) (0x0-0x2fff) are erased (0xFF)\n"},
		{"garbage", garbage, nil,
			"espcompose: in.bin: nvs: CRC mismatch: page header at offset 0x0 (if the image is encrypted, pass --keyfile or --hmac-key)\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := afero.NewMemMapFs()
			_ = afero.WriteFile(fs, "in.bin", c.data, 0o644)
			_ = afero.WriteFile(fs, "h.bin", bytes.Repeat([]byte{1}, 32), 0o600)
			for _, json := range []bool{false, true} {
				args := append([]string{"nvs", "decode", "in.bin"}, c.args...)
				if json {
					args = append(args, "--json")
				}
				code, stdout, stderr := runCLI(t, fs, nil, args...)
				// Under --json stdout holds the one error object (docs/json.md).
				wantOut := ""
				if json {
					wantOut = errorObject("nvs decode", 2, strings.TrimSuffix(strings.TrimPrefix(c.want, "espcompose: "), "\n"))
				}
				if code != 2 || stdout != wantOut || stderr != c.want {
					t.Errorf("json=%v: exit %d, stdout %q, stderr %q\nwant 2, %q and %q", json, code, stdout, stderr, wantOut, c.want)
				}
			}
		})
	}
}

func TestInspectExitCodesAndFindings(t *testing.T) {
	boot, err := testimage.BootloaderWith(testimage.AppSpec{Chip: "esp32c3", FlashSize: "4MB"})
	if err != nil {
		t.Fatal(err)
	}
	fs := afero.NewMemMapFs()
	rawTable(t, fs, "table.bin", []any{"at_customize", 0x40, 0, 0x20000, 0x10000})
	rawTable(t, fs, "loop.bin", []any{"self", 0x40, 0, 0x20000, 0x10000})
	table, _ := afero.ReadFile(fs, "table.bin")
	loop, _ := afero.ReadFile(fs, "loop.bin")
	img := bytes.Repeat([]byte{0xFF}, 0x21000)
	copy(img, boot)
	copy(img[0x8000:], table)
	copy(img[0x20000:], loop)
	_ = afero.WriteFile(fs, "loop-image.bin", img, 0o644)
	_ = afero.WriteFile(fs, "empty.bin", nil, 0o644)
	_ = afero.WriteFile(fs, "garbage.bin", bytes.Repeat([]byte("garbage!"), 0x2000), 0o644)

	cases := []struct {
		file       string
		code       int
		findings   []string // codes
		textLine   string
		stderrLine string
	}{
		{"empty.bin", 2, []string{"empty_input"},
			"  FATAL empty_input at 0x000000: empty input (0 bytes)\n",
			"espcompose: empty.bin: not an ESP flash image: empty input (0 bytes)\n"},
		{"garbage.bin", 2, []string{"no_partition_table", "not_an_esp_image"},
			"  FATAL not_an_esp_image at 0x000000: not an ESP image: no bootloader header (magic 0xE9) at 0x0, 0x1000 or 0x2000\n",
			"espcompose: garbage.bin: not an ESP flash image: no partition table at 0x8000: Invalid magic bytes (b'ga') for partition definition (byte 0x0 of the table) (if the flash is encrypted, give --key and --chip)\n"},
		{"loop-image.bin", 1, []string{"table_invalid", "table_loop"},
			"  ERROR table_loop at 0x020000: partition \"self\" at 0x20000 points back at the table in \"at_customize\" at 0x20000, already read: not followed\n",
			"espcompose: loop-image.bin: 2 check(s) failed, first: partition table at 0x20000 (in \"at_customize\"), record at 0x20000 (\"self\"): Partition offset 0x20000 is below 0x21000\n"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, fs, nil, "inspect", c.file)
			if code != c.code || !strings.Contains(stdout, c.textLine) || stderr != c.stderrLine {
				t.Errorf("text: exit %d, stdout:\n%s\nstderr %q\nwant exit %d, line %q, stderr %q", code, stdout, stderr, c.code, c.textLine, c.stderrLine)
			}
			code, stdout, _ = runCLI(t, fs, nil, "inspect", "--json", c.file)
			var doc struct {
				Findings []struct {
					Severity string `json:"severity"`
					Code     string `json:"code"`
					Offset   *int   `json:"offset"`
					Message  string `json:"message"`
				} `json:"findings"`
			}
			if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
				t.Fatalf("--json: %v\n%s", err, stdout)
			}
			var got []string
			for _, f := range doc.Findings {
				got = append(got, f.Code)
				if f.Offset == nil || f.Message == "" || (f.Severity != "fatal" && f.Severity != "error") {
					t.Errorf("finding without offset, message or severity: %+v", f)
				}
			}
			if code != c.code || strings.Join(got, ",") != strings.Join(c.findings, ",") {
				t.Errorf("--json: exit %d, findings %v; want %d, %v", code, got, c.code, c.findings)
			}
		})
	}
}
