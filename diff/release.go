package diff

// Release is one side of a diff: what a device flashed with it holds, and what its
// eFuses are planned to hold. Every list is sorted, so two loads of the same release
// are equal and the changes come out in a fixed order.
type Release struct {
	// Path is the manifest or build directory as the user named it.
	Path string `json:"path"`
	// Kind is "manifest" or "build".
	Kind string `json:"kind"`
	// Target is build.json's target: chip and flash settings.
	Target map[string]string `json:"target"`
	// Tables are the partition tables: the primary one and each nested table.
	Tables []Table `json:"tables"`
	// Partitions are every table's partitions, by table then offset.
	Partitions []Partition `json:"partitions"`
	// Regions are the flashed ranges (bootloader and partitions), by offset.
	Regions []Region `json:"regions"`
	// OTA are the per-slot update artifacts of ota/manifest.json.
	OTA []OTAArtifact `json:"ota,omitempty"`
	// Keys are the manifest's keys by fingerprint (never their bytes).
	Keys []Key `json:"keys,omitempty"`
	// Security is what the eFuse plan burns for flash encryption and Secure Boot.
	Security Security `json:"security"`
	// Efuse are the steps of efuse-plan.md, in order.
	Efuse []EfuseStep `json:"efuse,omitempty"`
}

// PrimaryTable names the primary partition table, as build.json's flash map does.
const PrimaryTable = "partition-table"

// Table is one partition table. Parent is "" for the primary table, else the partition
// whose first sector holds it (esp-at's at_customize).
type Table struct {
	Name   string `json:"name"`
	Parent string `json:"parent,omitempty"`
	Offset uint32 `json:"offset"`
}

// Partition is one entry of a table.
type Partition struct {
	Table  string `json:"table"` // the Table's Name
	Name   string `json:"name"`
	Type   string `json:"type"` // type/subtype as the flash map spells it, e.g. data/nvs
	Offset uint32 `json:"offset"`
	Size   uint32 `json:"size"`
	// Flags are the table's flags (encrypted, readonly); FlagsKnown is false when the
	// table could not be read (pre-encrypted, read from a build directory).
	Flags      []string `json:"flags"`
	FlagsKnown bool     `json:"flags_known"`
}

// Region is one flashed range: its bytes by hash and, where they can be read, what
// they hold.
type Region struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Offset uint32 `json:"offset"`
	// File is the region's file in the build output; "" for an erased region.
	File   string `json:"file,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	Size   int    `json:"size,omitempty"`
	// Encrypted: the file is pre-encrypted for flash encryption.
	Encrypted bool `json:"encrypted"`
	// App is the app description of an app image.
	App *App `json:"app,omitempty"`
	// NVS is the decoded content of an NVS partition.
	NVS *NVSContents `json:"nvs,omitempty"`
	// Opaque says why an app or NVS region's contents were compared by hash only.
	Opaque string `json:"opaque,omitempty"`
}

// App is an app image's esp_app_desc_t, as the bootloader and OTA code read it.
type App struct {
	Project       string `json:"project"`
	Version       string `json:"version"`
	SecureVersion uint32 `json:"secure_version"`
	ELFSHA256     string `json:"elf_sha256"`
	IDFVersion    string `json:"idf_version"`
	// Size is the image's length in bytes: what an OTA update writes into a slot.
	Size int `json:"size"`
}

// NVSContents is an NVS partition's entries, by namespace then key.
type NVSContents struct {
	// Encrypted: NVS encryption; values are shown by size only.
	Encrypted bool       `json:"encrypted"`
	Entries   []NVSEntry `json:"entries"`
}

// NVSEntry is one key. Value is printable: integers in decimal, strings quoted, blobs
// as their size and sha256. A value of an NVS-encrypted partition is shown by its size
// only: even a hash of a short secret can be guessed.
type NVSEntry struct {
	Namespace string `json:"namespace"`
	Key       string `json:"key"`
	Type      string `json:"type"`
	Value     string `json:"value"`
	// digest stands for the value in comparisons; it is never printed.
	digest string
}

// OTAArtifact is the file an update writes into one OTA slot.
type OTAArtifact struct {
	OTA    string `json:"ota"`
	Slot   string `json:"slot"`
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
	Size   int    `json:"size"`
}

// Key is a manifest key as build.json records it: a one-way fingerprint, never bytes.
type Key struct {
	Name        string `json:"name"`
	Algorithm   string `json:"algorithm"`
	Fingerprint string `json:"fingerprint,omitempty"`
}

// Security is what the eFuse plan burns.
type Security struct {
	// FlashEncryption is nil when flash encryption is off.
	FlashEncryption *FlashEncryption `json:"flash_encryption,omitempty"`
	// SecureBoot is "" (off), "v1" or "v2".
	SecureBoot string `json:"secure_boot,omitempty"`
	// SecureBootDigests are the public-key digests, by digest slot (Secure Boot V2).
	SecureBootDigests []string `json:"secure_boot_digests,omitempty"`
}

// FlashEncryption is the flash encryption key and scheme.
type FlashEncryption struct {
	// Scheme is the key's algorithm and the eFuse key purpose or crypt config, e.g.
	// "xts-aes-128 XTS_AES_128_KEY"; "device-generated" when the device makes its key.
	Scheme string `json:"scheme"`
	// Key is the key's fingerprint from build.json ("" when the device makes it).
	Key string `json:"key,omitempty"`
}

// EfuseStep is one step of efuse-plan.md.
type EfuseStep struct {
	Title    string `json:"title"`
	Commands string `json:"commands"`
}
