package nvs

import "errors"

// Sentinel errors; returned errors wrap them with detail (key, byte offset,
// CSV file:line).
var (
	ErrKey              = errors.New("nvs: invalid key")
	ErrTooManyNS        = errors.New("nvs: more than 254 namespaces")
	ErrRange            = errors.New("nvs: value out of range")
	ErrTooLong          = errors.New("nvs: value too long")
	ErrPageFull         = errors.New("nvs: entry does not fit in one page (PageFullError)")
	ErrInsufficientSize = errors.New("nvs: partition too small")
	ErrSize             = errors.New("nvs: invalid partition size")
	ErrVersion          = errors.New("nvs: invalid version")
	ErrType             = errors.New("nvs: invalid entry type")
	ErrDuplicateNS      = errors.New("nvs: duplicate namespace")
	ErrCSV              = errors.New("nvs: malformed CSV")
	ErrEncoding         = errors.New("nvs: unknown encoding")
	ErrValue            = errors.New("nvs: invalid value")
	ErrKeyLength        = errors.New("nvs: wrong key length")
	ErrKeyCRC           = errors.New("nvs: key partition CRC mismatch")
	ErrCRC              = errors.New("nvs: CRC mismatch")
	ErrCorrupt          = errors.New("nvs: corrupt image")
)
