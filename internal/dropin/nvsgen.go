package dropin

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/espcompose/espcompose/format/nvs"
)

// nvs_partition_gen.py (esp-idf-nvs-partition-gen 0.2.0): generate, generate-key,
// encrypt, decrypt. "file" rows resolve from the working directory, as there.

func nvsGenParsers() map[string]*parser {
	gen := func(name string, enc bool) *parser {
		p := &parser{prog: "nvs_partition_gen.py " + name, positional: []string{"input", "output", "size"}, minPos: 3}
		p.add(&opt{names: []string{"--version"}, n: nargsOne, choices: []string{"1", "2"}})
		p.add(&opt{names: []string{"--outdir"}, n: nargsOne})
		if enc {
			p.add(&opt{names: []string{"--keygen"}, n: nargsFlag})
			p.add(&opt{names: []string{"--keyfile"}, n: nargsOne})
			p.add(&opt{names: []string{"--inputkey"}, n: nargsOne})
		}
		return p
	}
	hmacOpts := func(p *parser) *parser {
		p.add(&opt{names: []string{"--key_protect_hmac"}, n: nargsFlag})
		p.add(&opt{names: []string{"--kp_hmac_keygen"}, n: nargsFlag})
		p.add(&opt{names: []string{"--kp_hmac_keyfile"}, n: nargsOne})
		p.add(&opt{names: []string{"--kp_hmac_inputkey"}, n: nargsOne})
		return p
	}
	gk := &parser{prog: "nvs_partition_gen.py generate-key"}
	hmacOpts(gk)
	gk.add(&opt{names: []string{"--keyfile"}, n: nargsOne})
	gk.add(&opt{names: []string{"--outdir"}, n: nargsOne})
	dec := &parser{prog: "nvs_partition_gen.py decrypt", positional: []string{"input", "key", "output"}, minPos: 3}
	dec.add(&opt{names: []string{"--outdir"}, n: nargsOne})
	return map[string]*parser{"generate": gen("generate", false), "encrypt": hmacOpts(gen("encrypt", true)), "generate-key": gk, "decrypt": dec}
}

func runNVSGen(argv []string, env *Env) int {
	ps := nvsGenParsers()
	if len(argv) == 0 || argv[0] == "-h" || argv[0] == "--help" {
		fmt.Fprint(env.Stdout, "usage: nvs_partition_gen.py [-h] {generate,generate-key,encrypt,decrypt} ...\n\n"+
			"ESP NVS partition generation utility (espcompose drop-in). Output is deterministic;\n"+
			"generated keys (--keygen, generate-key, --kp_hmac_keygen) are random, as they must be.\n")
		if len(argv) == 0 {
			return 1
		}
		return 0
	}
	p, ok := ps[argv[0]]
	if !ok {
		fmt.Fprintln(env.Stderr, "usage: nvs_partition_gen.py [-h] {generate,generate-key,encrypt,decrypt} ...")
		fmt.Fprintf(env.Stderr, "nvs_partition_gen.py: error: argument : invalid choice: '%s' (choose from 'generate', 'generate-key', 'encrypt', 'decrypt')\n", argv[0])
		return 2
	}
	if wantsHelp(argv[1:]) {
		fmt.Fprint(env.Stdout, p.help(""))
		return 0
	}
	a, err := p.parse(argv[1:])
	if err != nil {
		fmt.Fprintln(env.Stderr, p.usageLine())
		fmt.Fprintln(env.Stderr, err.Error())
		return 2
	}
	g := &nvsGen{a: a, env: env, outdir: a.str("outdir", env.Dir)}
	switch argv[0] {
	case "generate":
		err = g.generate(nil)
	case "encrypt":
		err = g.encrypt()
	case "generate-key":
		_, err = g.generateKey()
	case "decrypt":
		err = g.decrypt()
	}
	if err != nil {
		var ee *exitErr
		if errors.As(err, &ee) {
			return ee.code
		}
		// sys.exit("message"): the message on stderr, status 1.
		fmt.Fprintln(env.Stderr, err.Error())
		return 1
	}
	return 0
}

type nvsGen struct {
	a      *args
	env    *Env
	outdir string
}

// target is set_target_filepath: <outdir>/<path> unless path is absolute.
func (g *nvsGen) target(outdir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	if outdir == "" {
		return p
	}
	return strings.TrimSuffix(outdir, "/") + "/" + p
}

