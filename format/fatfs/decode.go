package fatfs

import (
	"encoding/binary"
	"strings"
	"unicode/utf16"
)

const maxDirDepth = 64

// volume is a parsed FAT12/FAT16 image being read.
type volume struct {
	img          []byte
	bps          int
	clusterBytes int
	fatStart     int
	rootStart    int
	rootBytes    int
	dataStart    int
	clusters     int // highest cluster id + 1
	fatType      int
	owned        []bool // clusters already claimed by a file or directory
}

// Decode lists the files and directories of a FAT12/FAT16 image, directories
// included (Dir set, no Data), each directory before its contents. Names are
// the long names where valid LFN entries precede a short entry, otherwise the
// 8.3 name with FatFs's lower-case flags (DIR_NTRes) applied. Clusters are
// SectorsPerCluster sectors, as FatFs reads them; see DecodeFatfsgen for
// Build's images with more than one sector per cluster.
func Decode(img []byte) ([]Entry, error) { return decode(img, false) }

// DecodeFatfsgen reads an image the way ESP-IDF's fatfsparse.py does, with
// every cluster one sector long whatever SectorsPerCluster says: the layout
// fatfsgen.py (and so Build) writes. With one sector per cluster it is Decode;
// with more, only it reads Build's images back (FatFs on the device does not).
func DecodeFatfsgen(img []byte) ([]Entry, error) { return decode(img, true) }

