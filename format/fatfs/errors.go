package fatfs

import (
	"errors"
	"fmt"
)

// Sentinel errors; returned errors wrap them with detail (the path, the sizes).
var (
	// ErrNoSpace: the entries do not fit (fatfsgen's NoFreeClusterException).
	ErrNoSpace = errors.New("fatfs: no free cluster available")
	// ErrNameTooLong: a name is not 8.3 and long names are off (TooLongNameException).
	ErrNameTooLong = errors.New("fatfs: name longer than 8.3 without long name support")
	// ErrFATType: the requested FAT type is not what the geometry gives
	// (InconsistentFATAttributes).
	ErrFATType = errors.New("fatfs: FAT type inconsistent with the other attributes")
	// ErrInvalid: options or entries the generator cannot take.
	ErrInvalid = errors.New("fatfs: invalid input")
	// ErrCorrupt: Decode met an image that is not a sound FAT12/FAT16 volume.
	ErrCorrupt = errors.New("fatfs: corrupt image")
)

// NoSpaceError says how much more room the entries need. It wraps ErrNoSpace.
type NoSpaceError struct {
	Path        string // the entry being written when space ran out
	MoreSectors int    // data sectors still needed (counted to the end when possible)
	SectorSize  int
	AtLeast     bool // counting stopped early on another error: MoreSectors is a lower bound
	Reason      string
}

func (e *NoSpaceError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("%v: %s", ErrNoSpace, e.Reason)
	}
	more := fmt.Sprintf("%d more %d-byte sectors (%d bytes)", e.MoreSectors, e.SectorSize, e.MoreSectors*e.SectorSize)
	if e.AtLeast {
		more = "at least " + more
	}
	return fmt.Sprintf("%v at %q: the files need %s than the image holds", ErrNoSpace, e.Path, more)
}

func (e *NoSpaceError) Unwrap() error { return ErrNoSpace }

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

func corruptf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}
