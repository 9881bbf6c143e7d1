package flashenc

import (
	"crypto/aes"
	"math/rand/v2"
	"testing"
)

// TestAES256MatchesCryptoAES is the differential test of the AES-256 paths
// (crypt, which is AES-NI on amd64; the tables, which CPUs without AES
// instructions and the purego tag use; one NewCipher per key) against crypto/aes over random keys and 1..4
// random blocks, both directions, re-keying one value each time as the ESP32
// path does.
func TestAES256MatchesCryptoAES(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var a aes256
	var key [32]byte
	for i := range 5000 {
		for j := range key {
			key[j] = byte(r.Uint32())
		}
		if i == 0 {
			key = [32]byte{} // the all-zero key too
		}
		ref, err := aes.NewCipher(key[:])
		if err != nil {
			t.Fatal(err)
		}
		in := make([]byte, 16*(1+r.IntN(4)))
		for j := range in {
			in[j] = byte(r.Uint32())
		}
		for _, dec := range []bool{false, true} {
			want := make([]byte, len(in))
			for j := 0; j < len(in); j += 16 {
				if dec {
					ref.Decrypt(want[j:j+16], in[j:j+16])
				} else {
					ref.Encrypt(want[j:j+16], in[j:j+16])
				}
			}
			got := append([]byte(nil), in...)
			a.crypt(&key, got, dec)
			if string(got) != string(want) {
				t.Fatalf("crypt dec=%v key %x in %x: got %x, want %x", dec, key, in, got, want)
			}
			got = append(got[:0], in...)
			stdlibCrypt(&key, got, dec)
			if string(got) != string(want) {
				t.Fatalf("stdlib dec=%v key %x in %x: got %x, want %x", dec, key, in, got, want)
			}
			got = append(got[:0], in...)
			a.expand(&key)
			if dec {
				a.invert()
			}
			for j := 0; j < len(got); j += 16 {
				if dec {
					a.decrypt(got[j : j+16])
				} else {
					a.encrypt(got[j : j+16])
				}
			}
			if string(got) != string(want) {
				t.Fatalf("tables dec=%v key %x in %x: got %x, want %x", dec, key, in, got, want)
			}
		}
	}
}
