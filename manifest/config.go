package manifest

import "github.com/hashicorp/hcl/v2"

// Config is a manifest with every expression evaluated, in dependency order. It still
// carries source ranges so the planner can report problems against manifest lines.
type Config struct {
	Filename string
	Dir      string

	Target         Target
	Keys           []*Key
	Security       *Security
	Images         []*Image
	Bootloader     *Bootloader
	PartitionTable PartitionTable
	Partitions     []*Partition // top level, source order
	NVS            []*NVS
	Structs        []*Struct
	OTAs           []*OTA
	Filesystems    []*Filesystem
	Certs          []*Cert
	Output         Output

	// DeviceID names the device being built (devices block), "" otherwise.
	DeviceID string

	// Variables are the final variable values (after -var / environment overrides), for the build record.
	Variables map[string]string
}

// Output names the merged image and its extra formats.
type Output struct {
	Name      string // merged image is <name>-factory.bin; default "flash"
	FillFlash bool   // pad the merged image to the flash size
	Hex       bool   // also write Intel HEX
	UF2       bool   // also write UF2
	// Merged: write the merged image(s); false leaves each region's own file and
	// flash_args (merged = false), what a factory flashing per-partition needs.
	Merged bool
	// Reports: write the reports (flash map, HTML page, SBOM, summary). Default true,
	// false for the devices of a batch (a devices block) unless reports = true.
	Reports bool
	// DeviceFiles, when set, are the only outputs each device of a batch writes
	// (dist/ names such as "partitions/nvs.bin"), besides its record and marker:
	// device_files = [...]. Empty: all of them.
	DeviceFiles      []string
	DeviceFilesRange hcl.Range
	Range            hcl.Range
}

// Target is the device the image is for.
type Target struct {
	Chip          string
	FlashSize     uint32
	FlashSizeName string // "4MB", as esptool spells it
	FlashMode     string // qio qout dio dout; "" keeps the image's own
	FlashFreq     string // e.g. "40m"; "" keeps the image's own
	MinRevision   int    // major*100+minor, from min_revision = "v3.0"
	Range         hcl.Range
}

// Ref names another block by its address ("image.app").
type Ref struct {
	Kind  string
	Name  string
	Range hcl.Range
}

// ID is the reference address.
func (r Ref) ID() string { return r.Kind + "." + r.Name }

// Key is a key block. File paths are resolved against the manifest directory.
type Key struct {
	Name      string
	Algorithm string
	File      string
	Create    bool
	PublicKey string
	Signer    []string
	PKCS11    *PKCS11
	Range     hcl.Range
	// Revoked: a Secure Boot key whose digest slot is revoked (SECURE_BOOT_KEY_REVOKEn).
	Revoked      bool
	RevokedRange hcl.Range
	// Derive: a per-device flash encryption key derived with HKDF from this key block
	// (the master secret) and the device id, instead of read from a file.
	Derive      *Ref
	DeriveRange hcl.Range

	// Attribute ranges, so a problem with the key file or its algorithm is reported
	// on the line that names it; zero when the attribute is absent.
	AlgorithmRange, FileRange, CreateRange, PublicKeyRange hcl.Range
}

// AttrRange returns r when it is set, otherwise the key block's range.
func (k *Key) AttrRange(r hcl.Range) hcl.Range {
	if r.Filename == "" {
		return k.Range
	}
	return r
}

// PKCS11 locates a signing key on a token.
type PKCS11 struct {
	Module, Token, Label, PinEnv string
}

// Security groups the device security settings.
type Security struct {
	FlashEncryption *FlashEncryption
	SecureBoot      *SecureBoot
	// Opt-outs from (and one opt-in to) the eFuses ESP-IDF's bootloader burns; the
	// eFuse plan names each opt-out as a weakened feature.
	AllowJTAG          bool   // allow_jtag: CONFIG_SECURE_BOOT_ALLOW_JTAG
	AllowCacheDownload bool   // allow_cache_download: CONFIG_SECURE_FLASH_UART_BOOTLOADER_ALLOW_CACHE
	AllowROMBasic      bool   // allow_rom_basic (ESP32): CONFIG_SECURE_BOOT_ALLOW_ROM_BASIC
	AggressiveRevoke   bool   // aggressive_revoke: CONFIG_SECURE_BOOT_ENABLE_AGGRESSIVE_KEY_REVOKE
	ROMDownload        string // rom_download: "enabled", "secure", "disabled"; "" is ESP-IDF's default
	ROMDownloadRange   hcl.Range
	Range              hcl.Range
}

