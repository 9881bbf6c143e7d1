package stages

import (
	"bytes"
	"context"
	"testing"

	"github.com/espcompose/espcompose/format/flashenc"
)

// The stage encrypts whole units straight from its input and pads only the last
// one: the result is the whole region, padded with 0xFF to the flash unit, encrypted
// at once, for aligned and unaligned lengths of both schemes, and the input is left
// as it was.
func TestEncryptPadsOnlyTheLastUnit(t *testing.T) {
	key32 := bytes.Repeat([]byte{0x5a}, 32)
	for _, c := range []struct {
		chip, alg string
		scheme    flashenc.Scheme
		unit      int
	}{
		{"esp32c3", "xts-aes-128", flashenc.XTSAES128, 128},
		{"esp32", "aes-256", flashenc.ESP32AES, 32},
	} {
		for _, n := range []int{0, 1, 16, c.unit - 1, c.unit, c.unit + 1, 5*c.unit + 17, 4096} {
			plain := make([]byte, n)
			for i := range plain {
				plain[i] = byte(i*13 + 1)
			}
			orig := bytes.Clone(plain)
			st := &Encrypt{Name: "x", Dep: "d", KeyName: "k", Algorithm: c.alg, Chip: c.chip, Offset: 0x20000, CryptConfig: 0xf}
			got, err := st.Run(context.Background(), &Env{Keys: memKeys{"k": key32}}, []Artifact{NewArtifact(plain)})
			if err != nil {
				t.Fatalf("%s %d bytes: %v", c.chip, n, err)
			}
			padded := append(bytes.Clone(plain), bytes.Repeat([]byte{0xFF}, (c.unit-n%c.unit)%c.unit)...)
			conf := uint8(0xf)
			ciph, err := flashenc.NewCipher(key32, flashenc.Options{Scheme: c.scheme, FlashCryptConf: &conf})
			if err != nil {
				t.Fatal(err)
			}
			want := make([]byte, len(padded))
			if err := ciph.EncryptAt(want, padded, 0x20000); err != nil {
				t.Fatal(err)
			}
			ciph.Close()
			if !bytes.Equal(got.Data, want) || got.Digest != NewArtifact(want).Digest {
				t.Errorf("%s %d bytes: stage output differs from encrypting the padded region at once", c.chip, n)
			}
			if !bytes.Equal(plain, orig) {
				t.Errorf("%s %d bytes: the input artifact was written to", c.chip, n)
			}
		}
	}
}
