package spiffs

import (
	"errors"
	"fmt"
)

// Options are spiffsgen.py's command-line options. Their defaults are the
// reference's defaults and those of ESP-IDF's Kconfig.
type Options struct {
	Size               int  // image size in bytes (the partition size)
	PageSize           int  // --page-size, CONFIG_SPIFFS_PAGE_SIZE (default 256)
	BlockSize          int  // --block-size, the flash sector size (default 4096)
	ObjNameLen         int  // --obj-name-len, CONFIG_SPIFFS_OBJ_NAME_LEN, counts the NUL (default 32)
	MetaLen            int  // --meta-len, CONFIG_SPIFFS_META_LENGTH (default 4)
	UseMagic           bool // --use-magic / --no-magic (default true)
	UseMagicLen        bool // --use-magic-len / --no-magic-len (default true)
	AlignedObjIxTables bool // --aligned-obj-ix-tables (default false)
	BigEndian          bool // --big-endian (default false; every ESP32 is little-endian)
}

// DefaultOptions returns spiffsgen's defaults for an image of size bytes.
func DefaultOptions(size int) Options {
	return Options{
		Size:        size,
		PageSize:    256,
		BlockSize:   4096,
		ObjNameLen:  32,
		MetaLen:     4,
		UseMagic:    true,
		UseMagicLen: true,
	}
}

// File is one file of the image. Path is slash-separated and relative
// ("www/index.html"); in the image it is stored as "/" + Path.
type File struct {
	Path string
	Data []byte
}

// Sentinel errors; every error returned wraps one of them.
var (
	// ErrNoSpace: the files do not fit the image (spiffsgen: "the image size has
	// been exceeded"). The error is a *NoSpaceError saying by how much.
	ErrNoSpace = errors.New("spiffs: the image size has been exceeded")
	// ErrNameTooLong: "/" + Path has ObjNameLen characters or more (the name
	// field holds a terminating NUL).
	ErrNameTooLong = errors.New("spiffs: object name too long")
	// ErrInvalid: options spiffsgen refuses or cannot encode, or a path that
	// cannot be a SPIFFS object name.
	ErrInvalid = errors.New("spiffs: invalid input")
	// ErrCorrupt: Decode found an image that is not consistent SPIFFS.
	ErrCorrupt = errors.New("spiffs: corrupt image")
)

// NoSpaceError says how much room the files would need. Need counts whole
// blocks, as SPIFFS allocates them; the files fit once Size >= Need.
type NoSpaceError struct {
	File string // the first object that did not fit ("/" + Path)
	Need int    // bytes the image would need
	Size int    // bytes it has
}

func (e *NoSpaceError) Error() string {
	return fmt.Sprintf("spiffs: the image size has been exceeded: adding %q; the files need %d bytes, the image has %d (%d bytes over)",
		e.File, e.Need, e.Size, e.Need-e.Size)
}

// Unwrap makes errors.Is(err, ErrNoSpace) hold.
func (e *NoSpaceError) Unwrap() error { return ErrNoSpace }

// Over is how many bytes the image is short by.
func (e *NoSpaceError) Over() int { return e.Need - e.Size }
