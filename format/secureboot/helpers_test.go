package secureboot

import (
	"encoding/binary"
	"hash/crc32"
	"math/big"
	"os"
	"path/filepath"
	"testing"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func loadKey(t testing.TB, name string) *PrivateKey {
	t.Helper()
	k, err := ParsePrivateKeyPEM(readTestdata(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return k
}

// testImage is deterministic pseudo-random content of n bytes.
func testImage(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func bytesInt(b []byte) *big.Int { return new(big.Int).SetBytes(b) }

func putCRC(b []byte) {
	binary.LittleEndian.PutUint32(b[offCRC:], crc32.ChecksumIEEE(b[:offCRC]))
}
