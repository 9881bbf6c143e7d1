package fatfs

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// Entry is one file or directory; Path is slash-separated and relative.
type Entry struct {
	Path string
	Dir  bool
	Data []byte
}

const (
	attrDir     = 0x10
	attrArchive = 0x20
	attrLFN     = 0x0F
	ntresLower  = 0x18 // lower-case base name and extension
	fatDateEpoc = 0x21 // 1980-01-01
)

// dirState is a directory being filled: its cluster chain and used slots.
type dirState struct {
	chain    []int // cluster ids; the root starts with cluster 1 (its fixed region)
	used     int
	root     bool
	entities []string // name parts of what it holds, for "~N" numbering
	keys     map[string]string
}

type builder struct {
	g       geometry
	o       Options
	img     []byte
	fat     []uint32
	last    int // last cluster id handed out (fatfsgen's _first_free_cluster_id)
	date    uint16
	time    uint16
	short   int    // clusters asked for beyond the last one
	shortAt string // the path that first ran out of space
	spill   string // an entry the reference would append past the image end
}

// Build makes the image fatfsgen.py makes from a folder holding entries.
func Build(entries []Entry, opts Options) ([]byte, error) {
	o := opts.withDefaults()
	if err := o.validate(); err != nil {
		return nil, err
	}
	root, err := buildTree(entries)
	if err != nil {
		return nil, err
	}
	if o.Size == 0 {
		if o.Size, err = detectSize(root, o); err != nil {
			return nil, err
		}
	}
	g, err := newGeometry(o)
	if err != nil {
		return nil, err
	}
	b := &builder{g: g, o: o, last: 1, date: fatDateEpoc}
	if o.Timestamp != nil {
		if b.date, b.time, err = fatDateTime(*o.Timestamp); err != nil {
			return nil, err
		}
	}
	b.img = make([]byte, g.totalSectors*g.sectorSize)
	for i := g.dataStart(); i < len(b.img); i++ {
		b.img[i] = 0xFF
	}
	b.fat = make([]uint32, g.clusters)
	b.fat[0] = 0xFF8
	if g.fatType == 16 {
		b.fat[0] = 0xFFF8
	}
	b.fat[1] = g.eoc() // the root directory's implicit cluster
	rootDir := &dirState{chain: []int{1}, root: true, keys: map[string]string{}}
	if err := b.fill(rootDir, root); err != nil {
		if b.short > 0 {
			return nil, b.noSpace(true)
		}
		return nil, err
	}
	if b.short > 0 {
		return nil, b.noSpace(false)
	}
	if b.spill != "" {
		// fatfsgen would grow the image past its size here; refuse instead.
		return nil, &NoSpaceError{Path: b.spill, Reason: fmt.Sprintf("%q: the root directory overflows past the end of the image", b.spill)}
	}
	b.bootSector()
	b.writeFATs()
	return b.img, nil
}

func (b *builder) noSpace(atLeast bool) error {
	return &NoSpaceError{Path: b.shortAt, MoreSectors: b.short, SectorSize: b.g.sectorSize, AtLeast: atLeast}
}

func fatDateTime(t time.Time) (uint16, uint16, error) {
	if t.Year() < 1980 || t.Year() >= 1980+127 {
		return 0, 0, invalidf("timestamp %s is outside the FAT range 1980..2106", t.Format(time.RFC3339))
	}
	d := uint16(t.Year()-1980)<<9 | uint16(t.Month())<<5 | uint16(t.Day())
	tm := uint16(t.Hour())<<11 | uint16(t.Minute())<<5 | uint16(t.Second()/2)
	return d, tm, nil
}

// alloc is find_free_cluster: the next id in order, zeroed and marked as the
// end of a chain. Past the last cluster it keeps counting (returning an id
// nothing is written to) so the error can say how much is missing.
func (b *builder) alloc(path string) int {
	b.last++
	id := b.last
	if id >= b.g.clusters {
		if b.short == 0 {
			b.shortAt = path
		}
		b.short++
		return id
	}
	b.fat[id] = b.g.eoc()
	a := b.g.clusterAddr(id)
	clear(b.img[a : a+b.g.sectorSize])
	return id
}

func (b *builder) link(from, to int) {
	if from < b.g.clusters {
		b.fat[from] = uint32(to)
	}
}

