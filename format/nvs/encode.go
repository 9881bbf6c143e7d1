package nvs

import (
	"encoding/binary"
	"fmt"
)

// writer lays items out exactly as nvs_partition_gen does: items are appended
// to the last page, and a page is closed (marked FULL) only when an item does
// not fit.
type writer struct {
	versionByte byte
	v2          bool
	pages       []*page
	// out is the image the pages are laid out in, so no page is built apart and
	// copied; each page is erased (0xFF) when it is opened, and the layout's Finish
	// erases those never opened. Pages beyond it (a partition too small, an error
	// Encode reports) get buffers of their own.
	out     []byte
	scratch []byte
}

func (w *writer) cur() *page { return w.pages[len(w.pages)-1] }

func (w *writer) nextPage() *page {
	if n := len(w.pages); n > 0 && w.pages[n-1].state() == pageActive {
		binary.LittleEndian.PutUint32(w.pages[n-1].buf[0:], pageFull)
	}
	var buf []byte
	if off := len(w.pages) * PageSize; off+PageSize <= len(w.out) {
		buf = w.out[off : off+PageSize]
		erase(buf)
	} else {
		buf = erased(PageSize)
	}
	p := newPage(buf, uint32(len(w.pages)), w.versionByte)
	w.pages = append(w.pages, p)
	return p
}

func (w *writer) putInteger(ns uint8, key string, t Type, bits uint64) {
	if w.cur().used >= entriesPerPage {
		w.nextPage()
	}
	it := newItem(ns, t, 1, chunkAny, key)
	for i := 0; i < t.width(); i++ {
		it[24+i] = byte(bits >> (8 * i))
	}
	w.cur().put(&it, nil, 0)
}

// putVarlen writes a string (data includes its NUL) or a blob.
func (w *writer) putVarlen(ns uint8, key string, t Type, data []byte) error {
	multi := w.v2 && t == Blob
	total := 1 + slotsFor(len(data))
	// The reference refuses an item reaching the last slot of a page (>=),
	// except v2 blobs which are split at whatever room is left.
	full := func(p *page) bool {
		return p.used >= entriesPerPage || (!multi && p.used+total >= entriesPerPage)
	}
	if full(w.cur()) {
		if full(w.nextPage()) {
			return fmt.Errorf("%w: key `%s` needs %d entries, a page holds %d", ErrPageFull, key, total, entriesPerPage-1)
		}
	}
	if multi {
		return w.putChunked(ns, key, data)
	}
	it := newItem(ns, t, uint8(total), chunkAny, key)
	binary.LittleEndian.PutUint16(it[24:], uint16(len(data)))
	binary.LittleEndian.PutUint32(it[28:], crc(data))
	w.cur().put(&it, data, total-1)
	return nil
}

// putChunked splits a v2 blob into blob_data chunks filling each page's
// remaining room, then writes the blob_index. A new page is opened whenever
// data remains or the page has no slot left, so the index may land alone on
// a fresh page.
func (w *writer) putChunked(ns uint8, key string, data []byte) error {
	chunks, off := 0, 0
	for {
		if chunks == maxChunks {
			return fmt.Errorf("%w: blob `%s` (%d bytes) needs more than %d chunks, the most a device reads", ErrTooLong, key, len(data), maxChunks)
		}
		p := w.cur()
		room := (entriesPerPage - p.used - 1) * entrySize
		n := min(room, len(data)-off)
		chunk := data[off : off+n]
		it := newItem(ns, typeBlobData, uint8(1+slotsFor(n)), uint8(chunks), key)
		binary.LittleEndian.PutUint16(it[24:], uint16(n))
		binary.LittleEndian.PutUint32(it[28:], crc(chunk))
		p.put(&it, chunk, slotsFor(n))
		chunks++
		off += n
		if off < len(data) || room-n < entrySize {
			w.nextPage()
		}
		if off == len(data) {
			break
		}
	}
	it := newItem(ns, typeBlobIdx, 1, chunkAny, key)
	binary.LittleEndian.PutUint32(it[24:], uint32(len(data)))
	it[28], it[29] = uint8(chunks), 0
	w.cur().put(&it, nil, 0)
	return nil
}

func (w *writer) putEntry(ns uint8, e *Entry) error {
	switch {
	case e.Type.IsInteger():
		bits := e.Uint
		if e.Type.signed() {
			bits = uint64(e.Int)
		}
		w.putInteger(ns, e.Key, e.Type, bits)
		return nil
	case e.Type == String:
		// The value and its NUL, in a buffer reused from entry to entry.
		w.scratch = append(append(w.scratch[:0], e.Str...), 0)
		return w.putVarlen(ns, e.Key, String, w.scratch)
	case e.Type == Blob:
		return w.putVarlen(ns, e.Key, Blob, e.Blob)
	}
	return fmt.Errorf("%w: key `%s`: %s", ErrType, e.Key, e.Type)
}

// checkSize returns how many pages may carry data and whether the layout is
// the read-only one, following the reference's size rules.
func checkSize(size uint32) (dataPages int, readOnly bool, err error) {
	if size%PageSize != 0 {
		return 0, false, fmt.Errorf("%w: %#x: size of partition must be multiple of 4096", ErrSize, size)
	}
	if size < PageSize {
		return 0, false, fmt.Errorf("%w: %#x: minimum partition size for read/write NVS is 0x3000 bytes and for read-only NVS is 0x1000 bytes", ErrSize, size)
	}
	pages := int(size / PageSize)
	if size < MinReadWrite {
		return pages, true, nil
	}
	return pages - 1, false, nil
}

// Encode lays out p as an NVS partition image. Read-write images are
// opts.Size bytes: data pages, erased pages, and the reserved last page.
// Read-only images (Size < 0x3000) hold only the written pages.
func Encode(p *Partition, opts Options) ([]byte, error) {
	version := opts.Version
	if version == 0 {
		version = 2
	}
	// The whole partition is checked before anything is laid out, so a bad entry
	// is reported before a partition too small for it.
	if err := p.Validate(version); err != nil {
		return nil, err
	}
	l, err := NewLayout(opts)
	if err != nil {
		return nil, err
	}
	for i := range p.Namespaces {
		ns := &p.Namespaces[i]
		l.begin(ns.Name)
		for j := range ns.Entries {
			if err := l.put(&ns.Entries[j]); err != nil {
				return nil, err
			}
		}
	}
	return l.Finish()
}

// erased returns n bytes of 0xFF, as erased flash reads.
func erased(n int) []byte {
	b := make([]byte, n)
	erase(b)
	return b
}

// erase sets b to 0xFF.
func erase(b []byte) {
	if len(b) > 0 {
		// Doubling copies run as memmove, far faster than a byte loop.
		b[0] = 0xff
		for i := 1; i < len(b); i *= 2 {
			copy(b[i:], b[:i])
		}
	}
}
