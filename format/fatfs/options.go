package fatfs

import "time"

// Options are fatfsgen.py's arguments. Zero values take fatfsgen's defaults
// (see DefaultOptions), except Size where 0 means "--partition_size detect".
type Options struct {
	Size              int        // image size in bytes; 0 = "detect" (smallest that fits, as --partition_size detect)
	SectorSize        int        // 512, 1024, 2048 or 4096 (default 4096)
	SectorsPerCluster int        // 1..128, a power of two (default 1)
	FATCount          int        // 1 or 2 (default 2)
	RootEntries       int        // default 512
	FATType           int        // 0 auto, 12, 16
	LongNames         bool       // fatfsgen --long_name_support
	VolumeID          uint32     // FAT volume serial (never random; the caller gives or derives it)
	VolumeLabel       string     // default "Espressif"; "" also means the default
	Timestamp         *time.Time // nil = FAT epoch 1980-01-01 00:00 (use_default_datetime)

	// DetectDirName is the input folder as it would be passed to fatfsgen.py.
	// Only "detect" (Size 0) uses it: the generator counts, for every child of
	// the root, LFN entries for the folder's own name. "" stands for any name of
	// at most 13 characters (such as "input"), giving one LFN entry per child.
	DetectDirName string
}

// DefaultOptions are fatfsgen.py's defaults for a size in bytes.
func DefaultOptions(size int) Options {
	return Options{
		Size:              size,
		SectorSize:        4096,
		SectorsPerCluster: 1,
		FATCount:          2,
		RootEntries:       512,
		VolumeLabel:       "Espressif",
	}
}

func (o Options) withDefaults() Options {
	d := DefaultOptions(o.Size)
	if o.SectorSize == 0 {
		o.SectorSize = d.SectorSize
	}
	if o.SectorsPerCluster == 0 {
		o.SectorsPerCluster = d.SectorsPerCluster
	}
	if o.FATCount == 0 {
		o.FATCount = d.FATCount
	}
	if o.RootEntries == 0 {
		o.RootEntries = d.RootEntries
	}
	if o.VolumeLabel == "" {
		o.VolumeLabel = d.VolumeLabel
	}
	return o
}

func (o Options) validate() error {
	switch o.SectorSize {
	case 512, 1024, 2048, 4096:
	default:
		return invalidf("sector size %d (want 512, 1024, 2048 or 4096)", o.SectorSize)
	}
	spc := o.SectorsPerCluster
	if spc < 1 || spc > 128 || spc&(spc-1) != 0 {
		return invalidf("sectors per cluster %d (want 1, 2, 4, ... 128)", spc)
	}
	if o.FATCount != 1 && o.FATCount != 2 {
		return invalidf("FAT count %d (want 1 or 2)", o.FATCount)
	}
	if o.FATType != 0 && o.FATType != 12 && o.FATType != 16 {
		return invalidf("FAT type %d (want 0, 12 or 16)", o.FATType)
	}
	if o.Size < 0 {
		return invalidf("size %d", o.Size)
	}
	// fatfsgen asserts these: the root directory fills whole sectors, and an
	// even number of them above 128 entries.
	rootBytes := o.RootEntries * dirEntrySize
	if o.RootEntries < 1 || o.RootEntries > 0xFFFF || rootBytes%o.SectorSize != 0 {
		return invalidf("root entry count %d: %d bytes is not a whole number of %d-byte sectors", o.RootEntries, rootBytes, o.SectorSize)
	}
	if o.RootEntries > 128 && (rootBytes/o.SectorSize)%2 != 0 {
		return invalidf("root entry count %d: above 128 entries the root directory must fill an even number of sectors", o.RootEntries)
	}
	for _, r := range o.VolumeLabel {
		if r > 0x7E || r < 0x20 {
			return invalidf("volume label %q: only printable ASCII fits the boot sector", o.VolumeLabel)
		}
	}
	return nil
}
