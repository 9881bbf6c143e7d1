package parttable

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Partition types known to gen_esp32part by name.
const (
	TypeApp            uint8 = 0x00
	TypeData           uint8 = 0x01
	TypeBootloader     uint8 = 0x02
	TypePartitionTable uint8 = 0x03
)

// Subtypes used by the checks and placement rules.
const (
	SubtypeAppFactory            uint8 = 0x00
	SubtypeAppOTA0               uint8 = 0x10 // ota_N is 0x10+N, N < 16
	SubtypeAppTest               uint8 = 0x20
	SubtypeDataOTA               uint8 = 0x00
	SubtypeDataNVS               uint8 = 0x02
	SubtypeDataCoredump          uint8 = 0x03
	SubtypeDataUndefined         uint8 = 0x06
	SubtypeDataTEEOTA            uint8 = 0x90
	SubtypeBootloaderPrimary     uint8 = 0x00
	SubtypeBootloaderRecovery    uint8 = 0x02
	SubtypePartitionTablePrimary uint8 = 0x00
)

// Subtype is a named subtype of a type. It is also the form of an
// --extra-partition-subtypes entry.
type Subtype struct {
	Type  uint8
	Name  string
	Value uint8
}

// keyword is one name of the tool's TYPES or SUBTYPES dictionaries; order
// matters because binary-to-CSV picks the first name with a matching value.
type keyword struct {
	name  string
	value uint8
}

// typeKeywords keeps the tool's TYPES insertion order.
var typeKeywords = []keyword{
	{"bootloader", TypeBootloader},
	{"partition_table", TypePartitionTable},
	{"app", TypeApp},
	{"data", TypeData},
}

// builtinTables are builtinSubtypes of every type, made once; never changed.
var builtinTables = sync.OnceValue(func() map[uint8][]keyword {
	tables := map[uint8][]keyword{}
	for _, t := range typeKeywords {
		tables[t.value] = builtinSubtypes(t.value)
	}
	return tables
})

// builtinSubtypes returns the tool's SUBTYPES for typ, in insertion order.
func builtinSubtypes(typ uint8) []keyword {
	switch typ {
	case TypeBootloader:
		return []keyword{{"primary", 0x00}, {"ota", 0x01}, {"recovery", 0x02}}
	case TypePartitionTable:
		return []keyword{{"primary", 0x00}, {"ota", 0x01}}
	case TypeApp:
		kw := []keyword{{"factory", 0x00}, {"test", 0x20}}
		for i := range 16 {
			kw = append(kw, keyword{fmt.Sprintf("ota_%d", i), SubtypeAppOTA0 + uint8(i)})
		}
		return append(kw, keyword{"tee_0", 0x30}, keyword{"tee_1", 0x31})
	case TypeData:
		return []keyword{
			{"ota", 0x00}, {"phy", 0x01}, {"nvs", 0x02}, {"coredump", 0x03},
			{"nvs_keys", 0x04}, {"efuse", 0x05}, {"undefined", 0x06},
			{"esphttpd", 0x80}, {"fat", 0x81}, {"spiffs", 0x82},
			{"littlefs", 0x83}, {"tee_ota", 0x90},
		}
	}
	return nil
}

// subtypeTables applies extras the way add_extra_subtypes does: a value
// already named for that type is refused, a known name is re-pointed in place,
// a new name is appended.
//
// Without extras every caller gets the same built-in tables, made once: planning a
// batch asks for them several times per device. Callers only read them; with extras
// the slices are copies, changed here.
func subtypeTables(extras []Subtype) (map[uint8][]keyword, error) {
	if len(extras) == 0 {
		return builtinTables(), nil
	}
	tables := map[uint8][]keyword{}
	for t, kws := range builtinTables() {
		tables[t] = slices.Clone(kws)
	}
	for _, x := range extras {
		kws, ok := tables[x.Type]
		if !ok {
			return nil, &Error{ByteOffset: -1, Err: ErrOptions,
				Msg: fmt.Sprintf("Error parsing custom subtypes: Invalid partition type 0x%x", x.Type)}
		}
		replaced := false
		for i := range kws {
			if kws[i].value == x.Value {
				return nil, &Error{ByteOffset: -1, Err: ErrOptions,
					Msg: fmt.Sprintf("Found duplicate value in partition subtype (%s 0x%x)", x.Name, x.Value)}
			}
		}
		for i := range kws {
			if kws[i].name == x.Name {
				kws[i].value, replaced = x.Value, true
			}
		}
		if !replaced {
			kws = append(kws, keyword{x.Name, x.Value})
		}
		tables[x.Type] = kws
	}
	return tables, nil
}

