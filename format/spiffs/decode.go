package spiffs

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Page header flag bits; SPIFFS clears a bit to set the flag.
const (
	flagUsed    = 1 << 0
	flagFinal   = 1 << 1
	flagIndex   = 1 << 2
	flagIxDel   = 1 << 6
	flagDeleted = 1 << 7
)

// Decode lists and extracts the files of a SPIFFS image, in image order (the
// order their first index pages appear in, which for spiffsgen's images is the
// order the files were added). opts gives the geometry the image was built with;
// opts.Size is ignored, the image's length is its size. Pages an application
// deleted or never finished are skipped, as SPIFFS does; anything inconsistent
// is ErrCorrupt. Decode reads images written by the SPIFFS driver on a device as
// well as spiffsgen's.
func Decode(img []byte, opts Options) ([]File, error) {
	o := opts
	o.Size = 0
	g, err := newGeometry(o)
	if err != nil {
		return nil, err
	}
	if len(img)%o.BlockSize != 0 {
		return nil, fmt.Errorf("%w: image of %d bytes is not a whole number of %d-byte blocks", ErrCorrupt, len(img), o.BlockSize)
	}
	d := &decoder{g: g, img: img, ps: o.PageSize, totalPages: len(img) / o.PageSize}
	heads, err := d.indexPages(len(img) / o.BlockSize)
	if err != nil {
		return nil, err
	}
	var files []File
	seen := map[string]bool{}
	for _, obj := range heads {
		f, err := d.file(obj)
		if err != nil {
			return nil, err
		}
		if seen[f.Path] {
			return nil, fmt.Errorf("%w: two files named %q", ErrCorrupt, "/"+f.Path)
		}
		seen[f.Path] = true
		files = append(files, f)
	}
	return files, nil
}

type decoder struct {
	g          *geometry
	img        []byte
	ps         int
	totalPages int
	objs       map[int]*object
}

// object is one file's index pages, by span index.
type object struct {
	id    int
	head  int // page of span 0
	index map[int]int
}

func (d *decoder) page(p int) []byte { return d.img[p*d.ps:][:d.ps] }

// live reports whether flags mark a finished page that is not deleted.
func live(flags byte) bool {
	return flags&flagUsed == 0 && flags&flagFinal == 0 && flags&flagDeleted != 0
}

// indexPages scans every block's lookup pages for object index pages and returns
// the objects that have a first index page, in page order.
func (d *decoder) indexPages(blocks int) ([]*object, error) {
	g := d.g
	d.objs = map[int]*object{}
	for bix := 0; bix < blocks; bix++ {
		base := bix * g.o.BlockSize
		for k := 0; k < g.usablePages; k++ {
			id := int(g.order.Uint16(d.img[base+(k/g.luEntries)*d.ps+(k%g.luEntries)*objIDLen:]))
			if id == freeID || id == 0 {
				continue // erased or deleted
			}
			p := bix*g.pagesPerBlock + g.luPages + k
			pg := d.page(p)
			flags := pg[4]
			if !live(flags) {
				continue // not finished or deleted: SPIFFS ignores it too
			}
			if hid := int(g.order.Uint16(pg)); hid != id {
				return nil, fmt.Errorf("%w: page %d (offset 0x%X) has object id 0x%04X, its lookup entry 0x%04X", ErrCorrupt, p, p*d.ps, hid, id)
			}
			isIndex := flags&flagIndex == 0
			if isIndex != (id&ixFlag != 0) {
				return nil, fmt.Errorf("%w: page %d (offset 0x%X): flags 0x%02X disagree with object id 0x%04X", ErrCorrupt, p, p*d.ps, flags, id)
			}
			if !isIndex || flags&flagIxDel == 0 {
				continue
			}
			obj := d.objs[id&^ixFlag]
			if obj == nil {
				obj = &object{id: id &^ ixFlag, head: -1, index: map[int]int{}}
				d.objs[obj.id] = obj
			}
			span := int(g.order.Uint16(pg[2:]))
			if _, dup := obj.index[span]; dup {
				return nil, fmt.Errorf("%w: object %d has two index pages with span %d (page %d, offset 0x%X)", ErrCorrupt, obj.id, span, p, p*d.ps)
			}
			obj.index[span] = p
			if span == 0 {
				obj.head = p
			}
		}
	}
	var heads []*object
	for _, obj := range d.objs {
		if obj.head >= 0 { // index pages without a first page are orphans SPIFFS ignores
			heads = append(heads, obj)
		}
	}
	sort.Slice(heads, func(i, j int) bool { return heads[i].head < heads[j].head })
	return heads, nil
}

