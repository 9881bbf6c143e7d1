package stages

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/fsutil"
)

// ErrKeyMissing is returned for a key file that does not exist and may not be created.
var ErrKeyMissing = errors.New("key file missing")

// KeySpec is a key the build may use.
type KeySpec struct {
	Name      string
	Algorithm string
	Path      string
	Rel       string // shown to users
	Create    bool
	// Derive names the master key a per-device key is derived from (DeriveKey) for
	// device DeviceID; Path is then empty: a derived key is never a file.
	Derive   string
	DeviceID string
}

// Generator makes new key material for an algorithm from a randomness source.
type Generator func(algorithm string, rand io.Reader) ([]byte, error)

// Validator checks key material for an algorithm (length, PEM structure).
type Validator func(algorithm string, data []byte) error

// FileKeys is the KeyStore over key files. It creates a missing key once when its spec
// allows, never overwrites one, writes new ones with mode 0600, and keeps material only
// in memory: nothing it holds is logged, cached or written to outputs.
type FileKeys struct {
	FS       afero.Fs
	Rand     io.Reader
	Specs    map[string]KeySpec
	Generate Generator
	Validate Validator
	DryRun   bool // plan: never create
	// Created, when set, is told each key file created (before the key is used), and
	// the file is not flushed on its own: the caller makes it durable before it
	// publishes anything made with the key (a device batch's group flush). Nil: each
	// created key file is flushed with its folder at once.
	Created func(path string) error

	mu   sync.Mutex
	held map[string][]byte
}

// Secret returns the key material, creating it first when allowed.
func (k *FileKeys) Secret(name string) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.secret(name, false)
}

// secret is Secret with k.mu held; derived is set while reading a master secret, so a
// chain of derived keys (which the manifest refuses) cannot recurse.
func (k *FileKeys) secret(name string, derived bool) ([]byte, error) {
	if b, ok := k.held[name]; ok {
		return b, nil
	}
	spec, ok := k.Specs[name]
	if !ok {
		return nil, fmt.Errorf("key %q is not declared", name)
	}
	if spec.Derive != "" {
		if derived {
			return nil, fmt.Errorf("key %q: a master secret cannot itself be derived", name)
		}
		master, err := k.secret(spec.Derive, true)
		if err != nil {
			return nil, err
		}
		data, err := DeriveKey(master, spec.Algorithm, spec.Name, spec.DeviceID)
		if err != nil {
			return nil, fmt.Errorf("key %q (derived from key.%s): %w", name, spec.Derive, err)
		}
		k.hold(name, data)
		return data, nil
	}
	data, err := afero.ReadFile(k.FS, spec.Path)
	switch {
	case err == nil:
	case errors.Is(err, os.ErrNotExist) && spec.Create && !k.DryRun:
		if data, err = k.create(spec); err != nil {
			return nil, err
		}
	case errors.Is(err, os.ErrNotExist):
		hint := ""
		if !spec.Create {
			hint = " (set create = true to make one)"
		}
		return nil, fmt.Errorf("key %q: %s: %w%s", name, spec.Rel, ErrKeyMissing, hint)
	default:
		return nil, fmt.Errorf("key %q: %s: %w", name, spec.Rel, err)
	}
	if k.Validate != nil {
		if err := k.Validate(spec.Algorithm, data); err != nil {
			return nil, fmt.Errorf("key %q (%s): %w", name, spec.Rel, err)
		}
	}
	k.hold(name, data)
	return data, nil
}

func (k *FileKeys) hold(name string, data []byte) {
	if k.held == nil {
		k.held = map[string][]byte{}
	}
	k.held[name] = data
}

func (k *FileKeys) create(spec KeySpec) ([]byte, error) {
	if k.Generate == nil || k.Rand == nil {
		return nil, fmt.Errorf("key %q: cannot create keys of algorithm %s", spec.Name, spec.Algorithm)
	}
	data, err := k.Generate(spec.Algorithm, k.Rand)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", spec.Name, err)
	}
	if dir := parentDir(spec.Path); dir != "" {
		if err := k.FS.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("key %q: %w", spec.Name, err)
		}
	}
	create := fsutil.CreateExclusive
	if k.Created != nil {
		create = fsutil.CreateExclusiveNoSync
	}
	if err := create(k.FS, spec.Path, data, 0o600); err != nil {
		return nil, fmt.Errorf("key %q: create %s: %w", spec.Name, spec.Rel, err)
	}
	if k.Created != nil {
		if err := k.Created(spec.Path); err != nil {
			return nil, fmt.Errorf("key %q: %w", spec.Name, err)
		}
	}
	return data, nil
}

// Wipe forgets and zeroes all held key material.
func (k *FileKeys) Wipe() {
	k.mu.Lock()
	defer k.mu.Unlock()
	for n, b := range k.held {
		for i := range b {
			b[i] = 0
		}
		delete(k.held, n)
	}
}

func parentDir(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' || p[i] == os.PathSeparator {
			return p[:i]
		}
	}
	return ""
}

// Fingerprint is a one-way identifier of key material for cache keys and records. It
// is domain-separated so it cannot be mistaken for any digest a device or tool uses.
func Fingerprint(material []byte) string {
	h := sha256.New()
	h.Write([]byte("espcompose key fingerprint v1\x00"))
	h.Write(material)
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// Key makes a key's identity an input of the stages that use it: its artifact is the
// fingerprint, never the material, so a changed key reruns exactly those stages.
type Key struct {
	Name string
}

func (s *Key) ID() string     { return "key:" + s.Name }
func (s *Key) Kind() string   { return "key" }
func (s *Key) Version() int   { return 1 }
func (s *Key) Params() any    { return map[string]string{"key": s.Name} }
func (s *Key) Deps() []string { return nil }
func (s *Key) Uncached()      {}

func (s *Key) Run(_ context.Context, env *Env, _ []Artifact) (Artifact, error) {
	material, err := env.Keys.Secret(s.Name)
	if err != nil {
		return Artifact{}, err
	}
	return NewArtifact([]byte(Fingerprint(material))), nil
}
