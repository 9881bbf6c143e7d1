package secureboot

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/espcompose/espcompose/internal/conformance"
)

const banner = "espsecure.py v4.8.1\n"

// espsecureArgs is an espsecure argv split into its subcommand, options and positionals.
type espsecureArgs struct {
	sub   string
	flags map[string][]string
	pos   []string
}

// multiFlags take one or more values (argparse nargs="+"); booleans take none.
var (
	multiFlags = map[string]bool{"--keyfile": true, "--pub-key": true, "--signature": true}
	boolFlags  = map[string]bool{"--append_signatures": true, "--append-signatures": true}
)

func parseArgv(t *testing.T, argv []string) espsecureArgs {
	t.Helper()
	i := 0
	for i < len(argv) && argv[i] != "espsecure" && !strings.HasSuffix(argv[i], "espsecure.py") {
		i++
	}
	if i+1 >= len(argv) {
		t.Fatalf("not an espsecure command: %q", argv)
	}
	a := espsecureArgs{sub: argv[i+1], flags: map[string][]string{}}
	args := argv[i+2:]
	for j := 0; j < len(args); j++ {
		arg := args[j]
		if !strings.HasPrefix(arg, "--") {
			a.pos = append(a.pos, arg)
			continue
		}
		name := strings.ReplaceAll(arg, "_", "-")
		if boolFlags[arg] {
			a.flags[name] = []string{}
			continue
		}
		if multiFlags[arg] {
			for j+1 < len(args) && !strings.HasPrefix(args[j+1], "--") {
				j++
				a.flags[name] = append(a.flags[name], args[j])
			}
			continue
		}
		if j+1 < len(args) {
			j++
			a.flags[name] = append(a.flags[name], args[j])
		}
	}
	return a
}

