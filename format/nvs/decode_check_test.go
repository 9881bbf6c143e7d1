package nvs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"testing"

	"github.com/espcompose/espcompose/internal/conformance"
)

// checkDecode reads the reference image back and expects the imported
// partition; for encrypted cases it also checks that decrypting gives the
// plain image the reference's decrypt command produced.
func checkDecode(t *testing.T, c conformance.Case, img []byte, want *Partition, k *Keys, a toolArgs) {
	t.Helper()
	d, err := Decode(img, k)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if err := equalPartitions(&d.Partition, want); err != "" {
		t.Fatalf("decode: %s", err)
	}
	if d.Version != a.version {
		t.Fatalf("decoded version %d, want %d", d.Version, a.version)
	}
	if k == nil {
		return
	}
	var extra struct {
		Roundtrip struct {
			SHA256 string `json:"plain_generate_sha256"`
		} `json:"decrypt_roundtrip"`
	}
	c.Decode(t, &extra)
	plain, err := Decrypt(img, *k)
	if err != nil {
		t.Fatal(err)
	}
	size, _ := strconv.ParseUint(a.size, 0, 32)
	gen, err := Encode(want, Options{Size: uint32(size), Version: a.version})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(plain, gen) {
		t.Fatalf("decrypted image differs from the plain encoding at %#x", firstDiff(plain, gen))
	}
	if extra.Roundtrip.SHA256 != "" {
		sum := sha256.Sum256(plain)
		if hex.EncodeToString(sum[:]) != extra.Roundtrip.SHA256 {
			t.Fatalf("decrypted image sha256 differs from the reference's plain generate output")
		}
	}
}

// equalPartitions compares two partitions, treating nil and empty blobs alike.
func equalPartitions(a, b *Partition) string {
	if len(a.Namespaces) != len(b.Namespaces) {
		return "namespace count " + strconv.Itoa(len(a.Namespaces)) + " != " + strconv.Itoa(len(b.Namespaces))
	}
	for i := range a.Namespaces {
		x, y := a.Namespaces[i], b.Namespaces[i]
		if x.Name != y.Name || len(x.Entries) != len(y.Entries) {
			return "namespace " + x.Name + " differs from " + y.Name
		}
		for j := range x.Entries {
			e, f := x.Entries[j], y.Entries[j]
			if e.Key != f.Key || e.Type != f.Type || e.Int != f.Int || e.Uint != f.Uint || e.Str != f.Str || !bytes.Equal(e.Blob, f.Blob) {
				return "entry " + x.Name + "/" + e.Key + " differs"
			}
		}
	}
	return ""
}