// file reads one object: its name and size from the first index page, then its
// data pages through the index pages' page numbers.
func (d *decoder) file(obj *object) (File, error) {
	g := d.g
	head := d.page(obj.head)
	at := func(what string) error {
		return fmt.Errorf("%w: object %d (index page %d, offset 0x%X): %s", ErrCorrupt, obj.id, obj.head, obj.head*d.ps, what)
	}
	if g.ixHdrLen > d.ps {
		return File{}, fmt.Errorf("%w: page size %d cannot hold an object index page with obj-name-len %d and meta-len %d",
			ErrInvalid, d.ps, g.o.ObjNameLen, g.o.MetaLen)
	}
	o := dataHdrLen + g.dataHdrPad
	size := int(g.order.Uint32(head[o:]))
	if uint32(size) == undefinedSz {
		size = 0
	}
	if typ := head[o+ixSizeLen]; typ != typeFile {
		return File{}, at(fmt.Sprintf("object type %d is not a file", typ))
	}
	nameOff := o + ixSizeLen + ixTypeLen
	field := head[nameOff:min(nameOff+g.o.ObjNameLen, len(head))]
	n := strings.IndexByte(string(field), 0)
	if n < 0 {
		// spiffsgen lets a multi-byte name run past its field; look further.
		n = strings.IndexByte(string(head[nameOff:]), 0)
	}
	if n < 0 {
		return File{}, at("name has no terminating NUL")
	}
	name := string(head[nameOff : nameOff+n])
	path := strings.TrimPrefix(name, "/")
	if path == "" {
		return File{}, at("empty name")
	}
	pages := (size + g.contentLen - 1) / g.contentLen
	if pages > d.totalPages {
		return File{}, at(fmt.Sprintf("size %d needs more data pages than the image has", size))
	}

	// spiffsgen pads a name by its length in characters, so a multi-byte name
	// moves the first index page's page numbers by the extra bytes; the SPIFFS
	// driver does not. Use the shifted position only when it leads to the
	// object's first data page.
	refs := g.ixHdrLen
	if extra := len(name) - utf8.RuneCountInString(name); extra > 0 && utf8.ValidString(name) && pages > 0 && g.headLim > 0 {
		if shifted := refs + extra; shifted+pageIxLen*min(pages, g.headLim) <= d.ps {
			if _, err := d.dataPage(obj, int(g.order.Uint16(head[shifted:])), 0); err == nil {
				refs = shifted
			}
		}
	}
	if n := refs + pageIxLen*min(pages, g.headLim); n > d.ps {
		return File{}, at("page numbers run past the end of the page")
	}

	data := make([]byte, 0, size)
	for span := 0; span < pages; span++ {
		ixPage, slot, base := obj.head, span, refs
		if span >= g.headLim {
			s := 1 + (span-g.headLim)/g.ixLim
			slot, base = (span-g.headLim)%g.ixLim, dataHdrLen+g.dataHdrPad
			var ok bool
			if ixPage, ok = obj.index[s&maxU16]; !ok {
				return File{}, at(fmt.Sprintf("index page with span %d is missing", s))
			}
		}
		ref := int(g.order.Uint16(d.page(ixPage)[base+slot*pageIxLen:]))
		content, err := d.dataPage(obj, ref, span)
		if err != nil {
			return File{}, err
		}
		data = append(data, content[:min(len(content), size-len(data))]...)
	}
	return File{Path: path, Data: data}, nil
}

// dataPage returns the content of the data page numbered ref, checking that it
// is the live data page of obj with the given span index.
func (d *decoder) dataPage(obj *object, ref, span int) ([]byte, error) {
	g := d.g
	p := g.pageOf(ref)
	if p < 0 || p >= d.totalPages || p%g.pagesPerBlock < g.luPages {
		return nil, fmt.Errorf("%w: object %d: data span %d refers to page %d, not an object page", ErrCorrupt, obj.id, span, ref)
	}
	pg := d.page(p)
	flags := pg[4]
	if id, s := int(g.order.Uint16(pg)), int(g.order.Uint16(pg[2:])); !live(flags) || flags&flagIndex == 0 || id != obj.id || s != span&maxU16 {
		return nil, fmt.Errorf("%w: object %d: data span %d: page %d (offset 0x%X) holds object 0x%04X span %d flags 0x%02X",
			ErrCorrupt, obj.id, span, p, p*d.ps, id, s, flags)
	}
	return pg[dataHdrLen:], nil
}
