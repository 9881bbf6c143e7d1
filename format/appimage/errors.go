package appimage

import (
	"errors"
	"strconv"
)

// Sentinel errors; every returned error wraps one of these with detail such as the
// byte offset, so callers can use errors.Is.
var (
	ErrUnknownChip     = errors.New("appimage: unknown chip")
	ErrBadMagic        = errors.New("appimage: invalid image magic")
	ErrTruncated       = errors.New("appimage: image truncated")
	ErrBadHeader       = errors.New("appimage: invalid image header")
	ErrTooManySegments = errors.New("appimage: too many segments")
	ErrWrongChip       = errors.New("appimage: image is for a different chip")
	ErrFlashParam      = errors.New("appimage: unsupported flash parameter")
	ErrNotImage        = errors.New("appimage: not a firmware image")
	ErrBadDescriptor   = errors.New("appimage: invalid descriptor")
	ErrBuild           = errors.New("appimage: cannot build image")
	ErrChecksum        = errors.New("appimage: checksum mismatch")
	ErrDigest          = errors.New("appimage: appended SHA-256 mismatch")
)

// OffsetError locates a decoding problem in the input.
type OffsetError struct {
	Offset int
	Err    error  // one of the sentinels above
	Detail string // human readable, esptool's wording where it has one
}

func (e *OffsetError) Error() string {
	return e.Detail + " (at byte offset " + strconv.Itoa(e.Offset) + ")"
}

func (e *OffsetError) Unwrap() error { return e.Err }
