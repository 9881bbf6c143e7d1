package flashenc

import "errors"

// Sentinel errors, wrapped with detail; test with errors.Is.
var (
	// ErrKeyLength: the key has a length the scheme or chip cannot use.
	ErrKeyLength = errors.New("flashenc: wrong key length")
	// ErrAddress: the flash address is not a multiple of 16, or the data runs past 4 GiB.
	ErrAddress = errors.New("flashenc: bad flash address")
	// ErrLength: the data length is not a multiple of 16 (or is zero for XTS),
	// or dst is shorter than src.
	ErrLength = errors.New("flashenc: bad data length")
	// ErrScheme: unknown scheme, or a scheme the chip does not have.
	ErrScheme = errors.New("flashenc: unsupported scheme")
	// ErrChip: the chip name is not known.
	ErrChip = errors.New("flashenc: unknown chip")
	// ErrCryptConf: FLASH_CRYPT_CONFIG is outside 0x0..0xF.
	ErrCryptConf = errors.New("flashenc: bad FLASH_CRYPT_CONFIG")
	// ErrClosed: the Cipher was closed and its key wiped.
	ErrClosed = errors.New("flashenc: cipher is closed")
)
