package cas

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
)

// errSlowPath: the fast canonicalisation cannot vouch for its output; the caller
// takes the decode-and-encode path.
var errSlowPath = errors.New("cas: canonical JSON needs the slow path")

// canonicalFast gives the bytes canonicalJSON's decode-and-encode gives for src, a
// compact encoding/json output, by sorting object members in place of decoding
// into generic values and encoding them again: every stage of every device of a
// batch computes a key, and the round trip through interface values was a tenth of
// a factory device's time. encoding/json's output is a fixed point of that round
// trip except for object member order (sorted by decoded name) and a string that
// held invalid UTF-8 (written as \ufffd, encoded again as the character itself):
// such a string sends the caller to the slow path.
func canonicalFast(src []byte) ([]byte, error) {
	dst := make([]byte, 0, len(src))
	dst, rest, err := canonValue(dst, src)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, errSlowPath
	}
	return dst, nil
}

// canonValue appends the canonical form of the value at the start of src and
// returns what follows it.
func canonValue(dst, src []byte) ([]byte, []byte, error) {
	if len(src) == 0 {
		return nil, nil, errSlowPath
	}
	switch src[0] {
	case '{':
		return canonObject(dst, src)
	case '[':
		dst = append(dst, '[')
		src = src[1:]
		if len(src) > 0 && src[0] == ']' {
			return append(dst, ']'), src[1:], nil
		}
		for {
			var err error
			dst, src, err = canonValue(dst, src)
			if err != nil {
				return nil, nil, err
			}
			if len(src) == 0 {
				return nil, nil, errSlowPath
			}
			switch src[0] {
			case ',':
				dst = append(dst, ',')
				src = src[1:]
			case ']':
				return append(dst, ']'), src[1:], nil
			default:
				return nil, nil, errSlowPath
			}
		}
	case '"':
		s, rest, err := stringToken(src)
		if err != nil {
			return nil, nil, err
		}
		return append(dst, s...), rest, nil
	default:
		// A number, true, false or null: up to the next delimiter, verbatim (numbers
		// are kept as their literal text).
		i := 0
		for i < len(src) && src[i] != ',' && src[i] != '}' && src[i] != ']' {
			i++
		}
		if i == 0 {
			return nil, nil, errSlowPath
		}
		return append(dst, src[:i]...), src[i:], nil
	}
}

type member struct {
	name  string // decoded, the sort key
	key   []byte // as written, quotes included
	value []byte // canonical
}

func canonObject(dst, src []byte) ([]byte, []byte, error) {
	src = src[1:]
	if len(src) > 0 && src[0] == '}' {
		return append(dst, '{', '}'), src[1:], nil
	}
	var members []member
	for {
		if len(src) == 0 || src[0] != '"' {
			return nil, nil, errSlowPath
		}
		key, rest, err := stringToken(src)
		if err != nil {
			return nil, nil, err
		}
		name := string(key[1 : len(key)-1])
		if bytes.IndexByte(key, '\\') >= 0 {
			if err := json.Unmarshal(key, &name); err != nil {
				return nil, nil, errSlowPath
			}
		}
		if len(rest) == 0 || rest[0] != ':' {
			return nil, nil, errSlowPath
		}
		var value []byte
		value, src, err = canonValue(nil, rest[1:])
		if err != nil {
			return nil, nil, err
		}
		members = append(members, member{name, key, value})
		if len(src) == 0 {
			return nil, nil, errSlowPath
		}
		if src[0] == '}' {
			src = src[1:]
			break
		}
		if src[0] != ',' {
			return nil, nil, errSlowPath
		}
		src = src[1:]
	}
	slices.SortFunc(members, func(a, b member) int { return strings.Compare(a.name, b.name) })
	dst = append(dst, '{')
	for i, m := range members {
		if i > 0 {
			if m.name == members[i-1].name {
				return nil, nil, errSlowPath // a repeated name: decoding keeps the last
			}
			dst = append(dst, ',')
		}
		dst = append(dst, m.key...)
		dst = append(dst, ':')
		dst = append(dst, m.value...)
	}
	return append(dst, '}'), src, nil
}

// stringToken returns the string token at the start of src, quotes included.
func stringToken(src []byte) ([]byte, []byte, error) {
	for i := 1; i < len(src); i++ {
		switch src[i] {
		case '\\':
			if i+1 < len(src) && src[i+1] == 'u' && bytes.HasPrefix(src[i+2:], []byte("fffd")) {
				return nil, nil, errSlowPath
			}
			i++ // the escaped character
		case '"':
			return src[:i+1], src[i+1:], nil
		}
	}
	return nil, nil, errSlowPath
}
