package compose

import (
	"strings"
	"sync"

	"github.com/espcompose/espcompose/internal/fsutil"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/stages"
)

// sharedSigners are a batch's signers that every device would otherwise set up
// again: a PKCS#11 key opens a token session and logs in to read its public key, an
// external command reads and parses its public key. A device whose key has the same
// back-end settings as the first device that set it up (the usual case: one release
// key for the whole batch) reuses that signer. A key whose settings depend on
// device.* gets its own signer, as before, and is not kept, so the batch holds at
// most one signer per key name. Both signer kinds are safe for concurrent use (a
// PKCS#11 signer does one token operation at a time).
type sharedSigners struct {
	mu sync.Mutex
	m  map[string]sharedSigner // by key name
}

type sharedSigner struct {
	settings string
	signer   stages.Signer
}

// sharedSettings identifies the back-end of k; ok is false for back-ends not
// shared: a local key file (its key store is the device's) and offline signatures.
func sharedSettings(k *manifest.Key, o Options) (string, bool) {
	const sep = "\x00"
	switch {
	case k.File != "" || o.Signatures != "":
		return "", false
	case len(k.Signer) > 0:
		return strings.Join(append([]string{"command", k.PublicKey, strings.Join(k.Signer, sep)}, o.SignerEnv...), sep), true
	case k.PKCS11 != nil:
		return strings.Join([]string{"pkcs11", k.PKCS11.Module, k.PKCS11.Token, k.PKCS11.Label, k.PKCS11.PinEnv}, sep), true
	}
	return "", false
}

// get returns the signer set up for k, if one with k's settings is kept. The public
// key an external command's signer read is noted in rec: it is an input of every
// device that uses the signer, in its record.
func (s *sharedSigners) get(k *manifest.Key, o Options, rec *fsutil.ReadRecorder) (stages.Signer, bool) {
	if s == nil {
		return nil, false
	}
	settings, ok := sharedSettings(k, o)
	if !ok {
		return nil, false
	}
	s.mu.Lock()
	e, found := s.m[k.Name]
	s.mu.Unlock()
	if !found || e.settings != settings {
		return nil, false
	}
	if len(k.Signer) > 0 && k.PublicKey != "" {
		rec.NoteFile(k.PublicKey)
	}
	return e.signer, true
}

// put keeps a signer just set up for k, unless one is kept for k's name already.
func (s *sharedSigners) put(k *manifest.Key, o Options, sg stages.Signer) {
	if s == nil {
		return
	}
	settings, ok := sharedSettings(k, o)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]sharedSigner{}
	}
	if _, found := s.m[k.Name]; !found {
		s.m[k.Name] = sharedSigner{settings, sg}
	}
}
