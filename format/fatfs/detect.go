package fatfs

import "fmt"

// detectSize is fatfsgen's "--partition_size detect" (calculate_min_space and
// main). It is the generator's estimate, reproduced as is: it always counts
// long name entries, sized from the *containing* directory's name rather than
// each child's, and assumes the default 512-entry root; so an image it sizes
// may still turn out too small for Build.
func detectSize(root *node, o Options) (int, error) {
	rootLen := runeLen(o.DetectDirName)
	if o.DetectDirName == "" {
		rootLen = 1
	}
	clusters, err := minSpace(root, rootLen, o.SectorSize, true)
	if err != nil {
		return 0, err
	}
	fats, err := fatSectors(clusters, o.SectorSize)
	if err != nil {
		return 0, err
	}
	rootSectors := 512 * dirEntrySize / o.SectorSize
	size := (clusters + fats + 2 + fats*o.FATCount + rootSectors) * o.SectorSize
	return max(size, minDetectSecs*o.SectorSize), nil
}

// minSpace counts sectors for n: its files' data, and for a directory its
// entries ("." and ".." plus, per child, one short and LFN entries for nameLen
// characters) rounded up to whole sectors.
func minSpace(n *node, nameLen, sectorSize int, isRoot bool) (int, error) {
	if !n.dir {
		return (len(n.data) + sectorSize - 1) / sectorSize, nil
	}
	perChild := (nameLen+lfnChars-1)/lfnChars + 1
	dirSize := 2 * dirEntrySize
	total := 0
	for _, c := range n.sorted() {
		dirSize += perChild * dirEntrySize
		k, err := minSpace(c, runeLen(c.name), sectorSize, false)
		if err != nil {
			return 0, err
		}
		total += k
	}
	if isRoot && dirSize/dirEntrySize > 512 {
		return 0, &NoSpaceError{Reason: fmt.Sprintf("not enough space in root: %d entries counted, 512 fit", dirSize/dirEntrySize)}
	}
	return total + (dirSize+sectorSize-1)/sectorSize, nil
}
