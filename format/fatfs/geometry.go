package fatfs

import "fmt"

const (
	dirEntrySize    = 32
	fat12MaxCluster = 4085
	fat16MaxCluster = 65525
	minDetectSecs   = 128 // FATFS_MIN_ALLOC_UNIT
)

// geometry is the volume layout fatfsgen derives from its options.
type geometry struct {
	sectorSize    int
	spc           int
	fatCount      int
	rootSectors   int
	totalSectors  int
	sectorsPerFAT int
	dataSectors   int
	clusters      int // FAT entries in use, the two reserved ones included
	fatType       int
}

// fatTypeFor is fatfsgen's get_fatfs_type: it is given a count that already
// includes the two reserved clusters.
func fatTypeFor(clusters int) int {
	switch {
	case clusters < fat12MaxCluster:
		return 12
	case clusters <= fat16MaxCluster:
		return 16
	}
	return 32
}

// fatSectors is fatfsgen's get_fat_sectors_count: FAT bytes for that many
// entries plus the reserved half-bytes, rounded up to sectors.
func fatSectors(entries, sectorSize int) (int, error) {
	var n int
	switch fatTypeFor(entries) {
	case 12:
		n = (entries*3+1)/2 + 3
	case 16:
		n = entries*2 + 4
	default:
		return 0, invalidf("%d sectors would need FAT32, which fatfsgen does not support", entries)
	}
	return (n + sectorSize - 1) / sectorSize, nil
}

func newGeometry(o Options) (geometry, error) {
	g := geometry{
		sectorSize:   o.SectorSize,
		spc:          o.SectorsPerCluster,
		fatCount:     o.FATCount,
		rootSectors:  o.RootEntries * dirEntrySize / o.SectorSize,
		totalSectors: o.Size / o.SectorSize,
	}
	// The reference sizes each FAT from the total sector count (a FAT16-sized
	// FAT for a FAT12 volume of 4085+ sectors): reproduced, not corrected.
	spf, err := fatSectors(g.totalSectors, g.sectorSize)
	if err != nil {
		return g, err
	}
	g.sectorsPerFAT = spf
	g.dataSectors = g.totalSectors - g.nonDataSectors()
	if g.dataSectors < 0 {
		return g, &NoSpaceError{Reason: fmt.Sprintf("%d bytes do not hold the boot sector, %d FAT(s) of %d sectors and a %d-sector root directory", o.Size, g.fatCount, spf, g.rootSectors)}
	}
	g.clusters = g.dataSectors/g.spc + 2
	g.fatType = fatTypeFor(g.clusters)
	if o.FATType != 0 && o.FATType != g.fatType {
		return g, fmt.Errorf("%w: the specified FATFS type: FAT%d, the actual FATFS type: FAT%d", ErrFATType, o.FATType, g.fatType)
	}
	if g.fatType == 32 {
		return g, invalidf("%d clusters need FAT32, which fatfsgen does not support", g.clusters)
	}
	return g, nil
}

func (g geometry) nonDataSectors() int {
	return 1 + g.sectorsPerFAT*g.fatCount + g.rootSectors
}

func (g geometry) rootStart() int { return (1 + g.sectorsPerFAT*g.fatCount) * g.sectorSize }

func (g geometry) dataStart() int { return g.nonDataSectors() * g.sectorSize }

// clusterAddr is where fatfsgen puts a cluster: one sector per cluster id,
// whatever the cluster size, and cluster 1 is the root directory.
func (g geometry) clusterAddr(id int) int {
	if id == 1 {
		return g.rootStart()
	}
	return g.dataStart() + (id-2)*g.sectorSize
}

func (g geometry) eoc() uint32 {
	if g.fatType == 12 {
		return 0xFFF
	}
	return 0xFFFF
}