// ParseExtraSubtype parses one --extra-partition-subtypes entry such as
// "data, my_data, 0x40" (type name, subtype name, value read as hex).
func ParseExtraSubtype(s string) (Subtype, error) {
	fields := strings.Split(s, ",")
	for i := range fields {
		fields[i] = pyStrip(fields[i])
	}
	bad := func(msg string) (Subtype, error) {
		return Subtype{}, &Error{ByteOffset: -1, Err: ErrOptions,
			Msg: fmt.Sprintf("Error parsing custom subtypes: %s (%q)", msg, s)}
	}
	if len(fields) < 3 {
		return bad("expected \"type, name, value\"")
	}
	typ, ok := -1, false
	for _, t := range typeKeywords {
		if t.name == fields[0] {
			typ, ok = int(t.value), true
		}
	}
	if !ok {
		return bad("Invalid partition type")
	}
	v, err := pyInt(fields[2], 16)
	if err != nil || v < 0 || v > 0xFF {
		return bad("invalid subtype value")
	}
	return Subtype{Type: uint8(typ), Name: fields[1], Value: uint8(v)}, nil
}

// TypeByName returns the number of a type name, matched case-insensitively
// as the tool does.
func TypeByName(name string) (uint8, bool) {
	return lookupKeyword(typeKeywords, name)
}

// TypeName returns the tool's name for a type number.
func TypeName(t uint8) (string, bool) {
	return nameKeyword(typeKeywords, t)
}

// SubtypeByName returns the number of a subtype name of type t, matched
// case-insensitively as the tool does, with extras applied.
func SubtypeByName(t uint8, name string, extras []Subtype) (uint8, bool) {
	tables, err := subtypeTables(extras)
	if err != nil {
		return 0, false
	}
	return lookupKeyword(tables[t], name)
}

// SubtypeName returns the tool's name for subtype s of type t (the first name
// with that value), with extras applied.
func SubtypeName(t, s uint8, extras []Subtype) (string, bool) {
	tables, err := subtypeTables(extras)
	if err != nil {
		return "", false
	}
	return nameKeyword(tables[t], s)
}

// Subtypes lists the named subtypes of type t in the tool's order.
func Subtypes(t uint8, extras []Subtype) ([]Subtype, error) {
	tables, err := subtypeTables(extras)
	if err != nil {
		return nil, err
	}
	var out []Subtype
	for _, k := range tables[t] {
		out = append(out, Subtype{Type: t, Name: k.name, Value: k.value})
	}
	return out, nil
}

func lookupKeyword(kws []keyword, name string) (uint8, bool) {
	l := pyLower(name)
	for _, k := range kws {
		if k.name == l {
			return k.value, true
		}
	}
	return 0, false
}

func nameKeyword(kws []keyword, v uint8) (string, bool) {
	for _, k := range kws {
		if k.value == v {
			return k.name, true
		}
	}
	return "", false
}

func keywordNames(kws []keyword) string {
	names := make([]string, len(kws))
	for i, k := range kws {
		names[i] = k.name
	}
	return strings.Join(names, ", ")
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func builtinValue(typ uint8, name string) uint8 {
	v, _ := lookupKeyword(builtinSubtypes(typ), name)
	return v
}
