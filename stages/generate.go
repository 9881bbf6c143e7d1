package stages

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"

	"github.com/espcompose/espcompose/format/parttable"
)

// PartitionTable encodes a (primary or nested) partition table whose offsets the
// planner has already placed and validated.
type PartitionTable struct {
	Name    string // "partition-table" or "table.<parent>"
	Entries []parttable.Entry
	Options parttable.Options
}

func (s *PartitionTable) ID() string     { return "generate:" + s.Name }
func (s *PartitionTable) Kind() string   { return "partition-table" }
func (s *PartitionTable) Version() int   { return 1 }
func (s *PartitionTable) Deps() []string { return nil }
func (s *PartitionTable) Params() any {
	type entry struct {
		Name                string
		Type, Subtype       uint8
		Offset, Size        uint32
		Encrypted, Readonly bool
	}
	es := make([]entry, len(s.Entries))
	for i, e := range s.Entries {
		es[i] = entry{e.Name, e.Type, e.Subtype, e.Offset, e.Size, e.Encrypted, e.Readonly}
	}
	return map[string]any{"entries": es, "offset": s.Options.Offset, "md5": !s.Options.DisableMD5,
		"flash_size": s.Options.FlashSize, "secure": s.Options.SecureBoot}
}

func (s *PartitionTable) Run(context.Context, *Env, []Artifact) (Artifact, error) {
	b, err := parttable.Encode(&parttable.Table{Entries: s.Entries}, s.Options)
	if err != nil {
		return Artifact{}, err
	}
	return NewArtifact(b), nil
}

// Fill produces a partition filled with one byte.
type Fill struct {
	Name string
	Size uint32
	Byte byte
}

func (s *Fill) ID() string     { return "generate:fill." + s.Name }
func (s *Fill) Kind() string   { return "fill" }
func (s *Fill) Version() int   { return 1 }
func (s *Fill) Deps() []string { return nil }
func (s *Fill) Params() any    { return map[string]uint32{"size": s.Size, "byte": uint32(s.Byte)} }
func (s *Fill) Uncached()      {} // cheaper to make than to read back

func (s *Fill) Run(context.Context, *Env, []Artifact) (Artifact, error) {
	return NewArtifact(bytes.Repeat([]byte{s.Byte}, int(s.Size))), nil
}

// Record encodes a fixed-layout binary record (little-endian integers, fixed-size
// strings), such as esp-at v2's factory_param.bin.
type Record struct {
	Name   string
	Size   uint32
	Fill   byte
	Fields []RecordField
}

// RecordField is one field, already range-checked by the manifest.
type RecordField struct {
	Name   string
	Offset uint32
	Type   string // u8 u16 u32 u64 i8 i16 i32 i64 string bytes
	Size   uint32
	Int    int64
	Bytes  []byte
}

func (s *Record) ID() string     { return "generate:struct." + s.Name }
func (s *Record) Kind() string   { return "struct" }
func (s *Record) Version() int   { return 1 }
func (s *Record) Deps() []string { return nil }
func (s *Record) Params() any    { return s }

func (s *Record) Run(context.Context, *Env, []Artifact) (Artifact, error) {
	b, err := EncodeRecord(s.Size, s.Fill, s.Fields)
	if err != nil {
		return Artifact{}, fmt.Errorf("struct %s: %w", s.Name, err)
	}
	return NewArtifact(b), nil
}

// EncodeRecord lays out the fields over a buffer of fill bytes. Strings are padded
// with NUL bytes to the field size, as C char arrays are.
func EncodeRecord(size uint32, fill byte, fields []RecordField) ([]byte, error) {
	b := bytes.Repeat([]byte{fill}, int(size))
	for _, f := range fields {
		end := uint64(f.Offset) + uint64(f.Size)
		if end > uint64(size) {
			return nil, fmt.Errorf("field %s (bytes %d..%d) lies outside the %d-byte record", f.Name, f.Offset, end-1, size)
		}
		dst := b[f.Offset:end]
		switch f.Type {
		case "u8", "i8":
			dst[0] = byte(f.Int)
		case "u16", "i16":
			binary.LittleEndian.PutUint16(dst, uint16(f.Int))
		case "u32", "i32":
			binary.LittleEndian.PutUint32(dst, uint32(f.Int))
		case "u64", "i64":
			binary.LittleEndian.PutUint64(dst, uint64(f.Int))
		case "string", "bytes":
			if uint32(len(f.Bytes)) > f.Size {
				return nil, fmt.Errorf("field %s: %d bytes do not fit %d", f.Name, len(f.Bytes), f.Size)
			}
			n := copy(dst, f.Bytes)
			if f.Type == "string" {
				for i := n; i < len(dst); i++ {
					dst[i] = 0
				}
			}
		default:
			return nil, fmt.Errorf("field %s: unknown type %q", f.Name, f.Type)
		}
	}
	return b, nil
}