func checkNVSSize(env *Env, s string) (uint32, error) {
	n, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		env.printf("invalid literal for int() with base 0: '%s'\n", s)
		return 0, &exitErr{0}
	}
	if n%4096 != 0 {
		return 0, errors.New("Size of partition must be multiple of 4096")
	}
	if n < 4096 {
		return 0, errors.New("Minimum partition size for read/write NVS is 0x3000 bytes and for read-only NVS is 0x1000 bytes.")
	}
	if n < 0x3000 {
		env.printf("\nMinimum partition size for read/write NVS is 0x3000 bytes. Partitions smaller than this must be flagged as \"readonly\" in the partition table CSV.\n")
	}
	if n > 128<<20 {
		return 0, fmt.Errorf("size %s: larger than the largest flash (128MB)", s)
	}
	return uint32(n), nil
}

func (g *nvsGen) generate(keys *nvs.Keys) error {
	a, env := g.a, g.env
	pos := a.pos
	if len(pos) < 3 {
		return errors.New("generate needs input, output and size")
	}
	inputs, output, sizeArg := pos[:len(pos)-2], pos[len(pos)-2], pos[len(pos)-1]
	size, err := checkNVSSize(env, sizeArg)
	if err != nil {
		return err
	}
	version := 2
	if a.str("version", "2") == "1" {
		version = 1
	}
	if !strings.Contains(filepath.Ext(output), ".bin") {
		return fmt.Errorf("Error: `%s`. Only `.bin` extension allowed.", output)
	}
	out := g.target(g.outdir, output)
	if keys == nil && a.has("keygen") {
		k, err := g.generateKey()
		if err != nil {
			return err
		}
		keys = k
	}
	defer wipe(keys)
	vtext := "V2 - Multipage Blob Support Enabled"
	if version == 1 {
		vtext = "V1 - Multipage Blob Support Disabled"
	}
	env.printf("\nCreating NVS binary with version: %s\n", vtext)
	im := nvs.NewCSVImporter(nil)
	im.Version = version
	im.ReadFile = env.read
	for _, in := range inputs {
		src, err := env.read(in)
		if err != nil {
			return err
		}
		if err := im.Add(bytes.NewReader(src), in); err != nil {
			msg, input := nvsRefMessage(err)
			if !input {
				// Not one of the tool's InputErrors: there it ends in a Python
				// traceback, exit status 1; here in the message alone.
				fmt.Fprintf(env.Stderr, "Error: %s\n", msg)
				return &exitErr{1}
			}
			env.printf("\nError:\n%s\n\nWarning: NVS binary not created...\n", msg)
			return &exitErr{254}
		}
	}
	img, err := nvs.Encode(im.Partition(), nvs.Options{Size: size, Version: version, Keys: keys})
	if err != nil {
		return fmt.Errorf("Error: %v", err)
	}
	if err := env.Write(env.path(out), img, 0o644, false); err != nil {
		return err
	}
	env.printf("\nCreated NVS binary: ===> %s\n", out)
	return nil
}

func wipe(k *nvs.Keys) {
	if k != nil {
		clear(k.Encryption[:])
		clear(k.Tweak[:])
	}
}

func (g *nvsGen) encrypt() error {
	a, env := g.a, g.env
	if len(a.pos) >= 3 {
		if _, err := checkNVSSize(env, a.pos[len(a.pos)-1]); err != nil {
			return err
		}
	}
	switch {
	case !a.has("keygen") && !a.has("inputkey"):
		return errors.New("Error. --keygen or --inputkey argument needed.")
	case a.has("keygen") && a.has("inputkey"):
		return errors.New("Error. --keygen and --inputkey both are not allowed.")
	case !a.has("keygen") && a.has("keyfile"):
		env.printf("\nWarning: --inputkey argument is given. --keyfile argument will be ignored...\n")
	}
	if !a.has("inputkey") {
		return g.generate(nil)
	}
	in := a.str("inputkey", "")
	if !strings.Contains(filepath.Ext(in), ".bin") {
		return fmt.Errorf("Error: `%s`. Only `.bin` extension allowed.", in)
	}
	b, err := env.read(in)
	if err != nil {
		return err
	}
	defer clear(b)
	if len(b) > 64 {
		b = b[:64]
	}
	k, err := nvs.KeysFromBytes(b)
	if err != nil {
		return fmt.Errorf("--inputkey %s: %v", in, err)
	}
	return g.generate(&k)
}

