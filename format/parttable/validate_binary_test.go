package parttable

import (
	"errors"
	"testing"
)

// binTable marshals entries without validation, as a damaged or hand-made
// binary would hold them.
func binTable(entries ...Entry) []byte { return marshal(entries, true) }

func TestValidateBinaryNamesTheRecord(t *testing.T) {
	nvs := Entry{Name: "nvs", Type: TypeData, Subtype: SubtypeDataNVS, Offset: 0x9000, Size: 0x4000}
	otadata := Entry{Name: "otadata", Type: TypeData, Subtype: SubtypeDataOTA, Offset: 0xd000, Size: 0x2000}
	app := Entry{Name: "factory", Type: TypeApp, Subtype: 0, Offset: 0x10000, Size: 0x100000}
	cases := []struct {
		name    string
		entries []Entry
		opts    Options
		want    error
		msg     string
	}{
		{"overlap", []Entry{nvs, app, {Name: "ota_1", Type: TypeApp, Subtype: 0x11, Offset: 0x100000, Size: 0x100000}}, Options{},
			ErrOverlap, `offset 0x40, partition "ota_1": Partition at 0x100000 overlaps 0x10000-0x10ffff`},
		{"duplicate", []Entry{nvs, app, {Name: "nvs", Type: TypeData, Subtype: 0x81, Offset: 0x200000, Size: 0x10000}}, Options{},
			ErrDuplicateName, `offset 0x40, partition "nvs": Partition names must be unique (nvs)`},
		{"below table", []Entry{{Name: "low", Type: TypeData, Subtype: 0x81, Offset: 0x7000, Size: 0x1000}}, Options{},
			ErrOverlap, `offset 0x0, partition "low": Partition offset 0x7000 is below 0x9000`},
		{"misaligned app", []Entry{nvs, {Name: "factory", Type: TypeApp, Offset: 0x18000, Size: 0x100000}}, Options{},
			ErrAlignment, `offset 0x20, partition "factory": Partition factory invalid: Offset 0x18000 is not aligned to 0x10000`},
		{"otadata size", []Entry{nvs, {Name: "otadata", Type: TypeData, Subtype: SubtypeDataOTA, Offset: 0xd000, Size: 0x1000}, app}, Options{},
			ErrInvalid, `offset 0x20, partition "otadata": otadata partition must have size = 0x2000`},
		{"two otadata", []Entry{nvs, otadata, app, {Name: "otadata2", Type: TypeData, Subtype: SubtypeDataOTA, Offset: 0x110000, Size: 0x2000}}, Options{},
			ErrInvalid, `offset 0x60, partition "otadata2": Found multiple otadata partitions.`},
		{"past flash size", []Entry{nvs, {Name: "factory", Type: TypeApp, Offset: 0x10000, Size: 0x400000}}, Options{FlashSize: 4 << 20},
			ErrFlashSize, `offset 0x20, partition "factory": Partitions tables occupies 4.1MB of flash (4259840 bytes) which does not fit in configured flash size 4MB.`},
		{"small rw nvs", []Entry{{Name: "nvs", Type: TypeData, Subtype: SubtypeDataNVS, Offset: 0x9000, Size: 0x1000}}, Options{},
			ErrInvalid, `offset 0x0, partition "nvs": Partition nvs invalid: 'nvs' partition of type 1 and subtype 2 of this size (0x1000) must be flagged as 'readonly'`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tb, err := Decode(binTable(c.entries...))
			if err != nil {
				t.Fatal(err)
			}
			err = tb.ValidateBinary(c.opts)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if got := err.Error(); len(got) < len(c.msg) || got[:len(c.msg)] != c.msg {
				t.Errorf("message\n got %q\nwant %q...", got, c.msg)
			}
			if tb.Entries[0].Line != 0 {
				t.Error("ValidateBinary changed the table")
			}
		})
	}
}

// The tool reads bootloader and partition_table entries of a binary without its
// placement options; only the CSV reader needs them.
func TestValidateBinaryBootloaderEntriesNeedNoOptions(t *testing.T) {
	tb, err := Decode(binTable(
		Entry{Name: "bootloader", Type: TypeBootloader, Offset: 0x1000, Size: 0x7000},
		Entry{Name: "partition_table", Type: TypePartitionTable, Offset: 0x8000, Size: 0x1000},
		Entry{Name: "factory", Type: TypeApp, Offset: 0x10000, Size: 0x100000},
	))
	if err != nil {
		t.Fatal(err)
	}
	if err := tb.ValidateBinary(Options{}); err != nil {
		t.Errorf("ValidateBinary: %v", err)
	}
	if err := tb.Validate(Options{}); err == nil {
		t.Error("Validate (the CSV direction's rules) accepted bootloader entries without --primary-bootloader-offset")
	}
}
