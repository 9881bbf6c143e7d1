package nvs

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Decoded is the content of an image read back by Decode.
type Decoded struct {
	Partition Partition
	// Version is 1 or 2 as the page headers say (0 when no page is in use).
	Version int
	// Pages is the number of pages carrying a page header.
	Pages int
}

const pageUninit = 0xFFFFFFFF

// Decrypt returns a copy of an encrypted image with every used entry slot
// decrypted; headers, bitmaps and unused slots are copied unchanged.
func Decrypt(img []byte, k Keys) ([]byte, error) {
	if len(img)%PageSize != 0 {
		return nil, fmt.Errorf("%w: image is %d bytes, not a multiple of %d", ErrCorrupt, len(img), PageSize)
	}
	out := bytes.Clone(img)
	for p := 0; p < len(out)/PageSize; p++ {
		pg := out[p*PageSize : (p+1)*PageSize]
		if binary.LittleEndian.Uint32(pg) == pageUninit {
			continue
		}
		k.decryptPage(pg, p)
	}
	return out, nil
}

type decodedItem struct {
	ns    uint8
	entry Entry
}

type chunkKey struct {
	ns    uint8
	key   string
	index uint8
}

// Decode lists the namespaces and entries of an image, verifying every page
// header and item CRC; keys, when given, decrypt the entries first. Errors
// name the byte offset of the damaged structure.
func Decode(img []byte, keys *Keys) (*Decoded, error) {
	if keys != nil {
		var err error
		if img, err = Decrypt(img, *keys); err != nil {
			return nil, err
		}
	} else if len(img)%PageSize != 0 {
		return nil, fmt.Errorf("%w: image is %d bytes, not a multiple of %d", ErrCorrupt, len(img), PageSize)
	}
	d := &Decoded{}
	nsNames := map[uint8]string{}
	var nsOrder []uint8
	var items []decodedItem
	chunks := map[chunkKey][]byte{}
	for p := 0; p < len(img)/PageSize; p++ {
		base := p * PageSize
		pg := img[base : base+PageSize]
		if binary.LittleEndian.Uint32(pg) == pageUninit {
			continue
		}
		if got, want := binary.LittleEndian.Uint32(pg[28:]), crc(pg[4:28]); got != want {
			return nil, fmt.Errorf("%w: page header at offset %#x", ErrCRC, base)
		}
		d.Pages++
		switch pg[8] {
		case versionByteV1:
			d.Version = 1
		case versionByteV2:
			d.Version = 2
		default:
			return nil, fmt.Errorf("%w: page at offset %#x has unknown version byte %#02x", ErrCorrupt, base, pg[8])
		}
		for i := 0; i < entriesPerPage; {
			if slotState(pg, i) != 2 {
				i++
				continue
			}
			off := firstEntryOff + i*entrySize
			it := pg[off : off+entrySize]
			var b [28]byte
			copy(b[0:4], it[0:4])
			copy(b[4:28], it[8:32])
			if binary.LittleEndian.Uint32(it[4:]) != crc(b[:]) {
				return nil, fmt.Errorf("%w: item at offset %#x", ErrCRC, base+off)
			}
			span := int(it[2])
			if span < 1 || i+span > entriesPerPage {
				return nil, fmt.Errorf("%w: item at offset %#x has span %d", ErrCorrupt, base+off, span)
			}
			ns, t, key := it[0], Type(it[1]), cString(it[8:24])
			e := Entry{Key: key, Type: t}
			var data []byte
			switch t {
			case String, Blob, typeBlobData:
				size := int(binary.LittleEndian.Uint16(it[24:]))
				if size > (span-1)*entrySize {
					return nil, fmt.Errorf("%w: item at offset %#x: size %d exceeds its %d slots", ErrCorrupt, base+off, size, span-1)
				}
				data = pg[off+entrySize : off+entrySize+size]
				if binary.LittleEndian.Uint32(it[28:]) != crc(data) {
					return nil, fmt.Errorf("%w: data of key %q at offset %#x", ErrCRC, key, base+off+entrySize)
				}
			}
			i += span
			switch {
			case ns == nsIndexTable:
				if t != U8 {
					return nil, fmt.Errorf("%w: namespace item at offset %#x has type %s", ErrCorrupt, base+off, t)
				}
				idx := it[24]
				if _, dup := nsNames[idx]; !dup {
					nsOrder = append(nsOrder, idx)
				}
				nsNames[idx] = key
				continue
			case t.IsInteger():
				var v uint64
				for j := t.width() - 1; j >= 0; j-- {
					v = v<<8 | uint64(it[24+j])
				}
				if t.signed() {
					shift := uint(64 - 8*t.width())
					e.Int = int64(v<<shift) >> shift
				} else {
					e.Uint = v
				}
			case t == String:
				if len(data) == 0 || data[len(data)-1] != 0 {
					return nil, fmt.Errorf("%w: string %q at offset %#x lacks its NUL", ErrCorrupt, key, base+off)
				}
				e.Str = string(data[:len(data)-1])
			case t == Blob:
				e.Blob = bytes.Clone(data)
			case t == typeBlobData:
				chunks[chunkKey{ns, key, it[3]}] = data
				continue
			case t == typeBlobIdx:
				blob, err := joinChunks(chunks, ns, key, it)
				if err != nil {
					return nil, fmt.Errorf("%w (index at offset %#x)", err, base+off)
				}
				e.Type, e.Blob = Blob, blob
			default:
				return nil, fmt.Errorf("%w: item at offset %#x has unknown type %#02x", ErrCorrupt, base+off, uint8(t))
			}
			items = append(items, decodedItem{ns, e})
		}
	}
	pos := map[uint8]int{}
	for _, idx := range nsOrder {
		pos[idx] = len(d.Partition.Namespaces)
		d.Partition.Namespaces = append(d.Partition.Namespaces, Namespace{Name: nsNames[idx]})
	}
	for _, it := range items {
		j, ok := pos[it.ns]
		if !ok {
			return nil, fmt.Errorf("%w: key %q uses undefined namespace index %d", ErrCorrupt, it.entry.Key, it.ns)
		}
		d.Partition.Namespaces[j].Entries = append(d.Partition.Namespaces[j].Entries, it.entry)
	}
	return d, nil
}

func joinChunks(chunks map[chunkKey][]byte, ns uint8, key string, it []byte) ([]byte, error) {
	size := int(binary.LittleEndian.Uint32(it[24:]))
	count, start := int(it[28]), int(it[29])
	out := make([]byte, 0, size)
	for c := start; c < start+count; c++ {
		part, ok := chunks[chunkKey{ns, key, uint8(c)}]
		if !ok {
			return nil, fmt.Errorf("%w: blob %q misses chunk %d", ErrCorrupt, key, c)
		}
		out = append(out, part...)
	}
	if len(out) != size {
		return nil, fmt.Errorf("%w: blob %q holds %d bytes, its index says %d", ErrCorrupt, key, len(out), size)
	}
	return out, nil
}

func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}
