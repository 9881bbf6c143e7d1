// Package lock is espcompose's layout lock: espcompose.lock records a manifest's
// resolved flash layout (offsets, sizes, types, flags, encryption decisions) and its
// security identity (scheme, key digests and fingerprints, never key material), so a
// layout shipped to devices cannot drift unnoticed. A later plan or build is compared
// with the lock and refused, item by item, until the lock is updated on purpose.
//
// The file is HCL, like the manifest it locks: written with hclwrite in one fixed
// order (layout order for regions, name order for keys), numbers as hex strings, one
// attribute per line, so a change shows up in review as a one-line diff.
package lock

import "fmt"

// Version is the lock format this package writes and reads.
const Version = 1

// Header is the first line of every lock espcompose writes. It is how `espcompose lock`
// recognises a file it made and may replace; any other file is left alone.
const Header = "# espcompose.lock: written by espcompose; do not edit by hand."

// File is a lock: what is written, or what was read back (then with line numbers).
type File struct {
	Manifest  string // the manifest's base name, for the reader
	Chip      string
	FlashSize string // as esptool spells it: "4MB"

	Bootloader *Bootloader // nil when the manifest places no bootloader
	Tables     []Table     // primary first, then secondary tables in offset order
	Partitions []Partition // every partition, nested ones too, in layout order
	Security   Security
	Keys       []Key // keys the device's security depends on, by name

	// Name is the lock file as shown in messages; lines maps each item (see the *Item
	// helpers) to its line there, when the File was read from disk.
	Name  string
	lines map[string]int
	// where maps an item to the manifest location that gives it ("espcompose.hcl:40"),
	// when the File was made from a plan.
	where map[string]string
}

// Bootloader is where the second-stage bootloader goes and whether it is flash-encrypted.
type Bootloader struct {
	Offset         uint32
	FlashEncrypted bool
}

// Table is a partition table: "primary", or the partition holding a secondary table.
type Table struct {
	Name           string
	Offset         uint32
	MD5            bool
	FlashEncrypted bool
}

// Partition is one partition table entry and the encryption decision for its region.
type Partition struct {
	Name    string
	Table   string // the table holding the entry
	Offset  uint32
	Size    uint32
	Type    string // gen_esp32part's name, or hex for a custom type
	Subtype string
	// Flags are the table flags, sorted: "encrypted", "readonly".
	Flags []string
	// FlashEncrypted is the planner's decision for the region (the device's rule,
	// not only the flag): an OTA update can never change it.
	FlashEncrypted bool
}

// Security is the device's security scheme.
type Security struct {
	FlashEncryption    string // "off", "development", "release"
	FlashEncryptionKey string // key name, "" with flash encryption off
	DeviceEncrypts     bool
	SecureBoot         string   // "off", "v1", "v2"
	SecureBootKeys     []string // key names in digest-slot order
}

// Key identifies a key the device depends on without holding any of its material:
// Digest is the Secure Boot V2 public-key digest burned into eFuse (what espefuse
// summary shows); Fingerprint is espcompose's one-way, domain-separated fingerprint
// of a secret key (stages.Fingerprint), the same one build.json and the cache use.
type Key struct {
	Name        string
	Algorithm   string
	Role        string // "flash_encryption", "secure_boot", "nvs_hmac"
	Digest      string
	Fingerprint string
}

// SetWhere records the manifest location of an item, for messages.
func (f *File) SetWhere(item, loc string) {
	if f.where == nil {
		f.where = map[string]string{}
	}
	f.where[item] = loc
}

// Line is the lock file line of an item or of its closest enclosing item, 0 if unknown.
func (f *File) Line(item string) int { return f.lines[item] }

// Item names: the keys of lines and where.
func partitionItem(name string) string { return "partition." + name }
func tableItem(name string) string     { return "table." + name }
func keyItem(name string) string       { return "key." + name }

// PartitionItem is the item of a partition block, for SetWhere.
func PartitionItem(name string) string { return partitionItem(name) }

// KeyItem is the item of a key block, for SetWhere.
func KeyItem(name string) string { return keyItem(name) }

func hex32(v uint32) string { return fmt.Sprintf("0x%x", v) }
