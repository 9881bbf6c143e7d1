package signers

import (
	"bytes"
	"context"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/espcompose/espcompose/format/secureboot"
)

// TestHelperProcess is the external signer the Command tests run: the test binary
// re-executed with GO_WANT_SIGNER_HELPER=1. Arguments after "--" are the expanded
// argv: a program name, then flags --mode, --key, --in, --out, --hex.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("GO_WANT_SIGNER_HELPER") != "1" {
		return
	}
	code := helperMain(os.Args)
	os.Exit(code)
}

func helperMain(args []string) int {
	for len(args) > 0 && args[0] != "--" {
		args = args[1:]
	}
	if len(args) < 2 {
		fmt.Fprintln(os.Stderr, "helper: no argv")
		return 2
	}
	flags := map[string]string{}
	for a := args[2:]; len(a) >= 2; a = a[2:] {
		flags[a[0]] = a[1]
	}
	switch flags["--mode"] {
	case "fail":
		fmt.Fprintln(os.Stderr, "  token locked: retry later  ")
		return 3
	case "sleep":
		time.Sleep(time.Minute)
		return 0
	case "nosig":
		return 0
	}
	var digest []byte
	var err error
	if in := flags["--in"]; in != "" {
		// The digest must sit in a private directory.
		if st, err := os.Stat(filepath.Dir(in)); err != nil || st.Mode().Perm() != 0o700 {
			fmt.Fprintf(os.Stderr, "helper: digest directory not private: %v %v\n", st.Mode(), err)
			return 4
		}
		digest, err = os.ReadFile(in)
	} else {
		digest, err = io.ReadAll(os.Stdin)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 2
	}
	if h, ok := flags["--hex"]; ok && h != hex.EncodeToString(digest) {
		fmt.Fprintln(os.Stderr, "helper: --hex does not match the digest")
		return 5
	}
	data, err := os.ReadFile(filepath.Join(os.Getenv("SIGNER_HELPER_KEYDIR"), flags["--key"]+".pem"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 2
	}
	k, err := secureboot.ParsePrivateKeyPEM(data)
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 2
	}
	sig, err := secureboot.SignDigest(k, digest, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 2
	}
	switch flags["--mode"] {
	case "garbage":
		sig = bytes.Repeat([]byte{1}, len(sig))
	case "der":
		n := len(sig) / 2
		sig, _ = asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(sig[:n]), new(big.Int).SetBytes(sig[n:])})
	}
	if out := flags["--out"]; out != "" {
		err = os.WriteFile(out, sig, 0o600)
	} else {
		_, err = os.Stdout.Write(sig)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 2
	}
	return 0
}

// helperExec runs the test binary as the signer.
func helperExec(t *testing.T) ExecFunc {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	keys := testdataPath(t, "")
	return func(ctx context.Context, name string, arg ...string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, self, append([]string{"-test.run=^TestHelperProcess$", "--", name}, arg...)...)
		cmd.Env = append(os.Environ(), "GO_WANT_SIGNER_HELPER=1", "SIGNER_HELPER_KEYDIR="+keys)
		return cmd
	}
}

func newHelperCommand(t *testing.T, key string, argv ...string) (*Command, string) {
	t.Helper()
	tmp := t.TempDir()
	c, err := NewCommand(CommandConfig{
		Name:          key,
		Argv:          argv,
		FS:            testFS(),
		PublicKeyPath: key + ".pub.pem",
		TempDir:       tmp,
		Timeout:       20 * time.Second,
		Exec:          helperExec(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, tmp
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 0 {
		t.Errorf("private temp dir left behind: %v", ents)
	}
}

func TestCommandSigns(t *testing.T) {
	cases := map[string][]string{
		"files":        {"signer", "--key", "{key}", "--in", "{digest_file}", "--out", "{signature_file}", "--hex", "{digest_hex}"},
		"stdin-stdout": {"signer", "--key", "{key}"},
		"hex-only":     {"signer", "--key", "{key}", "--hex", "{digest_hex}"},
		"der-stdout":   {"signer", "--mode", "der", "--key", "{key}", "--in", "{digest_file}"},
	}
	for _, key := range testKeys {
		for name, argv := range cases {
			// Every key through files; the other conventions with one key each,
			// since every run starts a process.
			if name != "files" && key != "p256" {
				continue
			}
			t.Run(key+"/"+name, func(t *testing.T) {
				t.Parallel()
				c, tmp := newHelperCommand(t, key, argv...)
				signAndCheck(t, c)
				assertEmptyDir(t, tmp)
			})
		}
	}
}

func TestCommandErrors(t *testing.T) {
	ctx := context.Background()
	_, digest := digestFor(t, secureboot.SchemeECDSAP256)
	cases := []struct {
		name    string
		argv    []string
		timeout time.Duration
		want    []string
	}{
		{"exit status", []string{"signer", "--mode", "fail", "--password", "hunter2"}, 0,
			[]string{`key "p256"`, "signer signer", "exit status 3", ": token locked: retry later"}},
		{"garbage", []string{"signer", "--mode", "garbage", "--key", "{key}"}, 0,
			[]string{`key "p256"`, "does not verify"}},
		{"no signature file", []string{"signer", "--mode", "nosig", "--out", "{signature_file}"}, 0,
			[]string{"no signature file"}},
		{"no stdout", []string{"signer", "--mode", "nosig"}, 0,
			[]string{"no signature to stdout"}},
		{"timeout", []string{"signer", "--mode", "sleep"}, 300 * time.Millisecond,
			[]string{"timed out after 300ms"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, tmp := newHelperCommand(t, "p256", tc.argv...)
			if tc.timeout != 0 {
				c.cfg.Timeout = tc.timeout
			}
			_, err := c.SignDigest(ctx, digest)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error reveals an argument: %v", err)
			}
			assertEmptyDir(t, tmp)
		})
	}
}

func TestCommandConfig(t *testing.T) {
	if _, err := NewCommand(CommandConfig{Name: "k", FS: testFS(), PublicKeyPath: "p256.pub.pem"}); err == nil {
		t.Error("empty argv accepted")
	}
	if _, err := NewCommand(CommandConfig{Name: "k", Argv: []string{"x"}, FS: testFS(), PublicKeyPath: "none.pem"}); err == nil {
		t.Error("missing public key accepted")
	}
	c, _ := newHelperCommand(t, "p256", "signer")
	if _, err := c.SignDigest(context.Background(), make([]byte, 48)); err == nil || !strings.Contains(err.Error(), "32-byte") {
		t.Errorf("wrong digest size: %v", err)
	}
}

// TestCommandRealProcess runs through os/exec without the test hook.
func TestCommandRealProcess(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	c, err := NewCommand(CommandConfig{
		Name: "fw", Argv: []string{sh, "-c", "cat >/dev/null; echo 'HSM offline' >&2; exit 7"},
		FS: testFS(), PublicKeyPath: "p256.pub.pem", TempDir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	_, digest := digestFor(t, secureboot.SchemeECDSAP256)
	_, err = c.SignDigest(context.Background(), digest)
	if err == nil || !strings.Contains(err.Error(), "exit status 7: HSM offline") {
		t.Errorf("err = %v", err)
	}
}
