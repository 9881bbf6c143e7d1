package nvs

import "fmt"

// Type is an entry's on-flash item type code.
type Type uint8

// Item type codes as stored in an entry's type byte. Blob is the logical
// binary type: version 1 stores it as one blobV1 item, version 2 as blob_data
// chunks plus a blob_index item.
const (
	U8     Type = 0x01
	I8     Type = 0x11
	U16    Type = 0x02
	I16    Type = 0x12
	U32    Type = 0x04
	I32    Type = 0x14
	U64    Type = 0x08
	I64    Type = 0x18
	String Type = 0x21
	Blob   Type = 0x41

	typeBlobData Type = 0x42
	typeBlobIdx  Type = 0x48
)

var typeNames = map[Type]string{
	U8: "u8", I8: "i8", U16: "u16", I16: "i16", U32: "u32", I32: "i32",
	U64: "u64", I64: "i64", String: "string", Blob: "blob",
	typeBlobData: "blob_data", typeBlobIdx: "blob_index",
}

func (t Type) String() string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("type(0x%02x)", uint8(t))
}

// IsInteger reports whether t is one of the primitive integer types.
func (t Type) IsInteger() bool {
	switch t {
	case U8, I8, U16, I16, U32, I32, U64, I64:
		return true
	}
	return false
}

func (t Type) signed() bool { return t&0x10 != 0 }

// width is the byte width of an integer type (its low nibble).
func (t Type) width() int { return int(t & 0x0f) }

// Entry is one key/value item of a namespace. Exactly one value field is
// meaningful, chosen by Type: Int for i8..i64, Uint for u8..u64, Str for String
// (stored with a terminating NUL the model does not hold), Blob for Blob.
type Entry struct {
	Key  string
	Type Type
	Int  int64
	Uint uint64
	Str  string
	Blob []byte
}

// Namespace is a named group of entries, kept in insertion order because the
// order decides the byte layout.
type Namespace struct {
	Name    string
	Entries []Entry
}

// Partition is the content of an NVS partition. Namespaces get indices 1..254
// in slice order.
type Partition struct {
	Namespaces []Namespace
}

// Options control how a Partition is laid out.
type Options struct {
	// Size of the partition in bytes, a multiple of 4096. Sizes below 0x3000
	// give the reference tool's read-only layout: no reserved page, and the
	// image holds only the pages written.
	Size uint32
	// Version 1 (single-page blobs) or 2 (multi-page blobs); 0 means 2.
	Version int
	// Keys, when set, encrypts every written entry with XTS-AES.
	Keys *Keys
}

// Limits of the format.
const (
	PageSize       = 4096
	MaxKeyLen      = 15
	MaxNamespaces  = 254
	MaxStringV2    = 4000   // bytes including the NUL
	MaxBlobV1      = 1984   // also the version 1 string limit, NUL included
	MaxBlobV2      = 508000 // ESP-IDF's documented blob maximum
	MinReadWrite   = 0x3000 // smaller partitions get the read-only layout
	entrySize      = 32
	entriesPerPage = 126
	firstEntryOff  = 64
	chunkAny       = 0xff
	nsIndexTable   = 0
	pageActive     = 0xFFFFFFFE
	pageFull       = 0xFFFFFFFC
	versionByteV1  = 0xFF
	versionByteV2  = 0xFE
	bitmapOffset   = 32
	maxChunks      = 128 // chunk indices 0..127; 128.. belong to the device's second blob version
)
