// Package ihex reads and writes Intel HEX the way esptool 4.8.1 does through the
// python intelhex library: 16 data bytes per record, records that never cross a
// hole or a 64 KiB boundary, extended linear address records only when data lies
// above 64 KiB, upper-case hex digits and LF line endings.
package ihex

import (
	"errors"
	"fmt"
	"sort"
)

// Sentinel errors, wrapped with the line number or address.
var (
	// ErrSyntax covers every malformed record, including a repeated start address
	// record (intelhex's HexRecordError family).
	ErrSyntax = errors.New("ihex: invalid record")
	// ErrOverlap means two records or segments cover the same address.
	ErrOverlap = errors.New("ihex: data overlap")
	// ErrRange means data would extend past the 32-bit address space.
	ErrRange = errors.New("ihex: address out of range")
)

// Segment is a contiguous run of bytes at an absolute address.
type Segment struct {
	Addr uint32
	Data []byte
}

// End is the address one past the segment's last byte.
func (s Segment) End() uint64 { return uint64(s.Addr) + uint64(len(s.Data)) }

// StartAddress is a start segment (CS:IP, record type 3) or start linear (EIP,
// record type 5) address.
type StartAddress struct {
	Linear bool
	EIP    uint32
	CS, IP uint16
}

// File is the content of a HEX file: sorted, non-overlapping, coalesced segments.
type File struct {
	Segments []Segment
	Start    *StartAddress
}

// Normalize sorts and coalesces segments, dropping empty ones, and refuses
// overlapping data.
func Normalize(segs []Segment) ([]Segment, error) {
	in := make([]Segment, 0, len(segs))
	for _, s := range segs {
		if len(s.Data) == 0 {
			continue
		}
		if s.End() > 1<<32 {
			return nil, fmt.Errorf("%w: segment at 0x%x of %d bytes passes 4 GiB", ErrRange, s.Addr, len(s.Data))
		}
		in = append(in, s)
	}
	sort.SliceStable(in, func(i, j int) bool { return in[i].Addr < in[j].Addr })
	var out []Segment
	for i := 0; i < len(in); {
		// Find the run of segments that touch end to end, then join it with one copy.
		j, end := i+1, in[i].End()
		for ; j < len(in) && uint64(in[j].Addr) <= end; j++ {
			if uint64(in[j].Addr) < end {
				return nil, fmt.Errorf("%w: data at address 0x%X", ErrOverlap, in[j].Addr)
			}
			end = in[j].End()
		}
		if j == i+1 {
			out = append(out, in[i])
		} else {
			data := make([]byte, 0, end-uint64(in[i].Addr))
			for _, s := range in[i:j] {
				data = append(data, s.Data...)
			}
			out = append(out, Segment{in[i].Addr, data})
		}
		i = j
	}
	return out, nil
}

// MinAddr and MaxAddr give the lowest and highest occupied address; ok is false
// for a file without data.
func (f *File) MinAddr() (addr uint32, ok bool) {
	if len(f.Segments) == 0 {
		return 0, false
	}
	return f.Segments[0].Addr, true
}

// MaxAddr is the last occupied address (inclusive).
func (f *File) MaxAddr() (addr uint32, ok bool) {
	if len(f.Segments) == 0 {
		return 0, false
	}
	return uint32(f.Segments[len(f.Segments)-1].End() - 1), true
}

// Binary flattens the data from start to the highest address, filling holes with
// 0xFF, like intelhex's tobinfile(start=start) that esptool uses for a HEX input.
// Data below start is dropped. If start lies above the last byte, intelhex swaps
// the bounds, so the result runs from the last data byte up to start; this
// quirk is kept for fidelity. A file without data gives an empty result.
func (f *File) Binary(start uint32) []byte {
	lo, hi, ok := f.binaryRange(start)
	if !ok {
		return []byte{}
	}
	out := make([]byte, uint64(hi)-uint64(lo)+1)
	for i := range out {
		out[i] = 0xFF
	}
	for _, s := range f.Segments {
		if s.End() <= uint64(lo) || uint64(s.Addr) > uint64(hi) {
			continue
		}
		from := max(uint64(s.Addr), uint64(lo))
		to := min(s.End(), uint64(hi)+1)
		copy(out[from-uint64(lo):], s.Data[from-uint64(s.Addr):to-uint64(s.Addr)])
	}
	return out
}

// BinaryLen is len(f.Binary(start)), without building it: check it before
// flattening data spread over a large address range.
func (f *File) BinaryLen(start uint32) uint64 {
	lo, hi, ok := f.binaryRange(start)
	if !ok {
		return 0
	}
	return uint64(hi) - uint64(lo) + 1
}

func (f *File) binaryRange(start uint32) (lo, hi uint32, ok bool) {
	maxAddr, ok := f.MaxAddr()
	if !ok {
		return 0, 0, false
	}
	lo, hi = start, maxAddr
	if lo > hi {
		lo, hi = hi, lo
	}
	return lo, hi, true
}