// FlashEncryption selects pre-encryption of the image with a key.
type FlashEncryption struct {
	Key            Ref
	Mode           string // "development" or "release"
	CryptConfig    uint8  // ESP32 FLASH_CRYPT_CONFIG
	DeviceEncrypts bool   // write plaintext; the device encrypts on first boot
	Range          hcl.Range
}

// SecureBoot selects signing.
type SecureBoot struct {
	Version       int
	Keys          []Ref
	Deterministic bool
	Range         hcl.Range
	// AllowUnusedDigestSlots leaves empty digest slots un-revoked
	// (CONFIG_SECURE_BOOT_ALLOW_UNUSED_DIGEST_SLOTS).
	AllowUnusedDigestSlots bool
}

// Image is an input firmware image.
type Image struct {
	Name   string
	File   string
	Expect *Expect
	Range  hcl.Range
	// FileRange is the range of the file attribute, where read and decode errors point.
	FileRange hcl.Range
	// SecureVersion, when set, is written into the app description (anti-rollback).
	SecureVersion      *uint32
	SecureVersionRange hcl.Range
}

// Expect lists app-description fields an image must carry.
type Expect struct {
	ProjectName   *string
	Version       *string
	IDFVersion    *string
	SecureVersion *uint32
	// Chip is the chip the image header must name (its chip id), e.g. "esp32c3".
	Chip  *string
	Range hcl.Range
	// Attrs holds each attribute's range by name, so a mismatch points at its line.
	Attrs map[string]hcl.Range
}

// AttrRange is the range of the named attribute, or of the block when it is absent.
func (e *Expect) AttrRange(name string) hcl.Range {
	if r, ok := e.Attrs[name]; ok {
		return r
	}
	return e.Range
}

// Bootloader places the second-stage bootloader.
type Bootloader struct {
	Image  Ref
	Offset *uint32 // nil: the chip's default
	Range  hcl.Range
}

// PartitionTable places the primary table.
type PartitionTable struct {
	Offset uint32
	MD5    bool
	Range  hcl.Range
}

// Partition is one entry of the main table or of a nested secondary table.
type Partition struct {
	Name      string
	Type      uint8
	Subtype   uint8
	Offset    *uint32 // nil: placed automatically
	Size      uint32
	Encrypted bool
	Readonly  bool

	// Exactly one content source, or none (left erased).
	Contents *Ref   // image, nvs, struct, key or filesystem
	File     string // raw file
	Fill     *byte  // fill byte over the whole partition

	Boot *Ref // otadata only: the app slot to boot
	// BootState is the ota_state written for Boot ("new", "pending_verify", "valid",
	// "undefined"); "" is the default, undefined.
	BootState      string
	BootStateRange hcl.Range

	Table    *NestedTable // secondary table written at the start of this partition
	Children []*Partition

	Range      hcl.Range
	AttrRanges map[string]hcl.Range
}

// NestedTable holds options of a secondary table.
type NestedTable struct {
	MD5   bool
	Range hcl.Range
}

// AttrRange returns the range of the attribute, or the block range.
func (p *Partition) AttrRange(name string) hcl.Range {
	if r, ok := p.AttrRanges[name]; ok {
		return r
	}
	return p.Range
}

