// Package importer turns what a project already has (an ESP-IDF build directory, a
// gen_esp32part partitions.csv) into an espcompose manifest, and writes the commented
// starter manifest of `espcompose init`. It reads through an afero.Fs and returns HCL
// bytes; writing the file (never over an existing one) is the caller's business.
package importer

// Manifest is the subset of the manifest language an import can produce. Render turns
// it into formatted HCL.
type Manifest struct {
	Header []string // comment lines at the top of the file, without "# "

	Chip, FlashSize, FlashMode, FlashFreq string

	Images     []Image
	Bootloader *Bootloader
	Table      *Table
	Keys       []Key
	FlashEnc   *FlashEncryption
	SecureBoot *SecureBoot
	Partitions []Partition
	// Devices and NVS come from an mfg_gen import (mfg_render.go).
	Devices    *Devices
	NVS        []NVS
	OutputName string
	// Notes are comment lines written at the end (what the import could not express).
	Notes []string
}

// Image is an image "NAME" { file = FILE } block.
type Image struct {
	Name, File string
	// ExpectProject, when set, becomes expect { project_name = ... }: the build checks
	// the image's esp_app_desc_t names that project.
	ExpectProject string
	Comment       []string
}

// Bootloader places an image at an explicit offset (nil: the chip's default).
type Bootloader struct {
	Image  string
	Offset *uint32
}

// Table is the partition_table block; MD5 nil leaves the default (an MD5 record).
type Table struct {
	Offset uint32
	MD5    *bool
	// Comment lines above the block (where the table came from).
	Comment []string
}

// Key is a key block. Exactly one of File and PublicKey is set.
type Key struct {
	Name, Algorithm string
	File, PublicKey string
	Create          bool
	Comment         []string
}

// FlashEncryption is security.flash_encryption.
type FlashEncryption struct {
	Key, Mode      string
	DeviceEncrypts bool
	Comment        []string
}

// SecureBoot is security.secure_boot.
type SecureBoot struct {
	Version int
	Keys    []string
	Comment []string
}

// Partition is a partition block. Type and Subtype are names, or "0x.." strings for
// numbers without one. Contents is a reference such as image.app; File a raw file.
type Partition struct {
	Name, Type, Subtype string
	Offset              *uint32 // nil: placed as gen_esp32part places it
	Size                uint32
	Encrypted, Readonly bool
	Contents, File      string
	Comment             []string
}
