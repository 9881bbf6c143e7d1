package parttable

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

func mustParse(t *testing.T, csv string, opts Options) *Table {
	t.Helper()
	tb, err := ParseCSV(strings.NewReader(csv), "t.csv", opts)
	if err != nil {
		t.Fatalf("ParseCSV: %v", err)
	}
	return tb
}

// The fixture's binary and CSV were produced by gen_esp32part 1.5.
func TestFixtureRoundTrip(t *testing.T) {
	csv, err := os.ReadFile("testdata/ota_mixed.csv")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile("testdata/ota_mixed.bin")
	wantCSV, _ := os.ReadFile("testdata/ota_mixed.expected.csv")
	tb, err := ParseCSV(bytes.NewReader(csv), "ota_mixed.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Encode(tb, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("binary differs from gen_esp32part's")
	}
	back, err := Decode(got)
	if err != nil {
		t.Fatal(err)
	}
	if string(back.CSV()) != string(wantCSV) {
		t.Fatalf("CSV differs:\n%s", back.CSV())
	}
	if tb.Entries[6].Size != 0x400000-0x340000 {
		t.Errorf("negative size: got 0x%x", tb.Entries[6].Size)
	}
}

func TestParseCSVDialect(t *testing.T) {
	env := map[string]string{"SZ": "0x6000", "NAME": "nvs"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	tests := []struct {
		name string
		in   string
		opts Options
		want []Entry // Name, Type, Subtype, Offset, Size, flags compared
	}{
		{"suffixes recurse", "a, data, fat, , 1kk\n", Options{},
			[]Entry{{Name: "a", Type: 1, Subtype: 0x81, Offset: 0x9000, Size: 1 << 20}}},
		{"keywords any case", "a, DaTa, NVS_KEYS, , 4k, encrypted\n", Options{},
			[]Entry{{Name: "a", Type: 1, Subtype: 4, Offset: 0x9000, Size: 0x1000, Encrypted: true}}},
		{"python ints", "a, 0x1, 0b11, 0x_9000, 0o10k\nb, 0x40, 00, , 1_024\n", Options{},
			[]Entry{{Name: "a", Type: 1, Subtype: 3, Offset: 0x9000, Size: 0x2000},
				{Name: "b", Type: 0x40, Subtype: 0, Offset: 0xb000, Size: 1024}}},
		{"unicode digits and spaces", "a, data, fat, , \u00a0\u0661\u0662K\u3000\n", Options{},
			[]Entry{{Name: "a", Type: 1, Subtype: 0x81, Offset: 0x9000, Size: 12 << 10}}},
		{"python line breaks", "a,data,fat,,4K\x0bb,data,fat,,4K\u2028c,data,fat,,4K\r\n", Options{},
			[]Entry{{Name: "a", Type: 1, Subtype: 0x81, Offset: 0x9000, Size: 0x1000},
				{Name: "b", Type: 1, Subtype: 0x81, Offset: 0xa000, Size: 0x1000},
				{Name: "c", Type: 1, Subtype: 0x81, Offset: 0xb000, Size: 0x1000}}},
		{"empty subtype is undefined", "a, 0x40, , , 4K\n", Options{},
			[]Entry{{Name: "a", Type: 0x40, Subtype: 6, Offset: 0x9000, Size: 0x1000}}},
		{"variables", "$NAME, data, nvs, , ${SZ}\n", Options{LookupEnv: lookup},
			[]Entry{{Name: "nvs", Type: 1, Subtype: 2, Offset: 0x9000, Size: 0x6000}}},
		{"extra fields and flag colons", "a, data, fat, , 4K, :readonly:, x, y\n", Options{},
			[]Entry{{Name: "a", Type: 1, Subtype: 0x81, Offset: 0x9000, Size: 0x1000, Readonly: true}}},
		{"apps align to 64K", "a, data, fat, , 4K\nb, app, factory, , 64K\nc, 0x40, 0, , 4K\n", Options{},
			[]Entry{{Name: "a", Type: 1, Subtype: 0x81, Offset: 0x9000, Size: 0x1000},
				{Name: "b", Type: 0, Subtype: 0, Offset: 0x10000, Size: 0x10000},
				{Name: "c", Type: 0x40, Subtype: 0, Offset: 0x20000, Size: 0x1000}}},
		{"bootloader entries take option offsets", "bl, bootloader, primary, N/A, N/A\npt, partition_table, primary, x, y\nn, data, nvs, , 0x6000\nr, bootloader, recovery, , \n",
			Options{PrimaryBootloaderOffset: new(uint32(0)), RecoveryBootloaderOffset: new(uint32(0x300000))},
			[]Entry{{Name: "bl", Type: 2, Subtype: 0, Offset: 0, Size: 0x8000},
				{Name: "pt", Type: 3, Subtype: 0, Offset: 0x8000, Size: 0x1000},
				{Name: "n", Type: 1, Subtype: 2, Offset: 0x9000, Size: 0x6000},
				{Name: "r", Type: 2, Subtype: 2, Offset: 0x300000, Size: 0x8000}}},
		{"extra subtype", "a, data, my_data, , 4K\n", Options{ExtraSubtypes: []Subtype{{TypeData, "my_data", 0x40}}},
			[]Entry{{Name: "a", Type: 1, Subtype: 0x40, Offset: 0x9000, Size: 0x1000}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tb := mustParse(t, tc.in, tc.opts)
			if len(tb.Entries) != len(tc.want) {
				t.Fatalf("got %d entries, want %d: %+v", len(tb.Entries), len(tc.want), tb.Entries)
			}
			for i, w := range tc.want {
				g := tb.Entries[i]
				g.Line = 0
				if g != w {
					t.Errorf("entry %d: got %+v, want %+v", i, g, w)
				}
			}
			if err := tb.Validate(tc.opts); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestParseCSVEncodings(t *testing.T) {
	text := "nvs, data, nvs, , 0x6000\n"
	utf16le := []byte{0xFF, 0xFE}
	utf16be := []byte{0xFE, 0xFF}
	for _, r := range text {
		utf16le = append(utf16le, byte(r), 0)
		utf16be = append(utf16be, 0, byte(r))
	}
	for name, in := range map[string][]byte{
		"utf8":     []byte(text),
		"utf8 bom": append([]byte{0xEF, 0xBB, 0xBF}, text...),
		"utf16le":  utf16le,
		"utf16be":  utf16be,
	} {
		tb, err := ParseCSV(bytes.NewReader(in), name, Options{})
		if err != nil || len(tb.Entries) != 1 || tb.Entries[0].Name != "nvs" {
			t.Errorf("%s: %v %+v", name, err, tb)
		}
	}
	if _, err := ParseCSV(bytes.NewReader([]byte("a\xff, data, nvs, , 0x6000\n")), "bad.csv", Options{}); !errors.Is(err, ErrSyntax) {
		t.Errorf("invalid UTF-8: got %v", err)
	}
}

func TestParseCSVErrors(t *testing.T) {
	tests := []struct {
		in       string
		opts     Options
		sentinel error
		contains string
	}{
		{"a\n", Options{}, ErrSyntax, "t.csv:1: Field 'type' can't be left empty."},
		{"# c\na, data\n", Options{}, ErrSyntax, "t.csv:2: Size field can't be empty"},
		{"a, app\n", Options{}, ErrSyntax, "App partition cannot have an empty subtype"},
		{"a, data, nvs, abc, 4K\n", Options{}, ErrSyntax, "Invalid field value abc"},
		{"a, dat, nvs, , 4K\n", Options{}, ErrSyntax, "Value 'dat' is not valid. Known keywords: bootloader, partition_table, app, data"},
		{"a, data, 010, , 4K\n", Options{}, ErrSyntax, "Value '010' is not valid"},
		{"a, 256, 0, , 4K\n", Options{}, ErrSyntax, "out of range"},
		{"a, data, nvs, , 0x6000, secure\n", Options{}, ErrSyntax, "CSV flag column contains unknown flag 'secure'"},
		{"$UNSET, data, nvs, , 0x6000\n", Options{}, ErrSyntax, "unknown variable 'UNSET'"},
		{"a, data, nvs, 0x8000, 0x6000\n", Options{}, ErrOverlap,
			"CSV Error at line 1: Partitions overlap. Partition sets offset 0x8000. But partition table occupies the whole sector 0x8000. Use a free offset 0x9000 or higher."},
		{"a, data, nvs, -0x100, 0x6000\n", Options{}, ErrOverlap, "sets offset 0x-100."},
		{"a, data, nvs, , 0x6000\nb, data, fat, 0xa000, 4K\n", Options{}, ErrOverlap,
			"t.csv:2: CSV Error at line 2: Partitions overlap. Partition sets offset 0xa000. Previous partition ends 0xf000"},
		{"a, data, fat, , 0x100000000\n", Options{}, ErrSyntax, "Size 0x100000000 is out of range"},
		{"b, bootloader, primary, , \n", Options{}, ErrInvalid, "Primary bootloader offset is not defined. Please use --primary-bootloader-offset"},
		{"b, bootloader, recovery, , \n", Options{PrimaryBootloaderOffset: new(uint32(0x1000))}, ErrInvalid, "Recovery bootloader offset is not defined"},
		{"a, data, nvs, , 0x6000\n", Options{PrimaryBootloaderOffset: new(uint32(0x8000))}, ErrOptions, "Primary bootloader must be below partition table"},
		{"a, data, nvs, , 0x6000\n", Options{SecureBoot: 3}, ErrOptions, "secure boot"},
		{"a, data, nvs, , 0x6000\n", Options{ExtraSubtypes: []Subtype{{TypeData, "dup", 0x02}}}, ErrOptions, "duplicate value"},
	}
	for _, tc := range tests {
		_, err := ParseCSV(strings.NewReader(tc.in), "t.csv", tc.opts)
		if !errors.Is(err, tc.sentinel) || !strings.Contains(err.Error(), tc.contains) {
			t.Errorf("%q: got %v, want %v containing %q", tc.in, err, tc.sentinel, tc.contains)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		in       string
		opts     Options
		sentinel error
		contains string
	}{
		{"a, data, nvs, 0x9800, 0x6000\n", Options{}, ErrAlignment, "t.csv:1: Partition a invalid: Offset 0x9800 is not aligned to 0x1000"},
		{"a, app, factory, 0x18000, 1M\n", Options{}, ErrAlignment, "Offset 0x18000 is not aligned to 0x10000"},
		{"a, app, factory, , 0x100800\n", Options{}, ErrAlignment, "Size 0x100800 is not aligned to 0x1000"},
		{"a, app, factory, , 0x108000\n", Options{SecureBoot: 1}, ErrAlignment, "Size 0x108000 is not aligned to 0x10000"},
		{"a, data, ota, , 8K, readonly\n", Options{}, ErrInvalid, "is always read-write and cannot be read-only"},
		{"a, data, coredump, , 64K, readonly\n", Options{}, ErrInvalid, "is always read-write and cannot be read-only"},
		{"a, data, nvs, , 0x2000\n", Options{}, ErrInvalid, "must be flagged as 'readonly'"},
		{"a, data, nvs, , 0x6000\nb, data, fat, , 4K\na, data, fat, , 4K\n", Options{}, ErrDuplicateName, "t.csv:3: Partition names must be unique (a)"},
		{"a, data, ota, , 4K\n", Options{}, ErrInvalid, "otadata partition must have size = 0x2000"},
		{"a, data, ota, , 8K\nb, data, ota, , 8K\n", Options{}, ErrInvalid, "Found multiple otadata partitions"},
		{"a, data, tee_ota, , 8K\nb, data, tee_ota, , 8K\n", Options{}, ErrInvalid, "Found multiple TEE otadata partitions"},
		{"a, data, tee_ota, , 4K\n", Options{}, ErrInvalid, "TEE otadata partition must have size = 0x2000"},
		{"f, app, factory, 0x10000, 1M\n", Options{FlashSize: 1 << 20}, ErrFlashSize, "does not fit in configured flash size 1MB"},
		{manyEntries(95), Options{}, ErrTableFull, "Binary partition table length (3072) longer than max"},
	}
	for _, tc := range tests {
		tb, err := ParseCSV(strings.NewReader(tc.in), "t.csv", tc.opts)
		if err == nil {
			err = tb.Validate(tc.opts)
		}
		if !errors.Is(err, tc.sentinel) || !strings.Contains(err.Error(), tc.contains) {
			t.Errorf("%q: got %v, want %v containing %q", tc.in, err, tc.sentinel, tc.contains)
		}
		if _, encErr := Encode(tb, tc.opts); err != nil && tb != nil && encErr == nil {
			t.Errorf("%q: Encode accepted an invalid table", tc.in)
		}
	}
	// 95 entries fit without the MD5 record, 94 with it (the tool's limit).
	tb := mustParse(t, manyEntries(95), Options{})
	if _, err := Encode(tb, Options{DisableMD5: true}); err != nil {
		t.Errorf("95 entries without MD5: %v", err)
	}
}

func TestValidateModelOnly(t *testing.T) {
	tb := &Table{Entries: []Entry{{Name: "nvs", Type: TypeData, Subtype: SubtypeDataNVS, AutoOffset: true, Size: 0x6000}}}
	if err := tb.Validate(Options{}); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "Offset field is not set") {
		t.Errorf("unset offset: %v", err)
	}
	tb = &Table{Entries: []Entry{{Name: "pt", Type: TypePartitionTable, Offset: 0x9000, Size: 0x1000}}}
	if err := tb.Validate(Options{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("primary table away from the table offset: %v", err)
	}
	tb = &Table{Entries: []Entry{
		{Name: "bl", Type: TypeBootloader, Offset: 0x1000, Size: 0x7000},
		{Name: "x", Type: TypeData, Offset: 0x2000, Size: 0x1000},
	}}
	if err := tb.Validate(Options{PrimaryBootloaderOffset: new(uint32(0x1000))}); !errors.Is(err, ErrOverlap) ||
		!strings.Contains(err.Error(), "Partition offset 0x2000 is below 0x9000") {
		t.Errorf("entry below the table: %v", err)
	}
	tb.Entries[1].Offset = 0x9000
	tb.Entries = append(tb.Entries, Entry{Name: "y", Type: TypeData, Offset: 0x9800, Size: 0x1000})
	if err := tb.Validate(Options{PrimaryBootloaderOffset: new(uint32(0x1000))}); !errors.Is(err, ErrAlignment) {
		t.Errorf("misaligned: %v", err)
	}
	tb.Entries[2].Offset = 0x9000
	if err := tb.Validate(Options{PrimaryBootloaderOffset: new(uint32(0x1000))}); !errors.Is(err, ErrOverlap) ||
		!strings.Contains(err.Error(), "Partition at 0x9000 overlaps 0x9000-0x9fff") {
		t.Errorf("overlap: %v", err)
	}
	tb.Entries = tb.Entries[:1]
	if err := tb.Validate(Options{}); !strings.Contains(fmtErr(err), "Primary bootloader offset is not defined") {
		t.Errorf("bootloader without option: %v", err)
	}
	if err := tb.Validate(Options{PrimaryBootloaderOffset: new(uint32(0x1000))}); err != nil {
		t.Errorf("bootloader with option: %v", err)
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestPlace(t *testing.T) {
	// Nested table as esp-at's at_customize: parent at 0x20000, 0xE0000 long.
	children := []Entry{
		{Name: "mfg_nvs", Type: TypeData, Subtype: SubtypeDataNVS, Size: 0x1C000, AutoOffset: true},
		{Name: "fs", Type: TypeData, Subtype: 0xFF, Offset: 0x70000, Size: 0x90000},
	}
	if err := Place(children, 0x21000, 0x100000); err != nil {
		t.Fatal(err)
	}
	if children[0].Offset != 0x21000 || children[0].AutoOffset {
		t.Errorf("auto entry placed at 0x%x (auto=%v)", children[0].Offset, children[0].AutoOffset)
	}
	// An explicit offset 0 is a real offset, not "unset": it overlaps.
	zero := []Entry{{Name: "z", Type: TypeData, Size: 0x1000}}
	if err := Place(zero, 0x21000, 0x100000); !errors.Is(err, ErrOverlap) {
		t.Errorf("explicit offset 0: %v", err)
	}
	big := []Entry{{Name: "big", Type: TypeData, Size: 0x100000, AutoOffset: true}}
	if err := Place(big, 0x21000, 0x100000); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("too big for parent: %v", err)
	}
	if big[0].AutoOffset != true {
		t.Error("failed Place must not modify entries")
	}
	apps := []Entry{
		{Name: "d", Type: TypeData, Size: 0x1000, AutoOffset: true},
		{Name: "a", Type: TypeApp, Size: 0x10000, AutoOffset: true},
		{Name: "e", Type: 0x40, Size: 0x1000, AutoOffset: true},
	}
	if err := Place(apps, 0x9000, 0); err != nil {
		t.Fatal(err)
	}
	if apps[0].Offset != 0x9000 || apps[1].Offset != 0x10000 || apps[2].Offset != 0x20000 {
		t.Errorf("placement: %+v", apps)
	}
}

func TestDecodeErrors(t *testing.T) {
	tb := mustParse(t, "nvs, data, nvs, , 0x6000\nf, app, factory, , 1M\n", Options{})
	good, err := Encode(tb, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mod := func(f func(b []byte)) []byte {
		b := bytes.Clone(good)
		f(b)
		return b
	}
	tests := []struct {
		name     string
		in       []byte
		sentinel error
		offset   int
	}{
		{"length", good[:100], ErrLength, 100},
		{"magic", mod(func(b []byte) { b[32] = 0xAB }), ErrMagic, 32},
		{"md5", mod(func(b []byte) { b[64+20] ^= 1 }), ErrMD5, 64 + 16},
		{"md5 fill", mod(func(b []byte) { b[64+5] = 0 }), ErrMD5, 64 + 5},
		{"padding", mod(func(b []byte) { b[0xBFF] = 0 }), ErrPadding, 0xBFF},
		{"flags", mod(func(b []byte) { b[28] |= 4 }), ErrUnknownFlags, 28},
		{"name tail", mod(func(b []byte) { b[12+5] = 'x' }), ErrBadName, 12 + 5},
		{"no end", bytes.Repeat(good[:32], TableSize/32), ErrNoEndMarker, TableSize},
	}
	for _, tc := range tests {
		_, err := Decode(tc.in)
		var pe *Error
		if !errors.Is(err, tc.sentinel) || !errors.As(err, &pe) || pe.ByteOffset != tc.offset {
			t.Errorf("%s: got %v (offset %d), want %v at %d", tc.name, err, pe.offsetOr(-2), tc.sentinel, tc.offset)
		}
	}
	// A whole flash sector decodes: bytes past 0xC00 (signature space) are ignored.
	sector := append(bytes.Clone(good), bytes.Repeat([]byte{0}, SectorSize-TableSize)...)
	if _, err := Decode(sector); err != nil {
		t.Errorf("0x1000-byte sector: %v", err)
	}
	// Without the MD5 record.
	noMD5, _ := Encode(tb, Options{DisableMD5: true})
	back, err := Decode(noMD5)
	if err != nil || len(back.Entries) != 2 {
		t.Errorf("no MD5: %v", err)
	}
}

func (e *Error) offsetOr(d int) int {
	if e == nil {
		return d
	}
	return e.ByteOffset
}

func TestNames(t *testing.T) {
	tb := mustParse(t, "nvs_with_a_very_long_name, data, nvs, , 0x6000\n", Options{})
	b, err := Encode(tb, Options{})
	if err != nil {
		t.Fatal(err)
	}
	back, _ := Decode(b)
	if back.Entries[0].Name != "nvs_with_a_very_" {
		t.Errorf("truncated name %q", back.Entries[0].Name)
	}
	// Cutting inside a UTF-8 sequence yields a binary the tool cannot read back either.
	tb = mustParse(t, "abcdefghijklmno\u00e9, data, nvs, , 0x6000\n", Options{})
	b, _ = Encode(tb, Options{})
	if _, err := Decode(b); !errors.Is(err, ErrBadName) {
		t.Errorf("split UTF-8 name: %v", err)
	}
}

func TestLookups(t *testing.T) {
	extras := []Subtype{{TypeData, "my_data", 0x40}}
	if v, ok := TypeByName("APP"); !ok || v != TypeApp {
		t.Error("TypeByName")
	}
	if n, ok := TypeName(TypePartitionTable); !ok || n != "partition_table" {
		t.Error("TypeName")
	}
	if v, ok := SubtypeByName(TypeApp, "ota_15", nil); !ok || v != 0x1F {
		t.Error("ota_15")
	}
	if v, ok := SubtypeByName(TypeData, "My_Data", extras); !ok || v != 0x40 {
		t.Error("extra by name")
	}
	if n, ok := SubtypeName(TypeData, 0x40, extras); !ok || n != "my_data" {
		t.Error("extra by value")
	}
	if _, ok := SubtypeName(TypeData, 0x40, nil); ok {
		t.Error("0x40 has no built-in name")
	}
	x, err := ParseExtraSubtype(" data , my_data , 40 ")
	if err != nil || x != (Subtype{TypeData, "my_data", 0x40}) {
		t.Errorf("ParseExtraSubtype: %+v %v", x, err)
	}
	for _, bad := range []string{"data, x", "foo, x, 0x40", "data, x, 0x100", "data, x, zz"} {
		if _, err := ParseExtraSubtype(bad); !errors.Is(err, ErrOptions) {
			t.Errorf("ParseExtraSubtype(%q): %v", bad, err)
		}
	}
	subs, _ := Subtypes(TypeData, extras)
	if subs[len(subs)-1].Name != "my_data" || subs[0].Name != "ota" {
		t.Errorf("Subtypes order: %+v", subs)
	}
}

func TestCSVText(t *testing.T) {
	tb := &Table{Entries: []Entry{
		{Name: "z", Type: TypeData, Subtype: 0x81, Offset: 0x9000, Size: 0},
		{Name: "h", Type: 0x40, Subtype: 0x22, Offset: 0xa000, Size: 0x1234, Encrypted: true, Readonly: true},
		{Name: "k", Type: TypeApp, Subtype: 0x31, Offset: 0x10000, Size: 0x1400},
	}}
	want := "# ESP-IDF Partition Table\n# Name, Type, SubType, Offset, Size, Flags\n" +
		"z,data,fat,0x9000,0M,\nh,64,34,0xa000,0x1234,encrypted:readonly\nk,app,tee_1,0x10000,5K,\n"
	if got := string(tb.CSV()); got != want {
		t.Errorf("got\n%s", got)
	}
}

func manyEntries(n int) string {
	var sb strings.Builder
	for i := range n {
		fmt.Fprintf(&sb, "p%d, data, fat, , 4K\n", i)
	}
	return sb.String()
}