// NVS describes the contents of an NVS partition.
type NVS struct {
	Name        string
	Version     int // 1 or 2
	EncryptWith *Ref
	ImportCSV   []string // resolved paths
	// ImportCSVBaseDir, when set, is the folder the "file" rows of every import_csv
	// CSV resolve from, as nvs_partition_gen resolves them from its working directory
	// (CSVs written for ESP-IDF's build name ../main/cert.pem from build/); such rows
	// may then be absolute or climb out with "../". Empty: each CSV's own folder, and
	// rows may not leave it.
	ImportCSVBaseDir string
	EspAt            *EspAt
	Namespaces       []*NVSNamespace
	Range            hcl.Range
	// ImportCSVRange is the range of import_csv, where CSV problems point.
	ImportCSVRange hcl.Range
}

// EspAt imports esp-at's customized raw data.
type EspAt struct {
	RawData  string
	Platform string
	Module   string
	Config   []string // enabled raw_data dirs in order; nil: all present
	Range    hcl.Range
}

// NVSNamespace is a namespace with its entries in order.
type NVSNamespace struct {
	Name    string
	Entries []*NVSEntry
	Range   hcl.Range
}

// NVSEntry is one key. Exactly one of Value and File is set.
type NVSEntry struct {
	Key      string
	Type     string // u8..i64, string, blob, or an nvs_partition_gen encoding
	Value    *string
	File     string
	Encoding string // for File: string hex2bin base64 binary
	// Cert, when set, fills the entry from an issued certificate: Item is
	// "certificate", "ca_certificate" or "private_key", Format "pem" or "der".
	Cert   *Ref
	Item   string
	Format string
	Range  hcl.Range
	// ContentRange is the range of the value or file attribute, where a value that is
	// out of range or a file that cannot be read is reported.
	ContentRange hcl.Range
}

// At returns the range of the value or file attribute, or the entry block's.
func (e *NVSEntry) At() hcl.Range {
	if e.ContentRange.Filename == "" {
		return e.Range
	}
	return e.ContentRange
}

// Struct is a fixed-layout binary record.
type Struct struct {
	Name   string
	Size   uint32
	Fill   byte
	Fields []*StructField
	Range  hcl.Range
}

// StructField is one field of a Struct.
type StructField struct {
	Name   string
	Offset uint32
	Type   string // u8 u16 u32 u64 i8 i16 i32 i64 string bytes
	Size   uint32 // for string/bytes
	Int    int64
	Bytes  []byte
	Range  hcl.Range
}

// OTA describes per-slot OTA artifacts for an image.
type OTA struct {
	Name             string
	Image            Ref
	Slots            []Ref
	PackagePublicKey string
	// PackageSecret keys the deterministic AES key/IV derivation of the package; without
	// it every build draws fresh randomness.
	PackageSecret *Ref
	Range         hcl.Range
	// PackagePublicKeyRange is the range of encrypted_package.public_key.
	PackagePublicKeyRange hcl.Range
}

// AllPartitions returns every partition with nested children right after their parent.
func (c *Config) AllPartitions() []*Partition {
	var out []*Partition
	var walk func([]*Partition)
	walk = func(ps []*Partition) {
		for _, p := range ps {
			out = append(out, p)
			walk(p.Children)
		}
	}
	walk(c.Partitions)
	return out
}

// Image returns the named image or nil.
func (c *Config) Image(name string) *Image {
	for _, im := range c.Images {
		if im.Name == name {
			return im
		}
	}
	return nil
}

// Key returns the named key or nil.
func (c *Config) Key(name string) *Key {
	for _, k := range c.Keys {
		if k.Name == name {
			return k
		}
	}
	return nil
}

// NVSByName returns the named nvs block or nil.
func (c *Config) NVSByName(name string) *NVS {
	for _, n := range c.NVS {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// StructByName returns the named struct or nil.
func (c *Config) StructByName(name string) *Struct {
	for _, s := range c.Structs {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Partition returns the named partition (at any depth) or nil.
func (c *Config) Partition(name string) *Partition {
	for _, p := range c.AllPartitions() {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// FilesystemByName returns the named filesystem block or nil.
func (c *Config) FilesystemByName(name string) *Filesystem {
	for _, f := range c.Filesystems {
		if f.Name == name {
			return f
		}
	}
	return nil
}
