// Package doctor runs named checks on a manifest, a flash image read back from a
// device, or a build directory, and reports each problem with what was found, why
// it matters and how to fix it. The checks are data (Catalog); each was written
// against a failure seen in the field (the seeds in ../shared/seeds), and
// docs/doctor.md lists them. Doctor never writes anything.
package doctor

// Severity of a check or finding.
type Severity string

const (
	// Error: the device will not boot, or will misbehave, as built (exit 1).
	Error Severity = "error"
	// Warning: works, but weaker or more fragile than intended.
	Warning Severity = "warning"
)

// Check is one named check.
type Check struct {
	ID       string   `json:"id"`
	Severity Severity `json:"severity"` // of its findings, unless a finding says otherwise
	Title    string   `json:"title"`
	Why      string   `json:"why"`
	Fix      string   `json:"fix"`
	Seed     string   `json:"seed,omitempty"` // the field failure it is written against
	Inputs   []string `json:"inputs"`         // manifest, image, dir
}

// Check ids.
const (
	NestedTableMissing       = "nested-table-missing"
	NestedTableOutside       = "nested-table-outside-parent"
	NVSCiphertext            = "nvs-flash-encrypted"
	NVSMarkedEncrypted       = "nvs-marked-encrypted"
	OTADataEncryption        = "otadata-encryption-mismatch"
	OTADataEmptySlot         = "otadata-selects-empty-slot"
	SignatureMismatch        = "signature-mismatch"
	SignedAfterEncryption    = "signed-after-encryption"
	HeaderChangedAfterSigned = "header-changed-after-signing"
	FlashParamsTarget        = "flash-params-differ-from-target"
	FlashArgsRewrite         = "flash-args-rewrite-headers"
	AppExceedsSlot           = "app-exceeds-slot"
	ReleaseMissingFeature    = "release-missing-secure-feature"
	ReleaseWeakenedFeature   = "release-weakened-secure-feature"
	ReadBack                 = "image-read-back"
	EncryptedNoKey           = "encrypted-without-key"
)

const (
	inManifest = "manifest"
	inImage    = "image"
	inDir      = "dir"
)

