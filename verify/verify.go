// Package verify reads a finished build back with the project's own decoders before
// it is published: tables parse and match the plan, NVS decodes to the declared
// entries, flash-encrypted regions decrypt to what was encrypted, signatures verify
// with the configured keys, and the merged images, flash arguments and OTA artifacts
// agree with the regions they are made of. A build whose outputs disagree with its
// plan must never reach dist/, however the disagreement came about (a codec bug, a
// stale cache entry, a wrong key).
//
// Key material is used only to decrypt and re-derive; no message holds key bytes.
package verify

import (
	"github.com/spf13/afero"

	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/espcompose/espcompose/format/flashenc"
	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/outputs"
	"github.com/espcompose/espcompose/planner"
	"github.com/espcompose/espcompose/stages"
)

// ErrMismatch is wrapped by the error Build returns when an output disagrees with the
// plan.
var ErrMismatch = errors.New("verify: outputs do not match the plan")

// Input is a finished, unpublished build.
type Input struct {
	Plan   *planner.Plan
	Result *stages.Result
	Files  []outputs.File // as outputs.Files rendered them, names relative to dist/
	// Keys gives secret key material: the flash encryption key, NVS keys and the
	// Secure Boot V1 digest key. A check whose key cannot be had fails; it is never
	// skipped.
	Keys stages.KeyStore
	// Signers give the public halves of the signing keys, local or remote.
	Signers stages.Signers
	// FS reads per-device key files, to check a device private key placed in NVS.
	FS afero.Fs
}

// Check is one comparison made.
type Check struct {
	Kind    string `json:"check"`   // table, decrypt, nvs, signature, merged, ...
	Subject string `json:"subject"` // region or file it is about
	OK      bool   `json:"ok"`
	Detail  string `json:"detail"`
}

func (c Check) String() string {
	if c.OK {
		return fmt.Sprintf("ok   %-10s %s: %s", c.Kind, c.Subject, c.Detail)
	}
	return fmt.Sprintf("FAIL %-10s %s: %s", c.Kind, c.Subject, c.Detail)
}

// Report lists every check made, in a fixed order.
type Report struct {
	Checks []Check `json:"checks"`
}

// Failures are the checks that did not pass.
func (r *Report) Failures() []Check {
	var out []Check
	for _, c := range r.Checks {
		if !c.OK {
			out = append(out, c)
		}
	}
	return out
}

// MismatchError lists every failed check.
type MismatchError struct{ Failures []Check }

// maxListed keeps a badly broken build's error readable; the report holds the rest.
const maxListed = 12

func (e *MismatchError) Error() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "verify: %d check(s) failed; the build's outputs do not match its plan, so nothing was published:", len(e.Failures))
	for i, f := range e.Failures {
		if i == maxListed {
			fmt.Fprintf(&sb, "\n  ... and %d more (run with -v to list every check)", len(e.Failures)-maxListed)
			break
		}
		fmt.Fprintf(&sb, "\n  %s: %s", f.Subject, f.Detail)
	}
	return sb.String()
}

func (e *MismatchError) Unwrap() error { return ErrMismatch }

// Build checks every output of a build against its plan. The report is returned even
// when checks fail; the error then wraps ErrMismatch.
func Build(ctx context.Context, in Input) (*Report, error) {
	if in.Plan == nil || in.Result == nil {
		return nil, errors.New("verify: no plan or no build result")
	}
	c := newChecker(in)
	defer c.close()
	steps := []func(){
		c.regions, c.tables, c.contents, c.merged, c.flashArgs, c.ota, c.reports,
	}
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return c.rep, err
		}
		step()
	}
	if f := c.rep.Failures(); len(f) > 0 {
		return c.rep, &MismatchError{Failures: f}
	}
	return c.rep, nil
}

// checker holds what the checks share: the files by name, each region's plaintext as
// the device reads it, and lazily made ciphers and public keys.
type checker struct {
	in    Input
	cfg   *manifest.Config
	env   *stages.Env
	rep   *Report
	files map[string][]byte
	// sums is each file's SHA-256 as outputs.Files took it from the artifact's digest
	// (computed once, when the stage made the bytes), or hashed there: the reports
	// are checked against it rather than hashing every output, up to the whole
	// flash, a second time.
	sums map[string]string
	// plain is each written region's bytes as the device reads them (decrypted), by
	// region name; absent when the region could not be read back.
	plain map[string][]byte

	cipher    *flashenc.Cipher
	cipherErr error
	pubs      map[string]*secureboot.PublicKey
}

func newChecker(in Input) *checker {
	c := &checker{
		in: in, cfg: in.Plan.Config, env: &stages.Env{Keys: in.Keys, Signers: in.Signers, FS: in.FS},
		rep: &Report{}, files: map[string][]byte{}, sums: map[string]string{}, plain: map[string][]byte{},
		pubs: map[string]*secureboot.PublicKey{},
	}
	for _, f := range in.Files {
		c.files[f.Name] = f.Data
		if f.SHA256 != "" {
			c.sums[f.Name] = f.SHA256
		}
	}
	return c
}

func (c *checker) close() {
	if c.cipher != nil {
		c.cipher.Close()
	}
}

func (c *checker) pass(kind, subject, format string, args ...any) {
	c.rep.Checks = append(c.rep.Checks, Check{Kind: kind, Subject: subject, OK: true, Detail: fmt.Sprintf(format, args...)})
}

func (c *checker) fail(kind, subject, format string, args ...any) {
	c.rep.Checks = append(c.rep.Checks, Check{Kind: kind, Subject: subject, Detail: fmt.Sprintf(format, args...)})
}

// regionName is how messages name a region: its name and the file holding it.
func regionName(r *planner.Region) string {
	if r.File != "" && r.Stage != "" {
		return fmt.Sprintf("region %s (%s)", r.Name, r.File)
	}
	return "region " + r.Name
}

// stage returns the plan's stage of an id.
func (c *checker) stage(id string) stages.Stage {
	s, _ := c.in.Plan.Graph.Node(id)
	return s
}

// artifact returns a stage's output from the build.
func (c *checker) artifact(id string) ([]byte, bool) {
	a, ok := c.in.Result.Artifacts[id]
	return a.Data, ok
}

func (c *checker) flashEncryption() *manifest.FlashEncryption {
	if c.cfg.Security == nil {
		return nil
	}
	return c.cfg.Security.FlashEncryption
}

func (c *checker) secureBoot() *manifest.SecureBoot {
	if c.cfg.Security == nil {
		return nil
	}
	return c.cfg.Security.SecureBoot
}

// firstDiff is the first index where a and b differ, or the shorter length when one
// is a prefix of the other; -1 when equal. Equal inputs, the common case, take the
// fast path of bytes.Equal.
func firstDiff(a, b []byte) int {
	n := min(len(a), len(b))
	if bytes.Equal(a[:n], b[:n]) {
		if len(a) != len(b) {
			return n
		}
		return -1
	}
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n // unreachable: the prefixes differ
}

// erased is a run of erased flash to compare against.
var erased = bytes.Repeat([]byte{0xFF}, 4096)

// firstNotErased is the index of the first byte that is not 0xFF, or -1.
func firstNotErased(b []byte) int {
	for off := 0; off < len(b); off += len(erased) {
		chunk := b[off:min(len(b), off+len(erased))]
		if bytes.Equal(chunk, erased[:len(chunk)]) {
			continue
		}
		for i, x := range chunk {
			if x != 0xFF {
				return off + i
			}
		}
	}
	return -1
}
