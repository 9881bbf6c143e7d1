package spiffs

import (
	"fmt"
	"unicode/utf8"
)

// render writes the placed pages into an erased image. The range checks are
// the places where spiffsgen's struct.pack or page-size assertion would fail.
func (l *layout) render() ([]byte, error) {
	g := l.g
	ps := g.o.PageSize
	img := make([]byte, g.o.Size)
	for i := range img {
		img[i] = 0xFF
	}
	for bix, pages := range l.blocks {
		base := bix * g.o.BlockSize
		for k, pg := range pages {
			if pg.obj > maxU16 {
				return nil, fmt.Errorf("%w: %d files: SPIFFS object ids are 16-bit", ErrInvalid, pg.obj)
			}
			id := pg.obj
			if pg.ix != nil {
				id ^= ixFlag
			}
			g.order.PutUint16(img[base+(k/g.luEntries)*ps+(k%g.luEntries)*objIDLen:], uint16(id))
			p := img[base+(g.luPages+k)*ps:][:ps]
			var err error
			if pg.ix != nil {
				err = g.writeIndex(p, pg.ix)
			} else {
				err = g.writeData(p, pg)
			}
			if err != nil {
				return nil, err
			}
		}
		if g.o.UseMagic {
			if err := g.writeMagic(img, bix, len(pages)); err != nil {
				return nil, err
			}
		}
	}
	if g.o.UseMagic {
		// spiffsgen formats the unused blocks too, so SPIFFS mounts the image
		// without erasing them.
		for bix := len(l.blocks); bix < g.blocks; bix++ {
			if err := g.writeMagic(img, bix, 0); err != nil {
				return nil, err
			}
		}
	}
	return img, nil
}

// writeMagic puts the magic into the second-to-last entry of the block's last
// lookup page, if at least two entries of that page are unused (as spiffsgen).
func (g *geometry) writeMagic(img []byte, bix, used int) error {
	last := g.luPages - 1
	inLast := max(used-last*g.luEntries, 0)
	if g.luEntries-inLast < 2 {
		return nil
	}
	m, err := g.magic(bix)
	if err != nil {
		return err
	}
	off := bix*g.o.BlockSize + last*g.o.PageSize + (g.luEntries-2)*objIDLen
	g.order.PutUint16(img[off:], m)
	return nil
}

func (g *geometry) writeIndex(p []byte, ix *ixPage) error {
	if ix.span > maxU16 {
		return fmt.Errorf("%w: %q needs more than 65536 object index pages", ErrInvalid, ix.name)
	}
	o := dataHdrLen + g.dataHdrPad
	var zeros int
	if ix.span == 0 {
		if uint64(ix.size) > 0xFFFFFFFF {
			return fmt.Errorf("%w: %q is larger than 4 GiB", ErrInvalid, ix.name)
		}
		// spiffsgen pads the name by its length in characters, not bytes, so a
		// multi-byte name pushes the page numbers along; done the same here.
		zeros = g.o.ObjNameLen - utf8.RuneCountInString(ix.name) + g.o.MetaLen + g.ixHdrPad
		if g.ixHdrLen > len(p) {
			return fmt.Errorf("%w: page size %d cannot hold an object index page header of %d bytes (obj-name-len %d, meta-len %d)",
				ErrInvalid, len(p), g.ixHdrLen, g.o.ObjNameLen, g.o.MetaLen)
		}
		if n := o + ixSizeLen + ixTypeLen + len(ix.name) + zeros + pageIxLen*len(ix.refs); n > len(p) {
			return fmt.Errorf("%w: the object index page of %q needs %d bytes, more than the page size %d (its name has multi-byte characters, which spiffsgen pads by characters)",
				ErrInvalid, ix.name, n, len(p))
		}
	}
	g.order.PutUint16(p[0:], uint16(ix.obj^ixFlag))
	g.order.PutUint16(p[2:], uint16(ix.span))
	p[4] = flagsIndex
	if ix.span == 0 {
		g.order.PutUint32(p[o:], uint32(ix.size))
		p[o+ixSizeLen] = typeFile
		o += ixSizeLen + ixTypeLen
		o += copy(p[o:], ix.name)
		clear(p[o : o+zeros])
		o += zeros
	}
	for _, ref := range ix.refs {
		if ref > maxU16 {
			return fmt.Errorf("%w: %q has a data page beyond page 65535: SPIFFS page numbers are 16-bit (use a larger page size or a smaller image)",
				ErrInvalid, ix.name)
		}
		g.order.PutUint16(p[o:], uint16(ref))
		o += pageIxLen
	}
	return nil
}

func (g *geometry) writeData(p []byte, pg page) error {
	if pg.span > maxU16 {
		return fmt.Errorf("%w: file object %d needs more than 65536 data pages", ErrInvalid, pg.obj)
	}
	g.order.PutUint16(p[0:], uint16(pg.obj))
	g.order.PutUint16(p[2:], uint16(pg.span))
	p[4] = flagsData
	copy(p[dataHdrLen:], pg.data)
	return nil
}