// generateKey is generate_key: an nvs_keys image under <outdir>/keys/, random or
// derived from an HMAC key.
func (g *nvsGen) generateKey() (*nvs.Keys, error) {
	a, env := g.a, g.env
	keyfile := a.str("keyfile", "")
	var err error
	if keyfile == "" {
		// The reference names it keys-<month>-<day>_<hour>-<minute>.bin; espcompose
		// keeps the prefix but not the clock, so reruns name the same file.
		keyfile = "keys-espcompose.bin"
	}
	if keyfile, err = binName(keyfile); err != nil {
		return nil, err
	}
	keysDir := g.target(g.outdir, "keys")
	out := g.target(keysDir, keyfile)
	var k nvs.Keys
	if a.has("key_protect_hmac") {
		var hk []byte
		if a.has("kp_hmac_keygen") {
			if env.Rand == nil {
				return nil, errors.New("no source of randomness")
			}
			hk = make([]byte, nvs.HMACKeySize)
			if _, err := io.ReadFull(env.Rand, hk); err != nil {
				return nil, err
			}
			name := a.str("kp_hmac_keyfile", "")
			if name == "" {
				name = "hmac-" + keyfile
			}
			if name, err = binName(name); err != nil {
				return nil, err
			}
			if err := env.Write(env.path(g.target(keysDir, name)), hk, 0o600, true); err != nil {
				return nil, err
			}
		} else {
			if !a.has("kp_hmac_inputkey") {
				return nil, errors.New("RuntimeError: HMAC Key input file (HMAC-based encryption scheme) missing!")
			}
			if hk, err = env.read(a.str("kp_hmac_inputkey", "")); err != nil {
				return nil, err
			}
		}
		k, err = nvs.DeriveHMACKeys(hk)
		clear(hk)
	} else {
		if env.Rand == nil {
			return nil, errors.New("no source of randomness")
		}
		k, err = nvs.GenerateKeys(env.Rand)
	}
	if err != nil {
		return nil, err
	}
	part := k.MarshalPartition()
	defer clear(part)
	if err := env.Write(env.path(out), part, 0o600, false); err != nil {
		return nil, err
	}
	env.printf("\nCreated encryption keys: ===>  %s\n", out)
	return &k, nil
}

func (g *nvsGen) decrypt() error {
	a, env := g.a, g.env
	in, keyPath, output := a.pos[0], a.pos[1], a.pos[2]
	for _, p := range []string{in, keyPath, output} {
		if !strings.Contains(filepath.Ext(p), ".bin") {
			return fmt.Errorf("Error: `%s`. Only `.bin` extension allowed.", p)
		}
	}
	kb, err := env.read(keyPath)
	if err != nil {
		return err
	}
	defer clear(kb)
	k, err := nvs.ParseKeyPartition(kb)
	if err != nil {
		if len(kb) >= 64 {
			k, err = nvs.KeysFromBytes(kb[:64])
		}
		if err != nil {
			return fmt.Errorf("%s: %v", keyPath, err)
		}
	}
	defer wipe(&k)
	img, err := env.read(in)
	if err != nil {
		return err
	}
	plain, err := nvs.Decrypt(img, k)
	if err != nil {
		return fmt.Errorf("%s: %v", in, err)
	}
	out := g.target(g.outdir, output)
	if err := env.Write(env.path(out), plain, 0o644, false); err != nil {
		return err
	}
	env.printf("\nCreated NVS decrypted binary: ===> %s\n", out)
	return nil
}

// binName is set_target_filepath's extension rule: no extension gets ".bin", any
// other than .bin is an error.
func binName(p string) (string, error) {
	switch ext := filepath.Ext(p); {
	case ext == "":
		return p + ".bin", nil
	case !strings.Contains(ext, ".bin"):
		return "", fmt.Errorf("Error: `%s`. Only `.bin` extension allowed.", p)
	}
	return p, nil
}

var (
	reKeyLen  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("length of key `([^`]*)` should be <= 15 characters") })
	reTooLong = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile("key `([^`]*)`: size \\((\\d+)\\) exceeds max allowed length `(\\d+)` bytes")
	})
	reLinePfx = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^.*?:\d+: nvs: [a-z ]+: `) })
)

// nvsRefMessage words a CSV error as nvs_partition_gen's InputError does and says
// whether it is one; others keep espcompose's wording (with the CSV file and line,
// which the reference does not give).
func nvsRefMessage(err error) (string, bool) {
	msg := err.Error()
	if m := reKeyLen().FindStringSubmatch(msg); m != nil {
		return "Length of key `" + m[1] + "` should be <= 15 characters.", true
	}
	if m := reTooLong().FindStringSubmatch(msg); m != nil {
		return " Input File: Size (" + m[2] + ") exceeds max allowed length `" + m[3] + "` bytes for key `" + m[1] + "`.", true
	}
	for _, ref := range []string{": Invalid data length. Should be multiple of 2.", ": Invalid encoding format.", ": Value length exceeds specified length."} {
		if strings.Contains(msg, ref) {
			return reLinePfx().ReplaceAllString(msg, ""), true
		}
	}
	return msg, false
}