// slot returns the image offset of d's next free entry (-1 when it lies in a
// cluster past the end), chaining a new cluster when d is full.
func (b *builder) slot(d *dirState, path string) int {
	// Every extension of a directory holds as many entries as its first
	// part: one sector for a subdirectory, but the whole root region for the
	// root, laid from the new cluster on over the sectors that follow it
	// (as fatfsgen's _extend_directory does).
	per := b.g.sectorSize / dirEntrySize
	if d.root {
		per = b.g.rootSectors * b.g.sectorSize / dirEntrySize
	}
	seg, off := d.used/per, d.used%per
	if seg == len(d.chain) {
		id := b.alloc(path)
		b.link(d.chain[len(d.chain)-1], id)
		d.chain = append(d.chain, id)
	}
	d.used++
	id := d.chain[seg]
	at := b.g.clusterAddr(id) + off*dirEntrySize
	if id >= b.g.clusters {
		return -1
	}
	if at+dirEntrySize > len(b.img) && b.spill == "" {
		b.spill = path
	}
	if at+dirEntrySize > len(b.img) {
		return -1
	}
	return at
}

func (b *builder) put(at int, e []byte) {
	if at >= 0 {
		copy(b.img[at:at+dirEntrySize], e)
	}
}

// shortEntry lays out a short directory entry.
func shortEntry(name, ext []byte, attr, ntres byte, date, tm uint16, cluster, size int) []byte {
	e := make([]byte, dirEntrySize)
	copy(e[0:8], name)
	copy(e[8:11], ext)
	e[11] = attr
	e[12] = ntres
	binary.LittleEndian.PutUint16(e[14:], tm)
	binary.LittleEndian.PutUint16(e[16:], date)
	binary.LittleEndian.PutUint16(e[18:], date)
	binary.LittleEndian.PutUint16(e[22:], tm)
	binary.LittleEndian.PutUint16(e[24:], date)
	binary.LittleEndian.PutUint16(e[26:], uint16(cluster))
	binary.LittleEndian.PutUint32(e[28:], uint32(size))
	return e
}

