package parttable

// Layout constants of the binary table.
const (
	TableSize       = 0xC00  // bytes written by Encode (the tool's MAX_PARTITION_LENGTH)
	SectorSize      = 0x1000 // flash sector the table occupies; placement starts after it
	EntrySize       = 32
	DefaultOffset   = 0x8000 // default flash offset of the table
	OTADataSize     = 0x2000 // required size of data/ota and data/tee_ota partitions
	nvsMinRWSize    = 0x3000
	appOffsetAlign  = 0x10000
	dataOffsetAlign = 0x1000
)

// Table is a partition table in entry order (the binary keeps CSV order; it
// is not sorted).
type Table struct {
	Entries []Entry
	// File names the CSV the table was parsed from; used only in messages.
	File string
}

// Entry is one partition.
type Entry struct {
	Name      string // UTF-8; Encode keeps the first 16 bytes, as the tool does
	Type      uint8
	Subtype   uint8
	Offset    uint32 // absolute flash offset; meaningless while AutoOffset is set
	Size      uint32
	Encrypted bool
	Readonly  bool
	// AutoOffset marks an offset still to be chosen (an empty CSV offset
	// field). Place assigns Offset and clears it; Validate and Encode refuse
	// entries that still have it, so offset 0 is never mistaken for "unset".
	AutoOffset bool
	Line       int // CSV line the entry came from, 0 if none
}

// Options mirror gen_esp32part's command-line options. The zero value is the
// tool's default behaviour.
type Options struct {
	// Offset is the flash offset of the table (--offset); 0 means 0x8000 unless
	// ExplicitOffset is set.
	Offset uint32
	// ExplicitOffset: Offset was given, so 0 is offset 0 (gen_esp32part --offset 0),
	// not the default.
	ExplicitOffset bool
	// FlashSize, when non-zero, requires the table to end within it
	// (--flash-size, in bytes).
	FlashSize uint32
	// DisableMD5 omits the MD5 record (--disable-md5sum).
	DisableMD5 bool
	// SecureBoot is 0 (none), 1 or 2 (--secure v1/v2): app size alignment.
	SecureBoot int
	// PrimaryBootloaderOffset and RecoveryBootloaderOffset are
	// --primary-bootloader-offset and --recovery-bootloader-offset; nil means
	// not given (0 is a real bootloader offset on several chips).
	PrimaryBootloaderOffset  *uint32
	RecoveryBootloaderOffset *uint32
	// ExtraSubtypes are --extra-partition-subtypes entries, applied in order.
	ExtraSubtypes []Subtype
	// LookupEnv resolves $VAR and ${VAR} in CSV lines as the tool does with
	// the process environment; nil means no variable is defined.
	LookupEnv func(name string) (string, bool)
}

func (o *Options) tableOffset() uint32 {
	if o.Offset == 0 && !o.ExplicitOffset {
		return DefaultOffset
	}
	return o.Offset
}

func (o *Options) check() (*subtypeSet, error) {
	if o.SecureBoot < 0 || o.SecureBoot > 2 {
		return nil, &Error{ByteOffset: -1, Err: ErrOptions, Msg: "secure boot version must be 0, 1 or 2"}
	}
	if p := o.PrimaryBootloaderOffset; p != nil && *p >= o.tableOffset() {
		return nil, &Error{ByteOffset: -1, Err: ErrOptions, Msg: sprintf(
			"Unsupported configuration. Primary bootloader must be below partition table. "+
				"Check --primary-bootloader-offset=%#x and --offset=%#x", *p, o.tableOffset())}
	}
	return newSubtypeSet(o.ExtraSubtypes)
}

// offsetAlign is the tool's ALIGNMENT table: apps 64 KiB, everything else 4 KiB.
func offsetAlign(typ uint8) uint32 {
	if typ == TypeApp {
		return appOffsetAlign
	}
	return dataOffsetAlign
}

// subtypeSet is the tool's SUBTYPES after --extra-partition-subtypes. The
// tool's rules look subtypes up by name (SUBTYPES[DATA_TYPE]['nvs'], ...), so
// an extra entry that re-points a built-in name moves the rule with it.
type subtypeSet struct {
	tables map[uint8][]keyword
}

func newSubtypeSet(extras []Subtype) (*subtypeSet, error) {
	tables, err := subtypeTables(extras)
	if err != nil {
		return nil, err
	}
	return &subtypeSet{tables: tables}, nil
}

// value returns the current value of a built-in subtype name.
func (s *subtypeSet) value(typ uint8, name string) uint8 {
	for _, k := range s.tables[typ] {
		if k.name == name {
			return k.value
		}
	}
	panic("parttable: unknown built-in subtype " + name)
}

func (s *subtypeSet) is(e *Entry, typ uint8, name string) bool {
	return e.Type == typ && e.Subtype == s.value(typ, name)
}

// fixedPlace reports entries whose offset comes from options, not placement.
func (s *subtypeSet) fixedPlace(e *Entry) bool {
	return s.is(e, TypeBootloader, "primary") || s.is(e, TypePartitionTable, "primary")
}
