package nvs

import (
	"encoding/binary"
	"hash/crc32"
	"sync/atomic"
)

// crc is zlib.crc32(data, 0xFFFFFFFF) as the reference computes every NVS CRC.
// Values are mostly a few bytes long, where crc32.Update's dispatch costs more than
// the bytes: those go through the slicing tables here, longer ones to crc32, which
// uses the CPU's carry-less multiply from 64 bytes on.
func crc(b []byte) uint32 {
	if len(b) >= 64 {
		return crc32.Update(0xFFFFFFFF, crc32.IEEETable, b)
	}
	t := crcSlices()
	var c uint32 // the state starts at 0 (^0xFFFFFFFF)
	for ; len(b) >= 8; b = b[8:] {
		c ^= binary.LittleEndian.Uint32(b)
		c = t[7][c&0xff] ^ t[6][c>>8&0xff] ^ t[5][c>>16&0xff] ^ t[4][c>>24] ^
			t[3][b[4]] ^ t[2][b[5]] ^ t[1][b[6]] ^ t[0][b[7]]
	}
	for _, x := range b {
		c = t[0][byte(c)^x] ^ c>>8
	}
	return ^c
}

// page is one 4096-byte flash page under construction; used counts the
// entry slots written so far.
type page struct {
	buf  []byte // PageSize bytes, erased (0xFF) when the page is opened
	used int
}

// newPage opens page seq in buf, which must be PageSize erased bytes.
func newPage(buf []byte, seq uint32, versionByte byte) *page {
	p := &page{buf: buf[:PageSize:PageSize]}
	binary.LittleEndian.PutUint32(p.buf[0:], pageActive)
	binary.LittleEndian.PutUint32(p.buf[4:], seq)
	p.buf[8] = versionByte
	binary.LittleEndian.PutUint32(p.buf[28:], crc(p.buf[4:28]))
	return p
}

func (p *page) state() uint32 { return binary.LittleEndian.Uint32(p.buf[0:]) }

// put writes the header item, with its CRC, and its data slots, marking each
// slot written (state 0b10) in the entry state bitmap.
func (p *page) put(item *[entrySize]byte, data []byte, dataSlots int) {
	off := firstEntryOff + p.used*entrySize
	copy(p.buf[off:], item[:])
	seal(p.buf[off : off+entrySize])
	copy(p.buf[off+entrySize:off+entrySize+dataSlots*entrySize], data)
	p.mark(dataSlots)
}

// mark records the header item and its data slots as written, in the entry state
// bitmap, and moves used past them.
func (p *page) mark(dataSlots int) {
	for i := 0; i < 1+dataSlots; i++ {
		bit := (p.used + i) * 2
		p.buf[bitmapOffset+bit/8] &^= 1 << (bit & 7)
	}
	p.used += 1 + dataSlots
}

// slotState returns the 2-bit bitmap state of slot i: 3 empty, 2 written, 0 erased.
func slotState(pg []byte, i int) byte {
	bit := i * 2
	return (pg[bitmapOffset+bit/8] >> (bit & 7)) & 3
}

// blankItem is an item header before its fields are set: the CRC and the data
// erased (0xFF), the key all NULs.
var blankItem = [entrySize]byte{4: 0xff, 5: 0xff, 6: 0xff, 7: 0xff,
	24: 0xff, 25: 0xff, 26: 0xff, 27: 0xff, 28: 0xff, 29: 0xff, 30: 0xff, 31: 0xff}

// newItem fills the 32-byte item header common to every item type.
func newItem(ns uint8, t Type, span, chunk uint8, key string) [entrySize]byte {
	it := blankItem
	it[0], it[1], it[2], it[3] = ns, uint8(t), span, chunk
	copy(it[8:24], key)
	return it
}

// seal stores an item's header CRC, which covers everything but itself.
func seal(it []byte) {
	binary.LittleEndian.PutUint32(it[4:], itemCRC(it))
}

// crcSlices returns the slicing-by-8 tables of the IEEE polynomial, made from
// crc32.IEEETable on first use (8 KiB, a few microseconds). An atomic pointer, not
// sync.OnceValue: this is called once per item and CRC, and the call through the
// OnceValue closure cost as much as the table steps. Two first callers at once
// both build the same tables.
func crcSlices() *[8][256]uint32 {
	if t := crcTables.Load(); t != nil {
		return t
	}
	t := new([8][256]uint32)
	t[0] = *crc32.IEEETable
	for i := range 256 {
		c := t[0][i]
		for k := 1; k < 8; k++ {
			c = t[0][c&0xff] ^ c>>8
			t[k][i] = c
		}
	}
	crcTables.Store(t)
	return t
}

var crcTables atomic.Pointer[[8][256]uint32]

// itemCRC is crc(it[0:4] ++ it[8:32]), the CRC of an item header: every byte but
// the CRC field. It is what crc32.Update computes, in four table steps instead of
// two calls that each go byte by byte over part of it; an image has one item
// header per entry, and this was a third of the layout's time.
func itemCRC(it []byte) uint32 {
	t := crcSlices()
	_ = it[31]
	c := binary.LittleEndian.Uint32(it[0:]) // the state starts at 0 (^0xFFFFFFFF)
	c = t[3][c&0xff] ^ t[2][c>>8&0xff] ^ t[1][c>>16&0xff] ^ t[0][c>>24]
	for p := 8; p < 32; p += 8 {
		c ^= binary.LittleEndian.Uint32(it[p:])
		c = t[7][c&0xff] ^ t[6][c>>8&0xff] ^ t[5][c>>16&0xff] ^ t[4][c>>24] ^
			t[3][it[p+4]] ^ t[2][it[p+5]] ^ t[1][it[p+6]] ^ t[0][it[p+7]]
	}
	return ^c
}

func slotsFor(n int) int { return (n + entrySize - 1) / entrySize }