// fill writes d's children in name order, depth first, as fatfsgen's
// _generate_partition_from_folder does.
func (b *builder) fill(d *dirState, n *node) error {
	for _, c := range n.sorted() {
		upper := pyUpper(c.name)
		name, ext := upper, ""
		if !c.dir {
			name, ext = splitExt(upper)
		}
		key := buildName(name, ext)
		if other, dup := d.keys[key]; dup {
			return invalidf("%q and %q are the same FAT name %q", other, c.path, key)
		}
		d.keys[key] = c.path
		if c.dir {
			if err := b.addDir(d, c, name); err != nil {
				return err
			}
			continue
		}
		if err := b.addFile(d, c, name, ext); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) addFile(d *dirState, c *node, name, ext string) error {
	secs := (len(c.data) + b.g.sectorSize - 1) / b.g.sectorSize
	first := 0
	if secs > 0 {
		first = b.alloc(c.path)
	}
	if err := b.entry(d, c.path, name, ext, attrArchive, first, len(c.data)); err != nil {
		return err
	}
	d.entities = append(d.entities, name)
	cur := first
	for i := 0; i < secs; i++ {
		if i > 0 {
			next := b.alloc(c.path)
			b.link(cur, next)
			cur = next
		}
		if cur < b.g.clusters {
			a := b.g.clusterAddr(cur)
			copy(b.img[a:a+b.g.sectorSize], c.data[i*b.g.sectorSize:])
		}
	}
	return nil
}

func (b *builder) addDir(d *dirState, c *node, name string) error {
	id := b.alloc(c.path)
	if err := b.entry(d, c.path, name, "", attrDir, id, 0); err != nil {
		return err
	}
	sub := &dirState{chain: []int{id}, keys: map[string]string{}}
	dot, _ := padName(".", maxNameLen)
	dotdot, _ := padName("..", maxNameLen)
	blank := []byte("   ")
	// "." and ".." always carry the epoch: the reference never passes them a date.
	b.put(b.slot(sub, c.path), shortEntry(dot, blank, attrDir, 0, fatDateEpoc, 0, id, 0))
	b.put(b.slot(sub, c.path), shortEntry(dotdot, blank, attrDir, 0, fatDateEpoc, 0, d.chain[0], 0))
	d.entities = append(d.entities, name)
	if len(c.children) > 0 && strings.HasSuffix(name, ".") {
		// fatfsgen looks a parent up by splitting its name like a file's, which
		// drops a trailing dot, so it never finds this folder (FileNotFoundError).
		return invalidf("%q: fatfsgen cannot put anything in a folder whose name ends with a dot", c.path)
	}
	return b.fill(sub, c)
}

// entry writes the directory entry (or LFN entries and their alias) of one
// object into d, as fatfsgen's allocate_object.
func (b *builder) entry(d *dirState, path, name, ext string, attr byte, cluster, size int) error {
	if !b.o.LongNames || validSFN(name, ext) {
		if !b.o.LongNames && (runeLen(name) > maxNameLen || runeLen(ext) > maxExtLen) {
			return fmt.Errorf("%w: %q: maximal length of the object name is 8 characters and 3 characters for extension", ErrNameTooLong, path)
		}
		n, ok1 := padName(name, maxNameLen)
		e, ok2 := padName(ext, maxExtLen)
		if !ok1 || !ok2 {
			return invalidf("%q: a short (8.3) name holds ASCII only", path)
		}
		var ntres byte
		if b.o.LongNames {
			ntres = ntresLower
		}
		b.put(b.slot(d, path), shortEntry(n, e, attr, ntres, b.date, b.time, cluster, size))
		return nil
	}
	full := lfnFullName(name, ext)
	seq := 1
	for _, other := range d.entities {
		if prefix(other, 6) == prefix(name, 6) {
			seq++
		}
	}
	if seq > maxSamePrefix {
		return &NoSpaceError{Path: path, Reason: fmt.Sprintf("%q: maximal number of files with the same prefix is %d", path, maxSamePrefix)}
	}
	an, ae := aliasName(name, ext, seq, full)
	n, ok1 := padName(an, maxNameLen)
	e, ok2 := padName(ae, maxExtLen)
	if !ok1 || !ok2 {
		return invalidf("%q: its short alias %q holds non-ASCII characters, which fatfsgen cannot write", path, buildName(an, ae))
	}
	parts, ok := lfnSlices(full)
	if !ok {
		return invalidf("%q: characters outside the Basic Multilingual Plane do not fit fatfsgen's long name entries", path)
	}
	sum := sfnChecksum(append(append([]byte{}, n...), e...))
	for i := len(parts) - 1; i >= 0; i-- {
		order := byte(i + 1)
		if i == len(parts)-1 {
			order |= 0x40
		}
		le := make([]byte, dirEntrySize)
		le[0] = order
		copy(le[1:11], parts[i][0:10])
		le[11] = attrLFN
		le[13] = sum
		copy(le[14:26], parts[i][10:22])
		copy(le[28:32], parts[i][22:26])
		b.put(b.slot(d, path), le)
	}
	b.put(b.slot(d, path), shortEntry(n, e, attr, 0, b.date, b.time, cluster, size))
	return nil
}

func (b *builder) bootSector() {
	s := b.img[:512]
	copy(s[0:], []byte{0xEB, 0xFE, 0x90})
	copy(s[3:11], "MSDOS5.0")
	binary.LittleEndian.PutUint16(s[11:], uint16(b.g.sectorSize))
	s[13] = byte(b.g.spc)
	binary.LittleEndian.PutUint16(s[14:], 1) // reserved sectors
	s[16] = byte(b.g.fatCount)
	binary.LittleEndian.PutUint16(s[17:], uint16(b.g.rootSectors*b.g.sectorSize/dirEntrySize))
	binary.LittleEndian.PutUint16(s[19:], uint16(b.g.totalSectors))
	s[21] = 0xF8
	binary.LittleEndian.PutUint16(s[22:], uint16(b.g.sectorsPerFAT))
	binary.LittleEndian.PutUint16(s[24:], 0x3F) // sectors per track
	binary.LittleEndian.PutUint16(s[26:], 0xFF) // heads
	s[36] = 0x80
	s[38] = 0x29
	binary.LittleEndian.PutUint32(s[39:], b.o.VolumeID)
	label, _ := padName(b.o.VolumeLabel, 11)
	copy(s[43:54], label)
	copy(s[54:62], "FAT     ")
	s[510], s[511] = 0x55, 0xAA
}

func (b *builder) writeFATs() {
	start := b.g.sectorSize
	size := b.g.sectorsPerFAT * b.g.sectorSize
	t := b.img[start : start+size]
	for id, v := range b.fat {
		if b.g.fatType == 16 {
			binary.LittleEndian.PutUint16(t[2*id:], uint16(v))
			continue
		}
		o := id * 3 / 2
		if id%2 == 0 {
			t[o] = byte(v)
			t[o+1] = t[o+1]&0xF0 | byte(v>>8)&0x0F
		} else {
			t[o] = t[o]&0x0F | byte(v<<4)
			t[o+1] = byte(v >> 4)
		}
	}
	if b.g.fatCount == 2 {
		copy(b.img[start+size:start+2*size], t)
	}
}
