package stages

import (
	"context"
	"fmt"

	"github.com/espcompose/espcompose/format/flashenc"
)

// Encrypt flash-encrypts bytes for the flash address they will be written at. Flash
// encryption is keyed by address, so the same plaintext at two offsets gives two
// different ciphertexts (seed 002); the offset is part of the stage.
type Encrypt struct {
	Name        string // what is encrypted, e.g. "partition.ota_0"
	Dep         string // plaintext stage
	KeyName     string
	Algorithm   string // the key's declared algorithm; it, not the key length, picks the scheme
	Chip        string
	Offset      uint32
	CryptConfig uint8 // ESP32 only
}

func (s *Encrypt) ID() string     { return fmt.Sprintf("encrypt:%s@0x%x", s.Name, s.Offset) }
func (s *Encrypt) Kind() string   { return "encrypt" }
func (s *Encrypt) Version() int   { return 1 }
func (s *Encrypt) Deps() []string { return []string{s.Dep, "key:" + s.KeyName} }

// Params leaves out Algorithm: for a chip, the algorithms it accepts have distinct key
// lengths, so the key's fingerprint already decides the scheme and the output.
func (s *Encrypt) Params() any {
	return map[string]any{"chip": s.Chip, "offset": s.Offset, "crypt_config": s.CryptConfig, "key": s.KeyName}
}

func (s *Encrypt) Run(_ context.Context, env *Env, in []Artifact) (Artifact, error) {
	key, err := env.Keys.Secret(s.KeyName)
	if err != nil {
		return Artifact{}, err
	}
	// The planner has checked the algorithm against the chip; this is the backstop
	// that keeps a key from ever being used as a scheme it was not declared for.
	scheme, err := FlashScheme(s.Chip, s.Algorithm)
	if err != nil {
		return Artifact{}, fmt.Errorf("key %q: %w", s.KeyName, err)
	}
	if n := FlashKeyLen(s.Algorithm); len(key) != n {
		return Artifact{}, fmt.Errorf("key %q: a %s key is %d bytes, not %d", s.KeyName, s.Algorithm, n, len(key))
	}
	conf := s.CryptConfig
	c, err := flashenc.NewCipher(key, flashenc.Options{Scheme: scheme, FlashCryptConf: &conf})
	if err != nil {
		return Artifact{}, fmt.Errorf("key %q: %w", s.KeyName, err)
	}
	defer c.Close()
	// Flash is written in whole 16-byte (ESP32) or 128-byte (XTS) units; pad with the
	// erased value so the last unit is well defined, as the device would read it.
	// One output buffer of the padded size: whole units are encrypted straight from
	// the input into it; only a partial last unit is copied, padded and encrypted in
	// place. The input artifact is never written to.
	plain, unit := in[0].Data, unitFor(scheme)
	full := len(plain) / unit * unit
	out := make([]byte, (len(plain)+unit-1)/unit*unit)
	if err := c.EncryptAt(out[:full], plain[:full], s.Offset); err != nil {
		return Artifact{}, fmt.Errorf("encrypt %s at 0x%x: %w", s.Name, s.Offset, err)
	}
	if tail := out[full:]; len(tail) > 0 {
		copy(tail, plain[full:])
		for i := len(plain) - full; i < len(tail); i++ {
			tail[i] = 0xFF
		}
		if err := c.EncryptAt(tail, tail, s.Offset+uint32(full)); err != nil {
			return Artifact{}, fmt.Errorf("encrypt %s at 0x%x: %w", s.Name, s.Offset, err)
		}
	}
	return NewArtifact(out), nil
}

func unitFor(s flashenc.Scheme) int {
	if s == flashenc.ESP32AES {
		return 32
	}
	return 128
}
