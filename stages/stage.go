// Package stages holds the build steps the planner wires into a DAG: reading sources,
// patching headers, generating tables and records, encoding NVS, signing, encrypting
// and merging. Each stage is a pure function of its parameters and input artifacts, so
// its output can be cached under sha256(kind, version, params, input digests).
package stages

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/logx"
)

// Artifact is bytes plus their digest.
type Artifact struct {
	Data   []byte
	Digest string // lowercase hex sha256 of Data
}

// NewArtifact digests data.
func NewArtifact(data []byte) Artifact {
	sum := sha256.Sum256(data)
	return Artifact{Data: data, Digest: hex.EncodeToString(sum[:])}
}

// Stage is one build step.
type Stage interface {
	// ID is unique in a plan and stable across runs, e.g. "encrypt:partition.ota_0".
	ID() string
	// Kind names the operation ("source", "patch", "sign", ...).
	Kind() string
	// Version changes whenever the stage's output for the same inputs would change,
	// which invalidates cached results.
	Version() int
	// Params are the stage's settings as a JSON-encodable value. They go into the cache
	// key and build.json, so they never hold key bytes (a key fingerprint instead).
	Params() any
	// Deps lists the stages whose artifacts Run receives, in this order.
	Deps() []string
	// Run computes the artifact from the inputs.
	Run(ctx context.Context, env *Env, in []Artifact) (Artifact, error)
}

// Uncached is implemented by stages whose result must not be cached: reading sources
// (the file itself is the truth) and anything that touches key material directly.
type Uncached interface{ Uncached() }

// SecretOutput is implemented by stages whose artifact can hold key material in the
// clear (a device private key placed in a partition). Such an artifact, and every
// artifact made from it except by encryption, is never cached.
type SecretOutput interface{ SecretOutput() bool }

// holdsSecret says whether s's artifact holds clear key material, given which of its
// dependencies do. Encryption ends the chain: ciphertext is cached as before.
func holdsSecret(s Stage, secret map[string]bool) bool {
	if so, ok := s.(SecretOutput); ok && so.SecretOutput() {
		return true
	}
	if s.Kind() == "encrypt" {
		return false
	}
	for _, d := range s.Deps() {
		if secret[d] {
			return true
		}
	}
	return false
}

// Recomputer is implemented by cacheable stages whose output is cheaper to make again
// than to store and read back (a merge of cached inputs): the cache key is computed and
// recorded as for any other stage, but the output is neither looked up nor stored.
type Recomputer interface{ Recomputed() bool }

// SizedRecomputer is a Recomputer that decides by its inputs: work that grows with
// the bytes in (encryption) is recomputed while it stays below what reading and
// verifying the stored copy costs, and stored above.
type SizedRecomputer interface {
	RecomputedFor(in []Artifact) bool
}

// Recomputes says whether the runner recomputes s from inputs in rather than storing
// it in (or reading it from) the cache.
func Recomputes(s Stage, in []Artifact) bool { return recomputed(s, in) }

func recomputed(s Stage, in []Artifact) bool {
	if r, ok := s.(SizedRecomputer); ok {
		return r.RecomputedFor(in)
	}
	r, ok := s.(Recomputer)
	return ok && r.Recomputed()
}

// MemoryCache is implemented by a Cache that can also hold, in memory only, what is
// recomputed rather than stored (a device batch: the stages every device shares run
// once, not once per device, without the disk cache paying for them).
type MemoryCache interface {
	Recall(key string) (Artifact, bool)
	Remember(key string, art Artifact)
}

// CachePolicy is implemented by stages that are cacheable only in some configurations.
type CachePolicy interface{ Cacheable() bool }

func cacheable(s Stage) bool {
	if _, ok := s.(Uncached); ok {
		return false
	}
	if p, ok := s.(CachePolicy); ok {
		return p.Cacheable()
	}
	return true
}

// Env is what a stage may use from the outside world, passed explicitly.
type Env struct {
	FS      afero.Fs
	Log     logx.Logger
	Keys    KeyStore
	Signers Signers
	Rand    io.Reader // fresh randomness, for outputs a manifest asks to be random
}

// KeyStore hands out key material by key name. Implementations never log or cache it.
type KeyStore interface {
	Secret(name string) ([]byte, error)
}
