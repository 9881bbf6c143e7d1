package main

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	mathrand "math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/internal/conformance"
)

// espsecureArgv is an espsecure command line split into subcommand, options and
// positionals. Options with several values (argparse nargs="+") keep them all.
type espsecureArgv struct {
	sub   string
	flags map[string][]string
	pos   []string
}

func parseEspsecure(t *testing.T, argv []string) espsecureArgv {
	t.Helper()
	multi := map[string]bool{"--keyfile": true, "--pub-key": true, "--signature": true}
	boolean := map[string]bool{"--aes-xts": true, "--append-signatures": true}
	i := 0
	for i < len(argv) && argv[i] != "espsecure" && !strings.HasSuffix(argv[i], "espsecure.py") {
		i++
	}
	if i+1 >= len(argv) {
		t.Fatalf("not an espsecure command: %q", argv)
	}
	a := espsecureArgv{sub: argv[i+1], flags: map[string][]string{}}
	rest := argv[i+2:]
	for j := 0; j < len(rest); j++ {
		if !strings.HasPrefix(rest[j], "--") {
			a.pos = append(a.pos, rest[j])
			continue
		}
		name := strings.ReplaceAll(rest[j], "_", "-")
		switch {
		case boolean[name]:
			a.flags[name] = []string{}
		case multi[name]:
			for j+1 < len(rest) && !strings.HasPrefix(rest[j+1], "--") {
				j++
				a.flags[name] = append(a.flags[name], rest[j])
			}
		case j+1 < len(rest):
			j++
			a.flags[name] = append(a.flags[name], rest[j])
		}
	}
	return a
}

