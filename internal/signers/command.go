package signers

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/stages"
)

// Placeholders expanded in a Command's argv, anywhere inside an argument.
const (
	PlaceholderDigestFile    = "{digest_file}"    // file holding the raw digest
	PlaceholderSignatureFile = "{signature_file}" // file the command writes the raw signature to
	PlaceholderDigestHex     = "{digest_hex}"     // the digest as lowercase hex
	PlaceholderKey           = "{key}"            // the manifest key name
)

// DefaultCommandTimeout bounds one run of an external signer.
const DefaultCommandTimeout = 2 * time.Minute

// maxOutput caps what is kept of a signer's stdout and stderr: a signature is at
// most a few hundred bytes, and a runaway process must not exhaust memory.
const maxOutput = 64 << 10

// ExecFunc builds the process for an external signer; exec.CommandContext is the
// default. Tests substitute one that runs a helper.
type ExecFunc func(ctx context.Context, name string, arg ...string) *exec.Cmd

// CommandConfig configures an external signer.
type CommandConfig struct {
	Name string   // manifest key name, for {key} and messages
	Argv []string // program and arguments, with placeholders

	FS            afero.Fs // where PublicKeyPath is read
	PublicKeyPath string   // SubjectPublicKeyInfo PEM of the signing key

	Dir     string        // working directory; "" runs in the private temp dir
	TempDir string        // parent of the private temp dir; "" is os.TempDir()
	Timeout time.Duration // per run; 0 is DefaultCommandTimeout
	Exec    ExecFunc      // nil is exec.CommandContext
	// Env is added to the environment the command inherits (KEY=value; a key given
	// here wins). The CLI passes ESPCOMPOSE naming its own executable, so a signer
	// script can call `espcompose sign-digest` under `go run` or off PATH.
	Env []string
}

// Command signs by running an external program once per digest. Without a
// {digest_file} placeholder the raw digest is written to its stdin; without a
// {signature_file} placeholder the raw signature is read from its stdout.
type Command struct {
	cfg CommandConfig
	pub *secureboot.PublicKey
}

var _ stages.Signer = (*Command)(nil)

// NewCommand checks cfg and reads the public key.
func NewCommand(cfg CommandConfig) (*Command, error) {
	if len(cfg.Argv) == 0 || cfg.Argv[0] == "" {
		return nil, fmt.Errorf("key %q: signer command is empty", cfg.Name)
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("key %q: negative signer timeout", cfg.Name)
	}
	pub, err := readPublicKey(cfg.FS, cfg.Name, cfg.PublicKeyPath)
	if err != nil {
		return nil, err
	}
	cfg.Argv = append([]string(nil), cfg.Argv...)
	return &Command{cfg: cfg, pub: pub}, nil
}

// PublicKey returns the verification key.
func (c *Command) PublicKey() (*secureboot.PublicKey, error) { return c.pub, nil }

// String names the signer by program only: arguments may carry credentials.
func (c *Command) String() string {
	return fmt.Sprintf("external signer %s for key %q", filepath.Base(c.cfg.Argv[0]), c.cfg.Name)
}

func (c *Command) uses(placeholder string) bool {
	for _, a := range c.cfg.Argv {
		if strings.Contains(a, placeholder) {
			return true
		}
	}
	return false
}

// SignDigest runs the command on digest and verifies what it returns.
func (c *Command) SignDigest(ctx context.Context, digest []byte) ([]byte, error) {
	if err := checkDigest(c.cfg.Name, c.pub, digest); err != nil {
		return nil, err
	}
	sig, err := c.run(ctx, digest)
	if err != nil {
		return nil, err
	}
	return verified(c.cfg.Name, "external", c.pub, digest, sig)
}

