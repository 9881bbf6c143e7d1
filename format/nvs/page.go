package nvs

import (
	"encoding/binary"
	"hash/crc32"
)

// crc is zlib.crc32(data, 0xFFFFFFFF) as the reference computes every NVS CRC.
func crc(b []byte) uint32 { return crc32.Update(0xFFFFFFFF, crc32.IEEETable, b) }

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

// newItem fills the 32-byte item header common to every item type.
func newItem(ns uint8, t Type, span, chunk uint8, key string) [entrySize]byte {
	var it [entrySize]byte
	for i := range it {
		it[i] = 0xff
	}
	it[0], it[1], it[2], it[3] = ns, uint8(t), span, chunk
	for i := 8; i < 24; i++ {
		it[i] = 0
	}
	copy(it[8:24], key)
	return it
}

// seal stores an item's header CRC, which covers everything but itself. It works
// on the item in the page (heap memory): a stack copy handed to crc32 would
// escape, one allocation per item.
func seal(it []byte) {
	c := crc32.Update(0xFFFFFFFF, crc32.IEEETable, it[0:4])
	binary.LittleEndian.PutUint32(it[4:], crc32.Update(c, crc32.IEEETable, it[8:32]))
}

func slotsFor(n int) int { return (n + entrySize - 1) / entrySize }