func (a espsecureArgs) one(name string) string {
	if v := a.flags[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (a espsecureArgs) has(name string) bool { _, ok := a.flags[name]; return ok }

type verifyEntry struct {
	Key            string `json:"key"`
	Datafile       string `json:"datafile"`
	Version        int    `json:"version"`
	ExpectedVerify bool   `json:"expected_verify"`
	ErrorMessage   string `json:"error_message"`
}

type sbCase struct {
	Verify                []verifyEntry `json:"verify"`
	SigningRandomized     bool          `json:"signing_randomized"`
	ExpectedSignatureInfo string        `json:"expected_signature_info"`
	ExpectedTextCommand   []string      `json:"expected_text_command"`
	ExpectedTextExitCode  int           `json:"expected_text_exit_code"`
}

func TestConformance(t *testing.T) {
	for _, c := range conformance.Load(t, "secureboot") {
		t.Run(c.Name, func(t *testing.T) {
			var x sbCase
			c.Decode(t, &x)
			a := parseArgv(t, c.Command)
			out, err := runCommand(t, c, a)
			switch {
			case c.ExpectedError:
				if err == nil {
					t.Fatalf("%s succeeded, want an error containing %q", a.sub, c.ErrorContains)
				}
				if !strings.Contains(err.Error(), c.ErrorContains) {
					t.Errorf("error %q does not contain %q", err, c.ErrorContains)
				}
			case err != nil:
				t.Fatalf("%s: %v", a.sub, err)
			case out != nil && !x.SigningRandomized && len(x.ExpectedTextCommand) == 0:
				if want := c.File(t, *c.Expected); !bytes.Equal(out, want) {
					t.Errorf("output differs from %s (%d vs %d bytes)", *c.Expected, len(out), len(want))
				}
			}
			if x.SigningRandomized {
				checkOwnSigning(t, c, a)
			}
			for _, v := range x.Verify {
				checkVerify(t, c, v)
			}
			if x.ExpectedSignatureInfo != "" {
				checkInfo(t, c.File(t, *c.Expected), string(c.File(t, x.ExpectedSignatureInfo)), 0)
			}
			if len(x.ExpectedTextCommand) > 0 {
				ta := parseArgv(t, x.ExpectedTextCommand)
				if ta.sub != "signature_info_v2" {
					t.Fatalf("unexpected text command %q", ta.sub)
				}
				checkInfo(t, c.File(t, ta.pos[0]), string(c.File(t, *c.Expected)), x.ExpectedTextExitCode)
			}
		})
	}
}

// runCommand performs the case's command; it returns nil output for commands whose
// result is checked elsewhere (verification, randomized signing, info text).
func runCommand(t *testing.T, c conformance.Case, a espsecureArgs) ([]byte, error) {
	t.Helper()
	switch a.sub {
	case "digest_private_key":
		k, err := ParsePrivateKeyPEM(c.File(t, a.one("--keyfile")))
		if err != nil {
			return nil, err
		}
		keyLen := 256
		if s := a.one("--keylen"); s != "" {
			keyLen, _ = strconv.Atoi(s)
		}
		return DigestPrivateKeyV1(k, keyLen)
	case "digest_sbv2_public_key", "digest_rsa_public_key":
		pub, err := ParseKeyPEM(c.File(t, a.one("--keyfile")))
		if err != nil {
			return nil, err
		}
		return DigestPublicKeyV2(pub)
	case "digest_secure_bootloader":
		return DigestSecureBootloader(c.File(t, a.one("--keyfile")), c.File(t, a.one("--iv")), c.File(t, a.pos[0]))
	case "extract_public_key":
		k, err := ParsePrivateKeyPEM(c.File(t, a.one("--keyfile")))
		if err != nil {
			return nil, err
		}
		if a.one("--version") == "1" {
			return PublicKeyV1(k.Public())
		}
		return k.Public().MarshalPEM()
	case "sign_data":
		data := c.File(t, a.pos[0])
		if a.one("--version") == "1" && a.has("--signature") {
			pub, err := ParseVerificationKeyV1(c.File(t, a.one("--pub-key")))
			if err != nil {
				return nil, err
			}
			return SignV1Precalculated(pub, data, c.File(t, a.one("--signature")))
		}
		if a.one("--version") == "1" {
			k, err := ParsePrivateKeyPEM(c.File(t, a.one("--keyfile")))
			if err != nil {
				return nil, err
			}
			return SignV1(k, data)
		}
		if a.has("--signature") {
			var pubs []*PublicKey
			var sigs [][]byte
			for i, name := range a.flags["--pub-key"] {
				pub, err := ParseKeyPEM(c.File(t, name))
				if err != nil {
					return nil, err
				}
				pubs = append(pubs, pub)
				sigs = append(sigs, c.File(t, a.flags["--signature"][i]))
			}
			return SignV2Precalculated(data, pubs, sigs, a.has("--append-signatures"))
		}
		return nil, nil // randomized: checkOwnSigning
	case "verify_signature", "signature_info_v2":
		return nil, nil
	}
	t.Fatalf("unsupported espsecure subcommand %q", a.sub)
	return nil, nil
}

func checkVerify(t *testing.T, c conformance.Case, v verifyEntry) {
	t.Helper()
	keyData, data := c.File(t, v.Key), c.File(t, v.Datafile)
	var err error
	if v.Version == 1 {
		var pub *PublicKey
		if pub, err = ParseVerificationKeyV1(keyData); err == nil {
			err = VerifyV1(pub, data)
		}
	} else {
		var pub *PublicKey
		if pub, err = ParseKeyPEM(keyData); err == nil {
			_, err = VerifyV2(data, pub)
		}
	}
	if v.ExpectedVerify {
		if err != nil {
			t.Errorf("verify %s with %s: %v", v.Datafile, v.Key, err)
		}
		return
	}
	if err == nil {
		t.Errorf("verify %s with %s succeeded, want failure", v.Datafile, v.Key)
		return
	}
	msg := strings.TrimPrefix(v.ErrorMessage, "A fatal error occurred: ")
	switch {
	case strings.Contains(msg, "image digest does not match"):
		if !errors.Is(err, ErrDigestMismatch) {
			t.Errorf("verify %s: %v, want ErrDigestMismatch", v.Datafile, err)
		}
	case msg != "" && !strings.Contains(err.Error(), msg):
		t.Errorf("verify %s: error %q does not contain %q", v.Datafile, err, msg)
	}
}

// checkInfo compares signature_info_v2 output (banner, body, fatal error) with want.
func checkInfo(t *testing.T, image []byte, want string, exitCode int) {
	t.Helper()
	body, err := SignatureInfoV2(image)
	got := banner + body
	if err != nil {
		got += "\nA fatal error occurred: " + SignatureInfoError(err) + "\n"
	}
	if (err != nil) != (exitCode != 0) {
		t.Errorf("signature info error %v, reference exit code %d", err, exitCode)
	}
	if got != want {
		t.Errorf("signature info text:\n%s\nwant:\n%s", got, want)
	}
}

// checkOwnSigning signs the case's input with our deterministic signer: the content must
// equal the reference's, the signature info text must match the reference's signed.bin,
// and our verifier must accept it with each key and reject a corrupted copy.
func checkOwnSigning(t *testing.T, c conformance.Case, a espsecureArgs) {
	t.Helper()
	if a.sub != "sign_data" || a.one("--version") != "2" {
		t.Fatalf("randomized case with command %q", a.sub)
	}
	var keys []*PrivateKey
	for _, name := range a.flags["--keyfile"] {
		k, err := ParsePrivateKeyPEM(c.File(t, name))
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	signed, err := SignV2(c.File(t, a.pos[0]), keys, SignOptions{Append: a.has("--append-signatures")})
	if err != nil {
		t.Fatal(err)
	}
	ref := c.File(t, a.one("--output"))
	if len(ref) != len(signed) || !bytes.Equal(ref[:len(ref)-SectorSize], signed[:len(signed)-SectorSize]) {
		t.Errorf("signed content differs from the reference %s", a.one("--output"))
	}
	refInfo, refErr := SignatureInfoV2(ref)
	ourInfo, ourErr := SignatureInfoV2(signed)
	if refErr != nil || ourErr != nil || refInfo != ourInfo {
		t.Errorf("signature info of our output:\n%s(%v)\nreference:\n%s(%v)", ourInfo, ourErr, refInfo, refErr)
	}
	again, err := SignV2(c.File(t, a.pos[0]), keys, SignOptions{Append: a.has("--append-signatures")})
	if err != nil || !bytes.Equal(again, signed) {
		t.Errorf("deterministic signing is not reproducible (%v)", err)
	}
	for i, k := range keys {
		st, err := VerifyV2(signed, k.Public())
		if err != nil || !st[i].Verified {
			t.Errorf("our signature with key %d does not verify: %v", i, err)
		}
		corrupt := bytes.Clone(signed)
		corrupt[len(corrupt)/3] ^= 1
		if _, err := VerifyV2(corrupt, k.Public()); err == nil {
			t.Errorf("corrupted image verifies with key %d", i)
		}
	}
}
