package spiffs

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// ixPage is an object index page being filled.
type ixPage struct {
	obj, span int
	size      int
	name      string // "/" + path; only span 0 stores it
	lim       int    // how many page numbers it can hold
	refs      []int  // page numbers of the data pages it lists
}

// page is one object page of a block: an index page or a data page.
type page struct {
	ix        *ixPage
	obj, span int
	data      []byte
}

// layout places pages exactly as spiffsgen's SpiffsFS/SpiffsBlock do: strictly in
// order, a new block only when the current one has no page left, a new index page
// (in the current block) when the current one has no room for another number.
// It never runs out of blocks itself, so that a full image can say how much more
// it would need; Build compares the block count with the image size.
type layout struct {
	g      *geometry
	blocks [][]page

	// The object being written. spiffsgen carries this from block to block.
	ix       *ixPage
	ixSpan   int
	dataSpan int
}

func (l *layout) full() bool {
	return len(l.blocks) == 0 || len(l.blocks[len(l.blocks)-1]) >= l.g.usablePages
}

// newBlock starts a block. The layout itself never runs out of blocks.
func (l *layout) newBlock() {
	l.blocks = append(l.blocks, make([]page, 0, l.g.usablePages))
}

// place appends pg to the last block and returns its page index in the image.
func (l *layout) place(pg page) int {
	last := len(l.blocks) - 1
	k := len(l.blocks[last])
	l.blocks[last] = append(l.blocks[last], pg)
	return last*l.g.pagesPerBlock + l.g.luPages + k
}

func (l *layout) beginIndex(obj int, name string, size, ixSpan, dataSpan int) {
	lim := l.g.ixLim
	if ixSpan == 0 {
		lim = l.g.headLim
	}
	ix := &ixPage{obj: obj, span: ixSpan, size: size, name: name, lim: lim}
	l.place(page{ix: ix, obj: obj, span: ixSpan})
	l.ix, l.ixSpan, l.dataSpan = ix, ixSpan+1, dataSpan
}

func (l *layout) addFile(obj int, name string, data []byte) {
	if l.full() {
		l.newBlock()
	}
	l.beginIndex(obj, name, len(data), 0, 0)
	for off := 0; off < len(data); {
		if l.full() {
			l.newBlock()
			continue
		}
		if len(l.ix.refs) >= l.ix.lim {
			l.beginIndex(obj, name, len(data), l.ixSpan, l.dataSpan)
			continue
		}
		n := min(l.g.contentLen, len(data)-off)
		p := l.place(page{obj: obj, span: l.dataSpan, data: data[off : off+n]})
		l.ix.refs = append(l.ix.refs, l.g.pageNumber(p))
		l.dataSpan++
		off += n
	}
}

// Build returns the SPIFFS image of files, byte-identical to spiffsgen.py's
// output for a folder holding them. It orders the files itself (see walkOrder).
// Errors: ErrInvalid (options, paths), ErrNameTooLong, *NoSpaceError (ErrNoSpace).
func Build(files []File, opts Options) ([]byte, error) {
	g, err := newGeometry(opts)
	if err != nil {
		return nil, err
	}
	ordered, err := walkOrder(files)
	if err != nil {
		return nil, err
	}
	l := &layout{g: g}
	var full *NoSpaceError
	for i, f := range ordered {
		// spiffsgen turns every backslash of the path into a slash (for Windows
		// paths), after the walk has ordered the names; so does Build.
		name := "/" + strings.ReplaceAll(f.Path, `\`, "/")
		// spiffsgen checks before the file is added, and stops at its first
		// failure: a long name after the image is full is never reported.
		if n := utf8.RuneCountInString(name); full == nil && n > opts.ObjNameLen-1 {
			return nil, fmt.Errorf("%w: object name '%s' too long: %d characters, obj-name-len %d allows %d (it counts the terminating NUL)",
				ErrNameTooLong, name, n, opts.ObjNameLen, max(opts.ObjNameLen-1, 0))
		}
		l.addFile(i+1, name, f.Data)
		if full == nil && len(l.blocks) > g.blocks {
			full = &NoSpaceError{File: name, Size: opts.Size}
		}
	}
	if full != nil {
		full.Need = len(l.blocks) * opts.BlockSize
		return nil, full
	}
	return l.render()
}
