package spiffs

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// Fixed widths of spiffsgen's (and ESP-IDF's spiffs_config.h) types.
const (
	objIDLen    = 2 // spiffs_obj_id
	spanIxLen   = 2 // spiffs_span_ix
	pageIxLen   = 2 // spiffs_page_ix
	blockIxLen  = 2 // spiffs_block_ix, the width spiffsgen uses for index entries
	flagLen     = 1
	ixSizeLen   = 4
	ixTypeLen   = 1
	typeFile    = 1
	flagsIndex  = 0xF8 // used, final, index
	flagsData   = 0xFC // used, final
	ixFlag      = 0x8000
	freeID      = 0xFFFF
	magicBase   = 0x20140529
	magicMask   = (2 << (8 * objIDLen)) - 1 // spiffsgen's mask is one bit wider than an id
	dataHdrLen  = objIDLen + spanIxLen + flagLen
	maxU16      = 0xFFFF
	undefinedSz = 0xFFFFFFFF // SPIFFS_UNDEFINED_LEN: a file created but never written
)

// geometry holds the sizes spiffsgen's SpiffsBuildConfig derives from the options.
type geometry struct {
	o             Options
	order         binary.ByteOrder
	pagesPerBlock int
	luPages       int // lookup pages at the start of each block
	usablePages   int // pages per block left for objects
	luEntries     int // object ids one lookup page holds
	dataHdrPad    int // padding after the page header of an index page
	contentLen    int // file bytes per data page
	ixHdrLen      int // span-0 index page header, up to the first page number
	ixHdrPad      int // zero padding added by --aligned-obj-ix-tables
	headLim       int // page numbers in a span-0 index page
	ixLim         int // page numbers in a later index page
	pageShift     uint
	blocks        int
}

// newGeometry checks opts as spiffsgen does and derives the layout sizes. It also
// refuses the few settings where spiffsgen itself would crash or loop, so that a
// bad option is an error here rather than a broken image.
func newGeometry(o Options) (*geometry, error) {
	switch {
	case o.PageSize <= 0:
		return nil, fmt.Errorf("%w: page size %d must be positive", ErrInvalid, o.PageSize)
	case o.BlockSize <= 0:
		return nil, fmt.Errorf("%w: block size %d must be positive", ErrInvalid, o.BlockSize)
	case o.BlockSize%o.PageSize != 0:
		return nil, fmt.Errorf("%w: block size should be a multiple of page size (block %d, page %d)", ErrInvalid, o.BlockSize, o.PageSize)
	case o.Size < 0:
		return nil, fmt.Errorf("%w: image size %d is negative", ErrInvalid, o.Size)
	case o.Size%o.BlockSize != 0:
		return nil, fmt.Errorf("%w: image size should be a multiple of block size (image %d, block %d)", ErrInvalid, o.Size, o.BlockSize)
	case o.ObjNameLen < 0 || o.MetaLen < 0:
		return nil, fmt.Errorf("%w: object name length %d and meta length %d must not be negative", ErrInvalid, o.ObjNameLen, o.MetaLen)
	}
	g := &geometry{o: o, order: binary.LittleEndian}
	if o.BigEndian {
		g.order = binary.BigEndian
	}
	g.pagesPerBlock = o.BlockSize / o.PageSize
	g.luPages = (g.pagesPerBlock*objIDLen + o.PageSize - 1) / o.PageSize
	g.usablePages = g.pagesPerBlock - g.luPages
	g.luEntries = o.PageSize / objIDLen
	if dataHdrLen%4 != 0 {
		g.dataHdrPad = 4 - dataHdrLen%4
	}
	g.contentLen = o.PageSize - dataHdrLen
	g.ixHdrLen = dataHdrLen + g.dataHdrPad + ixSizeLen + ixTypeLen + o.ObjNameLen + o.MetaLen
	if o.AlignedObjIxTables {
		aligned := (g.ixHdrLen + pageIxLen - 1) &^ (pageIxLen - 1)
		g.ixHdrPad = aligned - g.ixHdrLen
		g.ixHdrLen = aligned
	}
	g.headLim = max(o.PageSize-g.ixHdrLen, 0) / blockIxLen
	g.ixLim = (o.PageSize - dataHdrLen - g.dataHdrPad) / blockIxLen
	// spiffsgen turns a page's byte offset into its number with
	// offset >> int(log2(page size)); for a power of two that is the page number.
	g.pageShift = uint(bits.Len(uint(o.PageSize)) - 1)
	g.blocks = o.Size / o.BlockSize
	if g.usablePages < 1 {
		// spiffsgen fails on the first file when a block is all lookup pages.
		return nil, fmt.Errorf("%w: block size %d leaves no page for files next to the lookup pages (page size %d)", ErrInvalid, o.BlockSize, o.PageSize)
	}
	if g.ixLim < 1 {
		// Not even one page number fits an index page: spiffsgen spends every
		// page of the image on index pages and fails as full; refuse it here.
		return nil, fmt.Errorf("%w: page size %d is too small for SPIFFS (at least 10 bytes)", ErrInvalid, o.PageSize)
	}
	return g, nil
}

// magic is the value spiffsgen writes into the lookup page of block bix, and
// whether it can be written at all (spiffsgen's struct.pack fails above 16 bits).
func (g *geometry) magic(bix int) (uint16, error) {
	m := magicBase ^ g.o.PageSize
	if g.o.UseMagicLen {
		m ^= g.blocks - bix
	}
	m &= magicMask
	if m > maxU16 {
		return 0, fmt.Errorf("%w: the SPIFFS magic for block %d (0x%X) does not fit 16 bits with page size %d and %d blocks",
			ErrInvalid, bix, m, g.o.PageSize, g.blocks)
	}
	return uint16(m), nil
}

// pageNumber is the value an index page stores for page p (counted from the
// start of the image), as spiffsgen computes it from the page's byte offset.
func (g *geometry) pageNumber(p int) int {
	return (p * g.o.PageSize) >> g.pageShift
}

// pageOf inverts pageNumber: the page an index entry refers to, or -1.
func (g *geometry) pageOf(ref int) int {
	ps := g.o.PageSize
	p := ((ref << g.pageShift) + ps - 1) / ps
	if g.pageNumber(p) != ref {
		return -1
	}
	return p
}
