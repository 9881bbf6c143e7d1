package planner

import (
	"testing"

	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/stages"
)

// The manifest accepts derive_from on exactly the algorithms stages can derive: the
// flash encryption keys, each with the key length its eFuse block takes.
func TestDerivableAlgorithmsAreFlashKeys(t *testing.T) {
	want := map[string]int{"aes-192": 24, "aes-256": 32, "xts-aes-128": 32, "xts-aes-128-derived": 16, "xts-aes-256": 64}
	if len(manifest.DerivableAlgorithms) != len(want) {
		t.Fatalf("derivable: %v, want %v", manifest.DerivableAlgorithms, want)
	}
	master := make([]byte, 32)
	for _, alg := range manifest.DerivableAlgorithms {
		k, err := stages.DeriveKey(master, alg, "flash", "D-1")
		if err != nil || len(k) != want[alg] || stages.FlashKeyLen(alg) != want[alg] {
			t.Errorf("%s: %d bytes (%v), want %d", alg, len(k), err, want[alg])
		}
	}
}
