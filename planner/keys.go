package planner

import (
	"errors"
	"os"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/stages"
)

// keyProblem names a stages.KeyError kind in a diagnostic summary.
var keyProblem = []struct {
	kind    error
	summary string
}{
	{stages.ErrKeyLength, "Wrong key file length"},
	{stages.ErrKeyKind, "Wrong kind of key"},
	{stages.ErrKeyDamaged, "Damaged key file"},
	{stages.ErrKeyFormat, "Unreadable key file"},
}

func keySummary(err error, fallback string) string {
	for _, kp := range keyProblem {
		if errors.Is(err, kp.kind) {
			return kp.summary
		}
	}
	return fallback
}

// checkKeys validates every declared key whose files exist, with the checks the key
// store repeats when the build reads them, so validate and plan refuse what build would
// refuse, at the attribute that names the file. A missing file is left to
// checkKeyFiles: it matters only for keys the build uses, and create = true makes it.
func (p *planner) checkKeys() {
	for _, k := range p.cfg.Keys {
		if k.File != "" {
			data, ok := p.readKeyFile(k, k.File, k.FileRange)
			switch {
			case ok:
				if err := stages.ValidateKey(k.Algorithm, data); err != nil {
					p.errorf(k.AttrRange(k.FileRange), keySummary(err, "Invalid key file"), "key.%s (%s): %v.", k.Name, p.rel(k.File), err)
				}
			case k.Create && !stages.CanGenerate(k.Algorithm) && p.missing(k.File):
				p.errorf(k.AttrRange(k.CreateRange), "Cannot create key",
					"espcompose cannot create %s keys; create %s yourself (e.g. with espsecure generate_signing_key) and drop create = true.",
					k.Algorithm, p.rel(k.File))
			}
		}
		if k.PublicKey != "" && stages.IsSigning(k.Algorithm) {
			if data, ok := p.readKeyFile(k, k.PublicKey, k.PublicKeyRange); ok {
				if err := stages.ValidatePublicKey(k.Algorithm, data); err != nil {
					p.errorf(k.AttrRange(k.PublicKeyRange), keySummary(err, "Invalid public key file"), "key.%s public_key (%s): %v.", k.Name, p.rel(k.PublicKey), err)
				}
			}
		}
	}
}

// readKeyFile reads a key file that exists; a file that is there but cannot be read is
// an error at its attribute.
func (p *planner) readKeyFile(k *manifest.Key, path string, at hcl.Range) ([]byte, bool) {
	data, err := afero.ReadFile(p.opts.FS, path)
	switch {
	case err == nil:
		return data, true
	case errors.Is(err, os.ErrNotExist):
		return nil, false
	}
	p.errorf(k.AttrRange(at), "Cannot read key file", "key.%s: %s: %v.", k.Name, p.rel(path), unwrap(err))
	return nil, false
}

func (p *planner) missing(path string) bool {
	_, err := p.opts.FS.Stat(path)
	return errors.Is(err, os.ErrNotExist)
}