func decode(img []byte, perSector bool) ([]Entry, error) {
	v, err := parseVolume(img, perSector)
	if err != nil {
		return nil, err
	}
	segs := [][2]int{{v.rootStart, v.rootBytes}}
	// fatfsgen chains a full root directory into the data area through FAT[1],
	// each extension as large as the root region.
	if next := int(v.fatEntry(1)); next >= 2 && next < v.clusters {
		chain, err := v.chain(next, "root directory")
		if err != nil {
			return nil, err
		}
		for _, c := range chain {
			segs = append(segs, [2]int{v.clusterAddr(c), v.rootBytes})
		}
	}
	var out []Entry
	if err := v.readDir(segs, "", 0, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func parseVolume(img []byte, perSector bool) (*volume, error) {
	if len(img) < 512 {
		return nil, corruptf("%d bytes is shorter than a boot sector", len(img))
	}
	if img[510] != 0x55 || img[511] != 0xAA {
		return nil, corruptf("no boot sector signature at byte 510")
	}
	le16 := func(o int) int { return int(binary.LittleEndian.Uint16(img[o:])) }
	bps := le16(11)
	switch bps {
	case 512, 1024, 2048, 4096:
	default:
		return nil, corruptf("%d bytes per sector (byte 11)", bps)
	}
	spc := int(img[13])
	if spc == 0 || spc&(spc-1) != 0 {
		return nil, corruptf("%d sectors per cluster (byte 13)", spc)
	}
	rsvd, nfats, rootEnt := le16(14), int(img[16]), le16(17)
	total := le16(19)
	if total == 0 {
		total = int(binary.LittleEndian.Uint32(img[32:]))
	}
	fatSz := le16(22)
	if rsvd == 0 || nfats == 0 || fatSz == 0 || total == 0 {
		return nil, corruptf("reserved sectors %d, FATs %d, sectors per FAT %d, total sectors %d: not a FAT12/FAT16 volume", rsvd, nfats, fatSz, total)
	}
	rootSecs := (rootEnt*dirEntrySize + bps - 1) / bps
	nonData := rsvd + nfats*fatSz + rootSecs
	if total <= nonData || total*bps > len(img) {
		return nil, corruptf("%d sectors of %d bytes do not fit a %d-byte image with %d sectors before the data", total, bps, len(img), nonData)
	}
	v := &volume{
		img:          img,
		bps:          bps,
		clusterBytes: bps * spc,
		fatStart:     rsvd * bps,
		rootStart:    (rsvd + nfats*fatSz) * bps,
		rootBytes:    rootEnt * dirEntrySize,
		dataStart:    nonData * bps,
		clusters:     (total-nonData)/spc + 2,
	}
	// The FAT type follows the count the way fatfsgen decides it.
	v.fatType = fatTypeFor(v.clusters)
	if v.fatType == 32 {
		return nil, corruptf("%d clusters: FAT32 is not supported", v.clusters)
	}
	need := (v.clusters*3 + 1) / 2
	if v.fatType == 16 {
		need = v.clusters * 2
	}
	if need > fatSz*bps {
		return nil, corruptf("a %d-sector FAT cannot map %d clusters", fatSz, v.clusters)
	}
	if perSector {
		v.clusterBytes = bps
	}
	v.owned = make([]bool, v.clusters)
	return v, nil
}

func (v *volume) fatEntry(id int) uint32 {
	if v.fatType == 16 {
		return uint32(binary.LittleEndian.Uint16(v.img[v.fatStart+2*id:]))
	}
	o := v.fatStart + id*3/2
	w := uint32(binary.LittleEndian.Uint16(v.img[o:]))
	if id%2 == 1 {
		return w >> 4
	}
	return w & 0xFFF
}

func (v *volume) isEOC(x uint32) bool {
	if v.fatType == 12 {
		return x >= 0xFF8
	}
	return x >= 0xFFF8
}

func (v *volume) clusterAddr(id int) int { return v.dataStart + (id-2)*v.clusterBytes }

// chain follows a cluster chain to its end, claiming each cluster: a cluster
// met twice (a loop, or two files sharing it) makes the image corrupt, which
// also bounds the walk by the cluster count.
func (v *volume) chain(first int, what string) ([]int, error) {
	var out []int
	c := first
	for {
		if c < 2 || c >= v.clusters {
			return nil, corruptf("%s: cluster %d is outside 2..%d", what, c, v.clusters-1)
		}
		if v.owned[c] {
			return nil, corruptf("%s: cluster %d is used twice (a loop or a cross-link)", what, c)
		}
		if v.clusterAddr(c)+v.clusterBytes > len(v.img) {
			return nil, corruptf("%s: cluster %d lies past the image end", what, c)
		}
		v.owned[c] = true
		out = append(out, c)
		next := v.fatEntry(c)
		if v.isEOC(next) {
			return out, nil
		}
		c = int(next)
	}
}

// lfnState gathers the LFN entries before a short entry.
type lfnState struct {
	units []uint16
	want  int // order of the next expected entry; 0 = none in progress
	sum   byte
}

func (v *volume) readDir(segs [][2]int, dir string, depth int, out *[]Entry) error {
	if depth > maxDirDepth {
		return corruptf("%q: directories nested deeper than %d", dir, maxDirDepth)
	}
	type sub struct {
		path    string
		cluster int
	}
	var subs []sub
	seen := map[string]bool{}
	var lfn lfnState
	where := dir
	if where == "" {
		where = "root directory"
	}
scan:
	for _, s := range segs {
		end := min(s[0]+s[1], len(v.img))
		for at := s[0]; at+dirEntrySize <= end; at += dirEntrySize {
			e := v.img[at : at+dirEntrySize]
			switch {
			case e[0] == 0x00:
				break scan
			case e[0] == 0xE5:
				lfn = lfnState{}
				continue
			case e[11]&0x3F == attrLFN:
				lfn.add(e)
				continue
			case e[11]&0x08 != 0 || e[0] == '.':
				lfn = lfnState{}
				continue
			}
			name := shortName(e)
			if lfn.want == 1 && lfn.sum == sfnChecksum(e[:11]) {
				if long, ok := lfn.name(); ok {
					name = long
				}
			}
			lfn = lfnState{}
			if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
				return corruptf("%s: entry at byte %d has the name %q", where, at, name)
			}
			if seen[name] {
				return corruptf("%s: the name %q appears twice", where, name)
			}
			seen[name] = true
			p := name
			if dir != "" {
				p = dir + "/" + name
			}
			cluster := int(binary.LittleEndian.Uint16(e[26:]))
			if e[11]&attrDir != 0 {
				*out = append(*out, Entry{Path: p, Dir: true})
				subs = append(subs, sub{p, cluster})
				continue
			}
			data, err := v.fileData(p, cluster, int(binary.LittleEndian.Uint32(e[28:])))
			if err != nil {
				return err
			}
			*out = append(*out, Entry{Path: p, Data: data})
		}
	}
	for _, s := range subs {
		chain, err := v.chain(s.cluster, s.path)
		if err != nil {
			return err
		}
		segs := make([][2]int, len(chain))
		for i, c := range chain {
			segs[i] = [2]int{v.clusterAddr(c), v.clusterBytes}
		}
		// Entries of a directory come before those of its subdirectories;
		// the chain walk above already refused loops back to an ancestor.
		if err := v.readDir(segs, s.path, depth+1, out); err != nil {
			return err
		}
	}
	return nil
}

func (v *volume) fileData(path string, cluster, size int) ([]byte, error) {
	if size == 0 {
		return []byte{}, nil
	}
	chain, err := v.chain(cluster, path)
	if err != nil {
		return nil, err
	}
	if len(chain)*v.clusterBytes < size {
		return nil, corruptf("%q: %d bytes do not fit its %d clusters", path, size, len(chain))
	}
	data := make([]byte, 0, size)
	for _, c := range chain {
		a := v.clusterAddr(c)
		data = append(data, v.img[a:a+min(v.clusterBytes, size-len(data))]...)
		if len(data) == size {
			break
		}
	}
	return data, nil
}

// shortName is the 8.3 name as FatFs shows it: padding dropped, 0x05 for a
// leading 0xE5, and base or extension lowered when DIR_NTRes says so.
func shortName(e []byte) string {
	base := []byte(strings.TrimRight(string(e[0:8]), " "))
	ext := []byte(strings.TrimRight(string(e[8:11]), " "))
	if len(base) > 0 && base[0] == 0x05 {
		base[0] = 0xE5
	}
	if e[12]&0x08 != 0 {
		base = asciiLower(base)
	}
	if e[12]&0x10 != 0 {
		ext = asciiLower(ext)
	}
	if len(ext) == 0 {
		return string(base)
	}
	return string(base) + "." + string(ext)
}

func asciiLower(b []byte) []byte {
	out := append([]byte{}, b...)
	for i, c := range out {
		if c >= 'A' && c <= 'Z' {
			out[i] = c + 0x20
		}
	}
	return out
}

func (l *lfnState) add(e []byte) {
	ord := int(e[0] & 0x1F)
	if e[0]&0x40 != 0 {
		if ord == 0 {
			*l = lfnState{}
			return
		}
		*l = lfnState{units: make([]uint16, ord*lfnChars), want: ord, sum: e[13]}
	} else if l.want < 2 || ord != l.want-1 || e[13] != l.sum {
		*l = lfnState{}
		return
	} else {
		l.want = ord
	}
	var u [lfnChars]uint16
	for i := 0; i < 5; i++ {
		u[i] = binary.LittleEndian.Uint16(e[1+2*i:])
	}
	for i := 0; i < 6; i++ {
		u[5+i] = binary.LittleEndian.Uint16(e[14+2*i:])
	}
	for i := 0; i < 2; i++ {
		u[11+i] = binary.LittleEndian.Uint16(e[28+2*i:])
	}
	copy(l.units[(ord-1)*lfnChars:], u[:])
}

func (l *lfnState) name() (string, bool) {
	u := l.units
	for i, c := range u {
		if c == 0 {
			u = u[:i]
			break
		}
	}
	if len(u) == 0 {
		return "", false
	}
	return string(utf16.Decode(u)), true
}
