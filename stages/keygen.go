package stages

import (
	"fmt"
	"io"

	"github.com/espcompose/espcompose/format/nvs"
)

// symmetricKeyLen is the key file length of each symmetric algorithm, as the eFuse or
// the reference tools expect it.
var symmetricKeyLen = map[string]int{
	"aes-128": 16, "aes-192": 24, "aes-256": 32,
	"xts-aes-128": 32, // two 128-bit halves: data key and tweak key
	"xts-aes-256": 64,
	"hmac":        32,
	"nvs-hmac":    32,
}

// GenerateKey makes new key material for symmetric and NVS algorithms. Signing keys
// are made by the secure boot code (see secureboot keys) and are not handled here.
func GenerateKey(algorithm string, rand io.Reader) ([]byte, error) {
	if algorithm == "nvs-xts" {
		k, err := nvs.GenerateKeys(rand)
		if err != nil {
			return nil, err
		}
		return k.MarshalPartition(), nil
	}
	n, ok := symmetricKeyLen[algorithm]
	if !ok {
		return nil, fmt.Errorf("espcompose cannot create %s keys; create the key file yourself", algorithm)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(rand, b); err != nil {
		return nil, fmt.Errorf("read randomness: %w", err)
	}
	return b, nil
}

// ValidateKey checks the length and structure of symmetric and NVS key material.
func ValidateKey(algorithm string, data []byte) error {
	if algorithm == "nvs-xts" {
		_, err := nvs.ParseKeyPartition(data)
		return err
	}
	if n, ok := symmetricKeyLen[algorithm]; ok && len(data) != n {
		return fmt.Errorf("a %s key is %d bytes, this file has %d", algorithm, n, len(data))
	}
	return nil
}
