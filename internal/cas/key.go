package cas

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"strconv"
)

// keyDomain separates cache keys from every other sha256 use in the project
// and versions the encoding below; change it if the encoding ever changes.
const keyDomain = "espcompose/cas/key/v1"

// Key derives a cache key (lowercase hex sha256) for one stage invocation.
//
// kind names the stage ("parttable", "nvs", ...); version is the stage's
// own output-format version, bumped whenever the same inputs would produce
// different bytes; params are the stage's settings; inputDigests are the
// digests of the input files, in the stage's positional order (the order is
// significant and is NOT sorted).
//
// Encoding, hashed with sha256, each field as an 8-byte big-endian length
// followed by its bytes:
//
//	keyDomain, kind, decimal(version), canonicalJSON(params),
//	decimal(len(inputDigests)), inputDigests[0], inputDigests[1], ...
//
// canonicalJSON is encoding/json's output for params, decoded into generic
// values (numbers kept as their literal text) and encoded again: object keys
// come out sorted at every depth, so the key never depends on map iteration
// order, and a struct and a map with the same fields give the same key.
//
// params must be JSON-encodable; Key panics otherwise, as that is a
// programming error in the calling stage. Never put secrets in params (see
// the package documentation).
func Key(kind string, version int, params any, inputDigests ...string) string {
	p, err := canonicalJSON(params)
	if err != nil {
		panic(fmt.Sprintf("cas.Key(%q): params are not JSON-encodable: %v", kind, err))
	}
	h := sha256.New()
	field(h, []byte(keyDomain))
	field(h, []byte(kind))
	field(h, []byte(strconv.Itoa(version)))
	field(h, p)
	field(h, []byte(strconv.Itoa(len(inputDigests))))
	for _, d := range inputDigests {
		field(h, []byte(d))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Digest returns the lowercase hex sha256 of data, the form Key expects for
// inputDigests and the form used to name objects.
func Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// field writes one length-prefixed field; the prefix makes the encoding
// injective, so ("ab","c") and ("a","bc") cannot collide.
func field(h hash.Hash, b []byte) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(b)))
	h.Write(n[:])
	h.Write(b)
}

func canonicalJSON(v any) ([]byte, error) {
	first, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if out, err := canonicalFast(first); err == nil {
		return out, nil
	}
	return canonicalSlow(first)
}

// canonicalSlow is the definition: encoding/json's output decoded into generic
// values and encoded again (canonicalFast gives the same bytes, faster).
func canonicalSlow(first []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(first))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, err
	}
	return json.Marshal(generic)
}