// Catalog is every check doctor runs, in report order.
var Catalog = []Check{
	{ID: NestedTableMissing, Severity: Error, Seed: "000", Inputs: []string{inImage, inDir},
		Title: "A partition meant to hold a secondary table holds none",
		Why: "esp-at reads its certificates and factory parameters through the secondary table at the start of at_customize " +
			"(type 0x40); without it every lookup fails (\"factory_parameter partition missed\", \"client_cert partition missed\").",
		Fix: "Write the secondary table at the partition's own offset: in espcompose, a nested `table {}` block inside the partition; " +
			"with esp-at's tools, make at_customize.csv's offsets match partitions_at.csv."},
	{ID: NestedTableOutside, Severity: Error, Seed: "000", Inputs: []string{inImage, inDir},
		Title: "A secondary table's partition lies outside the partition holding the table",
		Why: "The secondary table was written for another layout (esp-at's at_customize.csv not matching partitions_at.csv): " +
			"its entries point at flash the parent partition does not own, so reads return other data or erased flash.",
		Fix: "Place the children inside the parent: espcompose's nested `table {}` places them relative to the parent and refuses what does not fit."},
	{ID: NVSCiphertext, Severity: Error, Seed: "001", Inputs: []string{inImage, inDir},
		Title: "An NVS partition was written through flash encryption",
		Why: "The NVS driver never reads through flash encryption: NVS has its own encryption (nvs_keys or the HMAC scheme) with plaintext " +
			"page headers. Flash-encrypted NVS reads as random bytes, so every key is missing (esp-at: \"cert_len=0\", AT+SYSMFG ERROR).",
		Fix: "Write NVS partitions as they are (never with esptool --encrypt, `idf.py encrypted-flash` or a flash-encryption step); protect their " +
			"content with NVS encryption instead (`encrypt_with = key.nvs`)."},
	{ID: NVSMarkedEncrypted, Severity: Error, Seed: "001", Inputs: []string{inImage, inDir},
		Title: "An NVS partition carries the table's encrypted flag",
		Why: "nvs_flash_init_partition refuses a partition flagged encrypted with ESP_ERR_NVS_WRONG_ENCRYPTION (\"marked as encrypted with generic " +
			"flash encryption. This is forbidden since the NVS encryption works differently\", components/nvs_flash/include/nvs.h).",
		Fix: "Drop the encrypted flag from the NVS entry and use NVS encryption (an nvs_keys partition or the HMAC scheme)."},
	{ID: OTADataEncryption, Severity: Error, Seed: "002", Inputs: []string{inImage, inDir},
		Title: "otadata is stored plaintext or erased while the device reads it through flash encryption (or the reverse)",
		Why: "With flash encryption on, the bootloader decrypts otadata: an erased or plaintext sector decrypts to random sequence numbers " +
			"(\"OTA sequence values A 0xbcca56f6 B 0xaaf631d5\", \"ota data partition invalid, falling back to factory\"), so the slot the " +
			"image meant to boot is ignored.",
		Fix: "Pre-encrypt otadata at its offset like the apps (espcompose does, the blank one too), or let the device write it; never flash a " +
			"plaintext ota_data_initial.bin to an encrypted device."},
	{ID: OTADataEmptySlot, Severity: Error, Inputs: []string{inManifest, inImage, inDir},
		Title: "otadata selects a slot that holds no app",
		Why:   "The bootloader follows otadata first; an erased or invalid slot fails (\"OTA app partition slot N is not bootable\") and the device falls back or stops.",
		Fix:   "Select a slot that the image fills (`boot = partition.X` where X has contents), or fill the slot."},
	{ID: SignatureMismatch, Severity: Error, Seed: "004", Inputs: []string{inImage, inDir},
		Title: "A Secure Boot V2 signature block does not match its image",
		Why:   "The bootloader or ROM verifies every image against its signature block: \"Sig block 0 invalid: Image digest does not match\", then \"Secure Boot v2 failed\" and no boot.",
		Fix:   "Sign last, after every change to the image bytes (header flash parameters included); then flash with --flash_mode/--flash_freq/--flash_size keep."},
	{ID: SignedAfterEncryption, Severity: Error, Seed: "003", Inputs: []string{inImage, inDir},
		Title: "An image was signed after it was encrypted",
		Why: "The signature block sits in flash as plaintext and signs the ciphertext, but the device decrypts before it verifies: it finds no " +
			"valid signature over the plaintext and the device stays silent.",
		Fix: "Sign the plaintext image, then encrypt image and signature together at the final offset (header → sign → encrypt → merge, as espcompose orders it)."},
	{ID: HeaderChangedAfterSigned, Severity: Error, Seed: "004", Inputs: []string{inImage, inDir},
		Title: "The bootloader header's flash parameters were changed after signing",
		Why: "esptool write_flash (flash_size detect, or --flash_mode/--flash_size other than keep) rewrites bytes 2-3 of the bootloader header " +
			"and its SHA-256 but cannot re-sign: Secure Boot then finds \"Image digest does not match\".",
		Fix: "Write the target's flash mode/frequency/size into the header before signing (espcompose's target block), and flash with keep for all three."},
	{ID: FlashParamsTarget, Severity: Error, Seed: "004", Inputs: []string{inImage, inDir},
		Title: "The bootloader header's flash mode or size differs from the target",
		Why: "The header tells the ROM and bootloader how to drive the flash: a size larger than the chip (an 8 MB devkit build on a 4 MB board) " +
			"maps past the end of flash, and a mode the board does not wire fails to read.",
		Fix: "Set target.flash_size/flash_mode to the board's flash and rebuild (the header is written before signing)."},
	{ID: FlashArgsRewrite, Severity: Error, Seed: "004", Inputs: []string{inDir},
		Title: "The flash arguments let esptool rewrite the image headers",
		Why:   "Without --flash_mode/--flash_freq/--flash_size keep, esptool write_flash patches the bootloader header after it was hashed and signed.",
		Fix:   "Flash with keep for all three (espcompose's flash_args and flasher_args.json say so; do not edit them)."},
	{ID: AppExceedsSlot, Severity: Error, Inputs: []string{inImage, inDir},
		Title: "An app is bigger than its slot",
		Why:   "The bootloader reads the image past the end of its partition into the next one (or erased flash): the checksum fails and the slot does not boot; an OTA of it fails.",
		Fix:   "Grow the slot (every slot of an OTA set) or shrink the app; count the 4 KiB signature sector when signed."},
	{ID: ReleaseMissingFeature, Severity: Error, Inputs: []string{inDir},
		Title: "A release-mode eFuse plan misses one of ESP-IDF's secure features",
		Why: "In release mode ESP-IDF's bootloader burns, per chip, the fuses in flash_encryption_secure_features.c and secure_boot_secure_features.c; " +
			"without them the app reports \"Flash encryption mode is DEVELOPMENT (not secure)\" and JTAG or the download cache can read the flash.",
		Fix: "Rebuild with this espcompose: its plan is derived per chip from those files (outputs/efuse_features.go); review efuse-plan.md again."},
	{ID: ReleaseWeakenedFeature, Severity: Warning, Inputs: []string{inManifest, inDir},
		Title: "The manifest opts out of one of ESP-IDF's secure features",
		Why:   "An opt-out (allow_jtag, allow_cache_download, allow_rom_basic, rom_download = \"enabled\") leaves a fuse unburned that release mode would burn.",
		Fix:   "Remove the opt-out for production devices, or keep it knowingly: efuse-plan.md names it under \"Weakened by the manifest\"."},
	{ID: ReadBack, Severity: Error, Inputs: []string{inImage, inDir},
		Title: "The image fails a read-back check",
		Why:   "inspect's decoders found a table, image, otadata or NVS the device would reject (bad checksum, hash, MD5, entries).",
		Fix:   "Rebuild from the manifest; run `espcompose inspect` on the image for the details."},
	{ID: EncryptedNoKey, Severity: Warning, Inputs: []string{inDir},
		Title: "The merged image is flash-encrypted and no key was given",
		Why:   "Without the key doctor cannot read what the device decrypts, so the image checks were skipped.",
		Fix:   "Run doctor again with --key (the flash encryption key file)."},
}

// lookup returns the catalog entry of id.
func lookup(id string) Check {
	for _, c := range Catalog {
		if c.ID == id {
			return c
		}
	}
	panic("doctor: unknown check " + id)
}
