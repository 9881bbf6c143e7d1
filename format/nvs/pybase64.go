package nvs

import "fmt"

// decodePyBase64 mirrors Python's binascii.a2b_base64 in its default
// (non-strict) mode: characters outside the alphabet are skipped, decoding
// stops at the first complete padding, and a partial final quantum is an error.
func decodePyBase64(key string, in []byte) ([]byte, error) {
	var (
		out      []byte
		quad     int
		left     byte
		pads     int
		nDataChr int
	)
	for _, c := range in {
		if c == '=' {
			if quad >= 2 {
				pads++
				if quad+pads >= 4 {
					return out, nil
				}
			}
			continue
		}
		v := b64val(c)
		if v < 0 {
			continue
		}
		nDataChr++
		pads = 0
		switch quad {
		case 0:
			quad, left = 1, byte(v)
		case 1:
			out = append(out, left<<2|byte(v)>>4)
			quad, left = 2, byte(v)&0x0f
		case 2:
			out = append(out, left<<4|byte(v)>>2)
			quad, left = 3, byte(v)&0x03
		case 3:
			out = append(out, left<<6|byte(v))
			quad, left = 0, 0
		}
	}
	switch quad {
	case 0:
		return out, nil
	case 1:
		return nil, fmt.Errorf("%w: %s: invalid base64: number of data characters (%d) cannot be 1 more than a multiple of 4", ErrValue, key, nDataChr)
	}
	return nil, fmt.Errorf("%w: %s: invalid base64: incorrect padding", ErrValue, key)
}

func b64val(c byte) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 26
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return -1
}
