package ihex

import (
	"encoding/hex"
	"fmt"
	"sort"
)

// LineError locates a malformed record.
type LineError struct {
	Line int
	Err  error
	Msg  string
}

func (e *LineError) Error() string { return fmt.Sprintf("ihex: line %d: %s", e.Line, e.Msg) }
func (e *LineError) Unwrap() error { return e.Err }

// Decode parses Intel HEX with intelhex's rules: lines may end in LF, CR or CRLF,
// empty lines are skipped, anything after the end-of-file record is ignored and
// a missing end-of-file record is accepted. Records may come in any order.
func Decode(b []byte) (*File, error) {
	f := &File{}
	var recs []Segment
	var offset uint64
	line := 0
	for pos := 0; pos < len(b); {
		end, next := lineEnd(b, pos)
		s := b[pos:end]
		pos = next
		line++
		if len(s) == 0 {
			continue
		}
		rec, err := parseRecord(s, line)
		if err != nil {
			return nil, err
		}
		typ, addr, data := rec[3], uint64(rec[1])<<8|uint64(rec[2]), rec[4:len(rec)-1]
		switch typ {
		case recData:
			start := addr + offset
			if start+uint64(len(data)) > 1<<32 {
				return nil, &LineError{line, ErrRange, fmt.Sprintf("data at 0x%X passes 4 GiB", start)}
			}
			if len(data) > 0 {
				recs = append(recs, Segment{uint32(start), data})
			}
		case recEOF:
			if len(data) != 0 {
				return nil, &LineError{line, ErrSyntax, "File has invalid End-of-File record"}
			}
			return finish(f, recs)
		case recExtSegment, recExtLinear:
			if len(data) != 2 || addr != 0 {
				return nil, &LineError{line, ErrSyntax, fmt.Sprintf("Invalid Extended Address Record at line %d", line)}
			}
			v := uint64(data[0])<<8 | uint64(data[1])
			if typ == recExtSegment {
				offset = v * 16
			} else {
				offset = v << 16
			}
		case recStartSegment, recStartLinear:
			if len(data) != 4 || addr != 0 {
				return nil, &LineError{line, ErrSyntax, fmt.Sprintf("Invalid Start Address Record at line %d", line)}
			}
			if f.Start != nil {
				return nil, &LineError{line, ErrSyntax, fmt.Sprintf("Start Address Record appears twice at line %d", line)}
			}
			if typ == recStartLinear {
				f.Start = &StartAddress{Linear: true, EIP: uint32(data[0])<<24 | uint32(data[1])<<16 | uint32(data[2])<<8 | uint32(data[3])}
			} else {
				f.Start = &StartAddress{CS: uint16(data[0])<<8 | uint16(data[1]), IP: uint16(data[2])<<8 | uint16(data[3])}
			}
		}
	}
	return finish(f, recs)
}

// lineEnd finds the end of the line at pos and the start of the next one,
// treating CRLF, CR and LF as terminators like Python's universal newlines.
func lineEnd(b []byte, pos int) (end, next int) {
	for i := pos; i < len(b); i++ {
		switch b[i] {
		case '\n':
			return i, i + 1
		case '\r':
			if i+1 < len(b) && b[i+1] == '\n' {
				return i, i + 2
			}
			return i, i + 1
		}
	}
	return len(b), len(b)
}

func parseRecord(s []byte, line int) ([]byte, error) {
	bad := func(msg string) error {
		return &LineError{line, ErrSyntax, fmt.Sprintf("%s at line %d", msg, line)}
	}
	if s[0] != ':' {
		return nil, bad("Hex file contains invalid record")
	}
	rec := make([]byte, hex.DecodedLen(len(s)-1))
	if _, err := hex.Decode(rec, s[1:]); err != nil || (len(s)-1)%2 != 0 {
		return nil, bad("Hex file contains invalid record")
	}
	if len(rec) < 5 {
		return nil, bad("Hex file contains invalid record")
	}
	if len(rec) != 5+int(rec[0]) {
		return nil, bad("Record has invalid length")
	}
	if rec[3] > recStartLinear {
		return nil, bad("Record has invalid record type")
	}
	var sum byte
	for _, c := range rec {
		sum += c
	}
	if sum != 0 {
		return nil, bad("Record has invalid checksum")
	}
	return rec, nil
}

func finish(f *File, recs []Segment) (*File, error) {
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Addr < recs[j].Addr })
	for i := 1; i < len(recs); i++ {
		if uint64(recs[i].Addr) < recs[i-1].End() {
			return nil, fmt.Errorf("%w: Hex file has data overlap at address 0x%X", ErrOverlap, recs[i].Addr)
		}
	}
	segs, err := Normalize(recs)
	if err != nil {
		return nil, err
	}
	f.Segments = segs
	return f, nil
}
