package ihex

import (
	"bytes"
)

// BytesPerRecord is intelhex's default and what esptool writes.
const BytesPerRecord = 16

// Record types.
const (
	recData          = 0
	recEOF           = 1
	recExtSegment    = 2
	recStartSegment  = 3
	recExtLinear     = 4
	recStartLinear   = 5
	maxRecordDataLen = 255
)

// Encode writes f as Intel HEX. Segments are normalised first, so overlapping
// input is refused with ErrOverlap.
func Encode(f *File) ([]byte, error) {
	segs, err := Normalize(f.Segments)
	if err != nil {
		return nil, err
	}
	var w bytes.Buffer
	// Each 16-byte record takes 44 characters; growing the buffer once avoids
	// repeated copying of a multi-megabyte output.
	total := 0
	for _, s := range segs {
		total += len(s.Data)
	}
	w.Grow(total/BytesPerRecord*45 + total%BytesPerRecord*2 + 64*(total>>16+2))
	if s := f.Start; s != nil {
		if s.Linear {
			writeRecord(&w, recStartLinear, 0, []byte{byte(s.EIP >> 24), byte(s.EIP >> 16), byte(s.EIP >> 8), byte(s.EIP)})
		} else {
			writeRecord(&w, recStartSegment, 0, []byte{byte(s.CS >> 8), byte(s.CS), byte(s.IP >> 8), byte(s.IP)})
		}
	}
	if len(segs) > 0 {
		// Extended linear address records appear only when some data lies above
		// 64 KiB; then one precedes the first record of each 64 KiB region used.
		needELA := segs[len(segs)-1].End()-1 > 0xFFFF
		high := int64(-1)
		for _, s := range segs {
			for off := 0; off < len(s.Data); {
				addr := uint64(s.Addr) + uint64(off)
				if needELA && int64(addr>>16) != high {
					high = int64(addr >> 16)
					writeRecord(&w, recExtLinear, 0, []byte{byte(high >> 8), byte(high)})
				}
				n := min(BytesPerRecord, len(s.Data)-off, int(0x10000-addr&0xFFFF))
				writeRecord(&w, recData, uint16(addr), s.Data[off:off+n])
				off += n
			}
		}
	}
	writeRecord(&w, recEOF, 0, nil)
	return w.Bytes(), nil
}

func writeRecord(w *bytes.Buffer, typ byte, addr uint16, data []byte) {
	const upperHex = "0123456789ABCDEF"
	var buf [1 + 2*(5+maxRecordDataLen) + 1]byte
	n := 0
	put := func(b byte) {
		buf[n], buf[n+1] = upperHex[b>>4], upperHex[b&0x0F]
		n += 2
	}
	buf[0] = ':'
	n = 1
	sum := byte(len(data)) + byte(addr>>8) + byte(addr) + typ
	put(byte(len(data)))
	put(byte(addr >> 8))
	put(byte(addr))
	put(typ)
	for _, b := range data {
		sum += b
		put(b)
	}
	put(-sum)
	buf[n] = '\n'
	w.Write(buf[:n+1])
}

// EncodeSegments is Encode for data without a start address.
func EncodeSegments(segs ...Segment) ([]byte, error) {
	return Encode(&File{Segments: segs})
}