func (c *Command) run(ctx context.Context, digest []byte) ([]byte, error) {
	prog := filepath.Base(c.cfg.Argv[0])
	fail := func(format string, a ...any) error {
		return fmt.Errorf("key %q: signer %s: %s", c.cfg.Name, prog, fmt.Sprintf(format, a...))
	}
	tmp, err := os.MkdirTemp(c.cfg.TempDir, "espcompose-sign-")
	if err != nil {
		return nil, fail("%v", err)
	}
	defer os.RemoveAll(tmp)
	// MkdirTemp already uses 0700; state it so the umask or a platform default
	// cannot widen it.
	if err := os.Chmod(tmp, 0o700); err != nil {
		return nil, fail("%v", err)
	}
	digestFile := filepath.Join(tmp, "digest.bin")
	sigFile := filepath.Join(tmp, "signature.bin")
	useDigestFile, useSigFile := c.uses(PlaceholderDigestFile), c.uses(PlaceholderSignatureFile)
	if useDigestFile {
		if err := os.WriteFile(digestFile, digest, 0o600); err != nil {
			return nil, fail("%v", err)
		}
	}
	r := strings.NewReplacer(
		PlaceholderDigestFile, digestFile,
		PlaceholderSignatureFile, sigFile,
		PlaceholderDigestHex, hex.EncodeToString(digest),
		PlaceholderKey, c.cfg.Name,
	)
	argv := make([]string, len(c.cfg.Argv))
	for i, a := range c.cfg.Argv {
		argv[i] = r.Replace(a)
	}

	timeout := c.cfg.Timeout
	if timeout == 0 {
		timeout = DefaultCommandTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	run := c.cfg.Exec
	if run == nil {
		run = exec.CommandContext
	}
	cmd := run(ctx, argv[0], argv[1:]...)
	cmd.Dir = c.cfg.Dir
	if len(c.cfg.Env) > 0 {
		// exec keeps the last value of a duplicated key, so these override.
		cmd.Env = append(cmd.Environ(), c.cfg.Env...)
	}
	if cmd.Dir == "" {
		cmd.Dir = tmp
	}
	if !useDigestFile {
		cmd.Stdin = bytes.NewReader(digest)
	}
	stdout := &capped{max: maxOutput}
	stderr := &capped{max: maxOutput}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// A grandchild still holding the pipes must not keep us waiting past the kill.
	if cmd.WaitDelay == 0 {
		cmd.WaitDelay = 5 * time.Second
	}

	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		switch {
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			return nil, fail("timed out after %v%s", timeout, stderrDetail(stderr))
		case ctx.Err() != nil:
			return nil, fail("%v%s", context.Cause(ctx), stderrDetail(stderr))
		case errors.As(err, &ee):
			return nil, fail("%v%s", ee.ProcessState, stderrDetail(stderr))
		default:
			return nil, fail("%v", err)
		}
	}
	if !useSigFile {
		if stdout.overflow {
			return nil, fail("wrote more than %d bytes to stdout; expected a raw signature", maxOutput)
		}
		if stdout.buf.Len() == 0 {
			return nil, fail("wrote no signature to stdout%s", stderrDetail(stderr))
		}
		return stdout.buf.Bytes(), nil
	}
	info, err := os.Stat(sigFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fail("exited successfully but wrote no signature file%s", stderrDetail(stderr))
	}
	if err != nil {
		return nil, fail("%v", err)
	}
	if info.Size() > maxOutput {
		return nil, fail("signature file is %d bytes; expected a raw signature", info.Size())
	}
	sig, err := os.ReadFile(sigFile)
	if err != nil {
		return nil, fail("%v", err)
	}
	if len(sig) == 0 {
		return nil, fail("signature file is empty%s", stderrDetail(stderr))
	}
	return sig, nil
}

// stderrDetail formats the signer's own diagnostics for an error message.
func stderrDetail(c *capped) string {
	s := strings.TrimSpace(strings.ToValidUTF8(c.buf.String(), "\uFFFD"))
	if s == "" {
		return ""
	}
	const limit = 2000
	if len(s) > limit {
		s = strings.ToValidUTF8(s[:limit], "") + " …"
	}
	return ": " + s
}

// capped is an io.Writer keeping only the first max bytes; it never fails, so the
// child is not killed by a broken pipe for being chatty.
type capped struct {
	buf      bytes.Buffer
	max      int
	overflow bool
}

func (c *capped) Write(p []byte) (int, error) {
	n := len(p)
	if room := c.max - c.buf.Len(); len(p) > room {
		p = p[:room]
		c.overflow = true
	}
	c.buf.Write(p)
	return n, nil
}
