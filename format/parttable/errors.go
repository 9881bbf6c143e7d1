package parttable

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package wraps exactly one of
// them in an *Error, so callers can branch with errors.Is.
var (
	ErrSyntax        = errors.New("parttable: invalid CSV")
	ErrOptions       = errors.New("parttable: invalid options")
	ErrOverlap       = errors.New("parttable: partitions overlap")
	ErrAlignment     = errors.New("parttable: misaligned partition")
	ErrDuplicateName = errors.New("parttable: duplicate partition name")
	ErrInvalid       = errors.New("parttable: invalid partition")
	ErrFlashSize     = errors.New("parttable: partitions do not fit in flash")
	ErrTableFull     = errors.New("parttable: too many partitions")
	ErrOutOfRange    = errors.New("parttable: partition outside its region")

	ErrLength       = errors.New("parttable: bad binary length")
	ErrMagic        = errors.New("parttable: bad magic")
	ErrMD5          = errors.New("parttable: MD5 mismatch")
	ErrNoEndMarker  = errors.New("parttable: missing end-of-table marker")
	ErrPadding      = errors.New("parttable: bad padding")
	ErrUnknownFlags = errors.New("parttable: unknown flag bits")
	ErrBadName      = errors.New("parttable: bad partition name")
)

// Error carries the location of a problem: the CSV file and line when the
// table came from CSV, or the byte offset when it came from a binary.
type Error struct {
	File       string // CSV file name as given to ParseCSV ("" if none)
	Line       int    // 1-based CSV line, 0 when unknown
	ByteOffset int    // offset in the binary input, -1 when not about binary input
	Partition  string // partition name when known
	Msg        string // the reference tool's wording where it has one
	Err        error  // one of the sentinels above
}

func (e *Error) Error() string {
	switch {
	case e.Line > 0 && e.File != "":
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	case e.ByteOffset >= 0 && e.Partition != "":
		return fmt.Sprintf("offset 0x%x, partition %q: %s", e.ByteOffset, e.Partition, e.Msg)
	case e.ByteOffset >= 0:
		return fmt.Sprintf("offset 0x%x: %s", e.ByteOffset, e.Msg)
	case e.File != "":
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

func lineErr(sentinel error, file string, line int, format string, args ...any) *Error {
	return &Error{File: file, Line: line, ByteOffset: -1, Msg: fmt.Sprintf(format, args...), Err: sentinel}
}

func byteErr(sentinel error, off int, format string, args ...any) *Error {
	return &Error{ByteOffset: off, Msg: fmt.Sprintf(format, args...), Err: sentinel}
}

// partErr words a per-partition failure as the tool's ValidationError does.
func partErr(sentinel error, file string, e *Entry, format string, args ...any) *Error {
	err := lineErr(sentinel, file, e.Line, "Partition %s invalid: %s", e.Name, fmt.Sprintf(format, args...))
	err.Partition = e.Name
	return err
}