func (a espsecureArgv) one(name string) string {
	if v := a.flags[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (a espsecureArgv) has(name string) bool { _, ok := a.flags[name]; return ok }

// flashCryptArgs translates encrypt_flash_data / decrypt_flash_data to espcompose.
func flashCryptArgs(t *testing.T, argv []string, out string) (args []string, in string) {
	t.Helper()
	a := parseEspsecure(t, argv)
	verb := strings.TrimSuffix(a.sub, "_flash_data")
	if verb != "encrypt" && verb != "decrypt" || len(a.pos) != 1 {
		t.Fatalf("unexpected flash encryption command %q", argv)
	}
	args = []string{verb, "--key", "case/" + a.one("--keyfile"), "--address", a.one("--address")}
	// espsecure ignores FLASH_CRYPT_CONFIG for XTS-AES; espcompose refuses it there.
	if c := a.one("--flash-crypt-conf"); c != "" && !a.has("--aes-xts") {
		args = append(args, "--flash-crypt-conf", c)
	}
	if a.has("--aes-xts") {
		args = append(args, "--aes-xts")
	}
	return append(args, "case/"+a.pos[0], out), a.pos[0]
}

// chipFor names a chip whose hardware uses the same scheme espsecure picked, so the
// --chip path is exercised too; "" when no chip has that combination.
func chipFor(xts bool, keyLen int) string {
	switch {
	case !xts && (keyLen == 24 || keyLen == 32):
		return "esp32"
	case xts && keyLen == 16:
		return "esp32c2"
	case xts && keyLen == 32:
		return "esp32c3"
	case xts && keyLen == 64:
		return "esp32s3"
	}
	return ""
}

func TestFlashEncryptionConformance(t *testing.T) {
	for _, c := range conformance.Load(t, "flashenc") {
		t.Run(c.Name, func(t *testing.T) {
			fs := caseFS(t, c)
			args, in := flashCryptArgs(t, c.Command, "out/enc.bin")
			code, stdout, stderr := runCLI(t, fs, nil, args...)
			if c.ExpectedError {
				if code != exitUsage || !strings.Contains(stderr, c.ErrorContains) {
					t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, stderr, c.ErrorContains)
				}
				if memExists(fs, "out/enc.bin") {
					t.Errorf("failed command left output behind")
				}
				return
			}
			if code != 0 || stdout != "" {
				t.Fatalf("%q: exit %d, stdout %q: %s", args, code, stdout, stderr)
			}
			want := c.File(t, *c.Expected)
			if got := readMem(t, fs, "out/enc.bin"); !bytes.Equal(got, want) {
				t.Fatalf("ciphertext differs from %s", *c.Expected)
			}
			var x struct {
				Decrypt []string `json:"decrypt_command"`
			}
			c.Decode(t, &x)
			if len(x.Decrypt) > 0 {
				dargs, _ := flashCryptArgs(t, x.Decrypt, "out/dec.bin")
				if code, _, stderr := runCLI(t, fs, nil, dargs...); code != 0 {
					t.Fatalf("%q: %s", dargs, stderr)
				}
				if !bytes.Equal(readMem(t, fs, "out/dec.bin"), c.File(t, in)) {
					t.Errorf("decrypting %s does not give %s back", *c.Expected, in)
				}
			}
			// The same scheme reached through a chip name gives the same bytes.
			a := parseEspsecure(t, c.Command)
			chip := chipFor(a.has("--aes-xts"), len(readMem(t, fs, "case/"+a.one("--keyfile"))))
			if chip == "" {
				return
			}
			var cargs []string
			for _, s := range args {
				if s != "--aes-xts" {
					cargs = append(cargs, s)
				}
			}
			cargs[len(cargs)-1] = "out/chip.bin"
			cargs = append(cargs, "--chip", chip)
			if code, _, stderr := runCLI(t, fs, nil, cargs...); code != 0 {
				t.Fatalf("%q: %s", cargs, stderr)
			}
			if !bytes.Equal(readMem(t, fs, "out/chip.bin"), want) {
				t.Errorf("--chip %s output differs from %s", chip, *c.Expected)
			}
		})
	}
}

type sbVerify struct {
	Key            string `json:"key"`
	Datafile       string `json:"datafile"`
	Version        int    `json:"version"`
	ExpectedVerify bool   `json:"expected_verify"`
}

type sbCaseInfo struct {
	Verify               []sbVerify `json:"verify"`
	SigningRandomized    bool       `json:"signing_randomized"`
	ExpectedTextCommand  []string   `json:"expected_text_command"`
	ExpectedTextExitCode int        `json:"expected_text_exit_code"`
}

// secureBootArgs translates an espsecure command to espcompose; out is where the
// espcompose output goes. ok is false for commands espcompose has no equivalent of.
func secureBootArgs(t *testing.T, a espsecureArgv, out string) (args []string, ok bool) {
	t.Helper()
	switch a.sub {
	case "digest_private_key":
		args = []string{"digest-pubkey", "--version", "1", "--key", "case/" + a.one("--keyfile")}
		if kl := a.one("--keylen"); kl != "" {
			args = append(args, "--keylen", kl)
		}
		return append(args, out), true
	case "digest_sbv2_public_key", "digest_rsa_public_key":
		return []string{"digest-pubkey", "--key", "case/" + a.one("--keyfile"), out}, true
	case "sign_data":
		args = []string{"sign", "--version", a.one("--version")}
		for _, k := range a.flags["--keyfile"] {
			args = append(args, "--key", "case/"+k)
		}
		for i, p := range a.flags["--pub-key"] {
			args = append(args, "--pub-key", "case/"+p, "--signature", "case/"+a.flags["--signature"][i])
		}
		if a.has("--append-signatures") {
			args = append(args, "--append")
		}
		return append(args, "case/"+a.pos[0], out), true
	}
	return nil, false
}

func TestSecureBootConformance(t *testing.T) {
	for _, c := range conformance.Load(t, "secureboot") {
		t.Run(c.Name, func(t *testing.T) {
			fs := caseFS(t, c)
			var x sbCaseInfo
			c.Decode(t, &x)
			a := parseEspsecure(t, c.Command)
			ran := false
			if a.sub != "verify_signature" && a.sub != "signature_info_v2" {
				args, ok := secureBootArgs(t, a, "out/result.bin")
				if !ok {
					t.Skipf("espcompose has no command for espsecure %s", a.sub)
				}
				ran = true
				code, stdout, stderr := runCLI(t, fs, nil, args...)
				switch {
				case c.ExpectedError:
					if code == 0 || !strings.Contains(stderr, c.ErrorContains) {
						t.Errorf("%q: exit %d, stderr %q; want failure with %q", args, code, stderr, c.ErrorContains)
					}
					if memExists(fs, "out/result.bin") {
						t.Errorf("failed command left output behind")
					}
					return
				case code != 0 || stdout != "":
					t.Fatalf("%q: exit %d, stdout %q: %s", args, code, stdout, stderr)
				case x.SigningRandomized:
					checkOwnSignature(t, fs, c, a, x, args)
				default:
					if got, want := readMem(t, fs, "out/result.bin"), c.File(t, *c.Expected); !bytes.Equal(got, want) {
						t.Errorf("%q output differs from %s (%d vs %d bytes)", args, *c.Expected, len(got), len(want))
					}
				}
				if a.sub == "digest_private_key" {
					if st, err := fs.Stat("out/result.bin"); err != nil || st.Mode().Perm() != 0o600 {
						t.Errorf("V1 key digest mode %v (%v), want 0600", st.Mode().Perm(), err)
					}
				}
			}
			for _, v := range x.Verify {
				ran = true
				args := []string{"verify", "--version", strconv.Itoa(v.Version), "--key", "case/" + v.Key, "case/" + v.Datafile}
				code, stdout, stderr := runCLI(t, fs, nil, args...)
				if v.ExpectedVerify != (code == 0) {
					t.Errorf("%q: exit %d, want verified=%v\n%s%s", args, code, v.ExpectedVerify, stdout, stderr)
				}
				if !v.ExpectedVerify && (code == 0 || stderr == "") {
					t.Errorf("%q: a failed verification must exit non-zero with a message", args)
				}
			}
			if len(x.ExpectedTextCommand) > 0 {
				ran = true
				checkInfoText(t, fs, c, x)
			}
			if !ran {
				t.Skipf("nothing to run for espsecure %s", a.sub)
			}
		})
	}
}

// checkInfoText runs verify on the signature_info_v2 command's file and checks that it
// starts with the reference's listing (without the banner and fatal-error trailer).
func checkInfoText(t *testing.T, fs afero.Fs, c conformance.Case, x sbCaseInfo) {
	t.Helper()
	ta := parseEspsecure(t, x.ExpectedTextCommand)
	file := ta.pos[0]
	key := ""
	for _, v := range x.Verify {
		if v.Datafile == file {
			key = v.Key
			break
		}
	}
	if key == "" {
		return
	}
	want := string(c.File(t, *c.Expected))
	want = want[strings.Index(want, "\n")+1:] // banner
	if i := strings.Index(want, "\nA fatal error occurred"); i >= 0 {
		want = want[:i]
	}
	args := []string{"verify", "--version", "2", "--key", "case/" + key, "case/" + file}
	code, stdout, _ := runCLI(t, fs, nil, args...)
	if !strings.HasPrefix(stdout, want) {
		t.Errorf("%q stdout:\n%s\nwant it to start with:\n%s", args, stdout, want)
	}
	if x.ExpectedTextExitCode != 0 && code == 0 {
		t.Errorf("%q: exit 0, the reference's listing failed", args)
	}
}

// checkOwnSignature covers cases whose reference signature is randomized: our
// deterministic signature of the same input has the same content, verifies with every
// key, is reproducible, and lists the same key digests as the reference.
func checkOwnSignature(t *testing.T, fs afero.Fs, c conformance.Case, a espsecureArgv, x sbCaseInfo, args []string) {
	t.Helper()
	ours := readMem(t, fs, "out/result.bin")
	ref := readMem(t, fs, "case/"+a.one("--output"))
	if len(ours) != len(ref) || !bytes.Equal(ours[:len(ours)-secureboot.SectorSize], ref[:len(ref)-secureboot.SectorSize]) {
		t.Errorf("signed content differs from the reference %s", a.one("--output"))
	}
	args2 := append([]string(nil), args...)
	args2[len(args2)-1] = "out/again.bin"
	if code, _, stderr := runCLI(t, fs, nil, args2...); code != 0 || !bytes.Equal(readMem(t, fs, "out/again.bin"), ours) {
		t.Errorf("signing twice gives different bytes (%s)", stderr)
	}
	var refInfo, ourInfo string
	for i, k := range a.flags["--keyfile"] {
		_, refOut, _ := runCLI(t, fs, nil, "verify", "--key", "case/"+k, "case/"+a.one("--output"))
		code, out, stderr := runCLI(t, fs, nil, "verify", "--key", "case/"+k, "out/result.bin")
		if code != 0 {
			t.Errorf("our signature does not verify with %s: %s", k, stderr)
		}
		if i == 0 {
			refInfo = strings.ReplaceAll(refOut, "case/"+a.one("--output"), "IMAGE")
			ourInfo = strings.ReplaceAll(out, "out/result.bin", "IMAGE")
		}
	}
	if refInfo != ourInfo {
		t.Errorf("verify listing of our image:\n%s\nreference:\n%s", ourInfo, refInfo)
	}
	corrupt := bytes.Clone(ours)
	corrupt[len(corrupt)/3] ^= 1
	if err := afero.WriteFile(fs, "out/corrupt.bin", corrupt, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, k := range a.flags["--keyfile"] {
		if code, _, _ := runCLI(t, fs, nil, "verify", "--key", "case/"+k, "out/corrupt.bin"); code == 0 {
			t.Errorf("corrupted image verifies with %s", k)
		}
	}
}

// Fixed test keys, generated once with openssl; they guard nothing.
const (
	testECKey = `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIP326ZOL2r8nrSLG9S+X1lWi+YEzQdOY32519MAQiNIioAoGCCqGSM49
AwEHoUQDQgAEDsHrhOOvkn1V2KIaPeFttETv/FxRfa0yIZMLn/JG8YAMRz1PwLGj
6vedbumfg0HW7tuofDq9YsHXK92brGiVTg==
-----END EC PRIVATE KEY-----
`
	testECKey2 = `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIKIZ0Ezoq+Mtp3wqnzLsU7jc0Hf+hQdy1VjFMFB0T0YooAoGCCqGSM49
AwEHoUQDQgAEJlNwIxg011LxzWGxvDClHSIcruR+937SQbDOSKiTHUzbNugyBO6k
e9S2EzHjXy57oqwE20acOmfrF1KIyG204Q==
-----END EC PRIVATE KEY-----
`
)

func writeMemFiles(t *testing.T, fs afero.Fs, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		if err := afero.WriteFile(fs, name, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSecurityBadInput(t *testing.T) {
	key16 := bytes.Repeat([]byte{0x11}, 16)
	key32 := bytes.Repeat([]byte{0x22}, 32)
	plain := bytes.Repeat([]byte{0x33}, 64)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"wrong key length", []string{"encrypt", "--chip", "esp32c3", "--key", "k16.bin", "--address", "0x10000", "plain.bin", "out.bin"},
			exitUsage, "espcompose: --key k16.bin: flashenc: wrong key length: esp32c3 key has wrong length (16 bytes), 32 expected\n"},
		{"unknown chip", []string{"encrypt", "--chip", "esp99", "--key", "k32.bin", "--address", "0x10000", "plain.bin", "out.bin"},
			exitUsage, "espcompose: --chip: flashenc: unknown chip: \"esp99\"\n"},
		{"misaligned address", []string{"decrypt", "--chip", "esp32", "--key", "k32.bin", "--address", "0x10008", "plain.bin", "out.bin"},
			exitUsage, "espcompose: --address 0x10008: flashenc: bad flash address: starting flash address 0x10008 must be a multiple of 16\n"},
		{"key file missing", []string{"encrypt", "--chip", "esp32", "--key", "nokey.bin", "--address", "0x10000", "plain.bin", "out.bin"},
			exitUsage, "espcompose: read nokey.bin: file does not exist\n"},
		{"xts on esp32", []string{"encrypt", "--chip", "esp32", "--aes-xts", "--key", "k32.bin", "--address", "0", "plain.bin", "out.bin"},
			exitUsage, "espcompose: --aes-xts: esp32 uses ESP32 AES-256, not XTS-AES\n"},
		{"crypt conf with xts", []string{"encrypt", "--chip", "esp32c3", "--flash-crypt-conf", "0x3", "--key", "k32.bin", "--address", "0", "plain.bin", "out.bin"},
			exitUsage, "espcompose: --flash-crypt-conf applies only to the ESP32 AES-256 scheme, not XTS-AES-128\n"},
		{"crypt conf range", []string{"encrypt", "--flash-crypt-conf", "0x10", "--key", "k32.bin", "--address", "0", "plain.bin", "out.bin"},
			exitUsage, "espcompose: --flash-crypt-conf: \"0x10\" is not a value in 0x0..0xF\n"},
		{"sign key missing", []string{"sign", "--key", "none.pem", "plain.bin", "out.bin"},
			exitUsage, "espcompose: read none.pem: file does not exist\n"},
		{"sign not a key", []string{"sign", "--key", "k32.bin", "plain.bin", "out.bin"},
			exitUsage, "espcompose: --key k32.bin: "},
		{"sign unpaired", []string{"sign", "--pub-key", "ec.pem", "plain.bin", "out.bin"},
			exitUsage, "espcompose: --pub-key and --signature come in pairs (1 --pub-key, 0 --signature)\n"},
		{"sign four keys", []string{"sign", "--key", "ec.pem", "--key", "ec.pem", "--key", "ec.pem", "--key", "ec.pem", "plain.bin", "out.bin"},
			exitUsage, "espcompose: at most 3 keys or signatures, got 4\n"},
		{"digest secret to stdout", []string{"digest-pubkey", "--version", "1", "--key", "ec.pem", "-"},
			exitUsage, "espcompose: refusing to write the V1 key digest (a secret eFuse key) to stdout\n"},
		{"verify unsigned", []string{"verify", "--key", "ec.pem", "plain.bin"},
			exitUsage, "espcompose: plain.bin: secureboot: not sector aligned: Invalid datafile. Data size should be non-zero & a multiple of 4096 (got 64 bytes)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := afero.NewMemMapFs()
			writeMemFiles(t, fs, map[string][]byte{"k16.bin": key16, "k32.bin": key32, "plain.bin": plain, "ec.pem": []byte(testECKey)})
			code, stdout, stderr := runCLI(t, fs, nil, tt.args...)
			match := stderr == tt.want
			if !strings.HasSuffix(tt.want, "\n") {
				match = strings.HasPrefix(stderr, tt.want)
			}
			if code != tt.code || !match || stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q\nwant exit %d, stderr %q", code, stdout, stderr, tt.code, tt.want)
			}
			if memExists(fs, "out.bin") {
				t.Errorf("out.bin written although the command failed")
			}
		})
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	fs := afero.NewMemMapFs()
	image := bytes.Repeat([]byte{0x5A}, 5000)
	writeMemFiles(t, fs, map[string][]byte{"ec.pem": []byte(testECKey), "other.pem": []byte(testECKey2), "image.bin": image})
	if code, _, stderr := runCLI(t, fs, nil, "sign", "--version", "1", "--key", "ec.pem", "image.bin", "v1.bin"); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, _ := runCLI(t, fs, nil, "verify", "--version", "1", "--key", "ec.pem", "v1.bin")
	if code != 0 || stdout != "v1.bin: V1 signature verified with ec.pem\n" {
		t.Errorf("V1 verify: exit %d, %q", code, stdout)
	}
	if code, _, stderr := runCLI(t, fs, nil, "sign", "--key", "ec.pem", "image.bin", "v2.bin"); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, _ = runCLI(t, fs, nil, "verify", "--key", "ec.pem", "v2.bin")
	if code != 0 || !strings.Contains(stdout, "block 0: ecdsa256, verifies with the given key\n") ||
		!strings.HasSuffix(stdout, "v2.bin: signature block 0 verified with ec.pem\n") {
		t.Errorf("V2 verify: exit %d\n%s", code, stdout)
	}
	// The wrong key: non-zero exit, espsecure's message, and the listing says so.
	code, stdout, stderr := runCLI(t, fs, nil, "verify", "--key", "other.pem", "v2.bin")
	want := "espcompose: v2.bin: secureboot: invalid signature: Checked all blocks. Signature could not be verified with the provided key.\n"
	if code != exitFailure || stderr != want || !strings.Contains(stdout, "block 0: ecdsa256, does not verify with the given key\n") {
		t.Errorf("wrong key: exit %d, stderr %q\n%s", code, stderr, stdout)
	}
	code, _, stderr = runCLI(t, fs, nil, "verify", "--version", "1", "--key", "other.pem", "v1.bin")
	if want := "espcompose: v1.bin: secureboot: invalid signature: Signature is not valid\n"; code != exitFailure || stderr != want {
		t.Errorf("V1 wrong key: exit %d, stderr %q", code, stderr)
	}
	// --append adds a block for a second key after the first.
	if code, _, stderr := runCLI(t, fs, nil, "sign", "--append", "--key", "other.pem", "v2.bin", "v2b.bin"); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, _ = runCLI(t, fs, nil, "verify", "--json", "--key", "other.pem", "v2b.bin")
	if code != 0 || !strings.Contains(stdout, `"verified": true`) || strings.Count(stdout, `"present": true`) != 2 {
		t.Errorf("appended signature: exit %d\n%s", code, stdout)
	}
}

// TestNoKeyBytesPrinted runs every command that handles key material, successful and
// failing, and checks that no key bytes reach stdout or stderr in any encoding.
func TestNoKeyBytesPrinted(t *testing.T) {
	fs := sampleFS(t)
	hmacKey := bytes.Repeat([]byte{0xC3, 0x5A, 0x17, 0x9E}, 8)
	flashKey := []byte("0123456789abcdefFEDCBA9876543210")
	flashKey64 := append(bytes.Clone(flashKey), []byte("ghijklmnopqrstuvGHIJKLMNOPQRSTUV")...)
	fixedKeys, _ := nvs.KeysFromBytes(bytes.Repeat([]byte{0x6B, 0xE1}, 32))
	writeMemFiles(t, fs, map[string][]byte{
		"hmac.bin": hmacKey, "flash.bin": flashKey, "flash64.bin": flashKey64, "ec.pem": []byte(testECKey),
		"nvs_keys.bin": fixedKeys.MarshalPartition(), "plain.bin": bytes.Repeat([]byte{1}, 4096),
	})
	derived, _ := nvs.DeriveHMACKeys(hmacKey)
	random, _ := nvs.GenerateKeys(mathrand.NewChaCha8([32]byte{9}))
	ecKey, err := secureboot.ParsePrivateKeyPEM([]byte(testECKey))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode([]byte(testECKey))
	secrets := [][]byte{hmacKey, flashKey, flashKey64, fixedKeys.Bytes(), derived.Bytes(), random.Bytes(),
		ecKey.D.FillBytes(make([]byte, 32)), block.Bytes}
	v1digest, _ := secureboot.DigestPrivateKeyV1(ecKey, 256)
	secrets = append(secrets, v1digest)

	runs := [][]string{
		{"nvs", "encode", "in/input.csv", "o1.bin", "--size", "0x3000", "--hmac-key", "hmac.bin", "--keys-out", "k1.bin"},
		{"nvs", "encode", "in/input.csv", "o2.bin", "--size", "0x3000", "--keys-out", "k2.bin", "-v"},
		{"nvs", "encode", "in/input.csv", "o3.bin", "--size", "0x3000", "--keyfile", "nvs_keys.bin"},
		{"nvs", "encode", "in/input.csv", "o4.bin", "--size", "0x3000", "--keys-out", "k2.bin"},
		{"nvs", "encode", "in/input.csv", "-", "--size", "0x3000", "--keys-out", "-"},
		{"nvs", "decode", "o1.bin", "--hmac-key", "hmac.bin"},
		{"nvs", "decode", "o1.bin", "--hmac-key", "hmac.bin", "--json"},
		{"nvs", "decode", "o3.bin", "--keyfile", "nvs_keys.bin", "--json"},
		{"nvs", "decode", "o3.bin", "--keyfile", "k1.bin"},
		{"nvs", "decode", "o1.bin", "--keyfile", "flash.bin"},
		{"nvs", "keygen", "k3.bin", "--hmac-key", "hmac.bin"},
		{"nvs", "keygen", "-"},
		{"encrypt", "--chip", "esp32", "--key", "flash.bin", "--address", "0x1000", "plain.bin", "e1.bin"},
		{"encrypt", "--chip", "esp32c3", "--key", "flash64.bin", "--address", "0x1000", "plain.bin", "e2.bin"},
		{"decrypt", "--chip", "esp32s3", "--key", "flash64.bin", "--address", "0x1001", "plain.bin", "e3.bin"},
		{"encrypt", "--aes-xts", "--key", "hmac.bin", "--address", "0x1000", "plain.bin", "-"},
		{"sign", "--version", "1", "--key", "ec.pem", "plain.bin", "s1.bin"},
		{"sign", "--key", "ec.pem", "plain.bin", "s2.bin"},
		{"sign", "--key", "ec.pem", "--key", "ec.pem", "--key", "ec.pem", "--key", "ec.pem", "plain.bin", "s3.bin"},
		{"sign", "--key", "flash.bin", "plain.bin", "s4.bin"},
		{"verify", "--key", "ec.pem", "s2.bin"},
		{"verify", "--key", "ec.pem", "--json", "s2.bin"},
		{"verify", "--version", "1", "--key", "ec.pem", "s1.bin"},
		{"verify", "--key", "ec.pem", "plain.bin"},
		{"digest-pubkey", "--key", "ec.pem", "-"},
		{"digest-pubkey", "--version", "1", "--key", "ec.pem", "d1.bin"},
		{"digest-pubkey", "--version", "1", "--key", "ec.pem", "-"},
		{"digest-pubkey", "--version", "1", "--keylen", "192", "--key", "flash.bin", "d2.bin"},
	}
	// The detector itself must see a spaced hex dump and raw bytes.
	if !leaks("x: "+strings.ToUpper(hex.EncodeToString(hmacKey[3:13]))+"\n", hmacKey) || !leaks(string(flashKey[5:14]), flashKey) ||
		!leaks("ab cd "+spacedHex(derived.Bytes()[20:30]), derived.Bytes()) {
		t.Fatal("leak detector misses key bytes")
	}
	for _, args := range runs {
		_, stdout, stderr := runWithRand(t, fs, mathrand.NewChaCha8([32]byte{9}), args...)
		out := stdout + stderr
		for _, s := range secrets {
			if leaks(out, s) {
				t.Errorf("%q printed key material:\n%s", args, out)
			}
		}
	}
}

func spacedHex(b []byte) string {
	parts := make([]string, len(b))
	for i, v := range b {
		parts[i] = hex.EncodeToString([]byte{v})
	}
	return strings.Join(parts, " ")
}

// leaks reports whether out holds any 8-byte window of secret, raw, in hex (either
// case) or in base64.
func leaks(out string, secret []byte) bool {
	lower := strings.ToLower(out)
	compact := strings.NewReplacer(" ", "", "\n", "", ":", "").Replace(lower)
	for i := 0; i+8 <= len(secret); i++ {
		w := secret[i : i+8]
		h := hex.EncodeToString(w)
		if strings.Contains(out, string(w)) || strings.Contains(compact, h) {
			return true
		}
	}
	for i := 0; i+12 <= len(secret); i += 3 {
		if strings.Contains(out, base64.StdEncoding.EncodeToString(secret[i:i+12])) {
			return true
		}
	}
	return false
}

func TestSignPrecalculatedV1AndRandomized(t *testing.T) {
	fs := afero.NewMemMapFs()
	image := bytes.Repeat([]byte{0xC7}, 3000)
	writeMemFiles(t, fs, map[string][]byte{"ec.pem": []byte(testECKey), "image.bin": image})
	if code, _, stderr := runCLI(t, fs, nil, "sign", "--version", "1", "--key", "ec.pem", "image.bin", "det.bin"); code != 0 {
		t.Fatal(stderr)
	}
	det := readMem(t, fs, "det.bin")
	writeMemFiles(t, fs, map[string][]byte{"sig.bin": det[len(det)-64:]})
	code, _, stderr := runCLI(t, fs, nil, "sign", "--version", "1", "--pub-key", "ec.pem", "--signature", "sig.bin", "image.bin", "pre.bin")
	if code != 0 || !bytes.Equal(readMem(t, fs, "pre.bin"), det) {
		t.Errorf("V1 pre-calculated signature: exit %d %s", code, stderr)
	}
	// A signature over other data is refused and writes nothing.
	writeMemFiles(t, fs, map[string][]byte{"other.bin": image[:2999]})
	code, _, stderr = runCLI(t, fs, nil, "sign", "--version", "1", "--pub-key", "ec.pem", "--signature", "sig.bin", "other.bin", "bad.bin")
	if want := "espcompose: --signature sig.bin: secureboot: invalid signature: Signature is not valid\n"; code != exitUsage || stderr != want || memExists(fs, "bad.bin") {
		t.Errorf("mismatched pre-calculated signature: exit %d, stderr %q", code, stderr)
	}
	for _, out := range []string{"r1.bin", "r2.bin"} {
		if code, _, stderr := runCLI(t, fs, nil, "sign", "--randomize", "--key", "ec.pem", "image.bin", out); code != 0 {
			t.Fatal(stderr)
		}
		if code, _, stderr := runCLI(t, fs, nil, "verify", "--key", "ec.pem", out); code != 0 {
			t.Errorf("randomized signature does not verify: %s", stderr)
		}
	}
	if bytes.Equal(readMem(t, fs, "r1.bin"), readMem(t, fs, "r2.bin")) {
		t.Errorf("--randomize gave identical signatures")
	}
}

func TestSignPrecalculatedV2NamesBadSignature(t *testing.T) {
	fs := afero.NewMemMapFs()
	image := bytes.Repeat([]byte{0x3C}, secureboot.SectorSize)
	k, err := secureboot.ParsePrivateKeyPEM([]byte(testECKey))
	if err != nil {
		t.Fatal(err)
	}
	u, err := secureboot.PrepareV2(image, secureboot.PrepareOptions{RequireAligned: true})
	if err != nil {
		t.Fatal(err)
	}
	good, err := secureboot.SignDigest(k, u.Digest(k.Scheme), nil)
	if err != nil {
		t.Fatal(err)
	}
	wrong := bytes.Clone(u.Digest(k.Scheme))
	wrong[0] ^= 1
	bad, err := secureboot.SignDigest(k, wrong, nil)
	if err != nil {
		t.Fatal(err)
	}
	writeMemFiles(t, fs, map[string][]byte{"ec.pem": []byte(testECKey), "image.bin": image, "good.sig": good, "bad.sig": bad})
	code, _, stderr := runCLI(t, fs, nil, "sign", "--pub-key", "ec.pem", "--signature", "good.sig", "--pub-key", "ec.pem", "--signature", "bad.sig", "image.bin", "out.bin")
	if want := "espcompose: --signature bad.sig (for --pub-key ec.pem): "; code != exitUsage || !strings.HasPrefix(stderr, want) || memExists(fs, "out.bin") {
		t.Errorf("exit %d, stderr %q, want prefix %q", code, stderr, want)
	}
	if code, _, stderr := runCLI(t, fs, nil, "sign", "--pub-key", "ec.pem", "--signature", "good.sig", "image.bin", "out.bin"); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := runCLI(t, fs, nil, "verify", "--key", "ec.pem", "out.bin"); code != 0 {
		t.Errorf("pre-calculated V2 signature does not verify: %s", stderr)
	}
}
