package dropin

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"

	"github.com/espcompose/espcompose/format/flashenc"
	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/stages"
)

// espsecureVersion is the release whose behaviour the drop-in follows (the
// conformance vectors were made with it).
const espsecureBanner = "espsecure.py v4.8.1\n"

func espsecureTool() *multiTool {
	t := &multiTool{prog: "espsecure", banner: espsecureBanner,
		desc: "espsecure.py v4.8.1 - ESP32 Secure Boot & Flash Encryption tool (espcompose drop-in).\n" +
			"espcompose is deterministic unless asked otherwise: RSA-PSS salts and ECDSA nonces\n" +
			"are derived from the key and the data (sign_data --randomize draws them at random\n" +
			"as espsecure does), and digest_secure_bootloader derives its IV from the key and\n" +
			"image unless --iv or --random-iv is given. Generated keys are always random."}
	mk := func(name, help string, opts []*opt, pos []string, minPos int, inFiles []string, run func(*args, *Env) error) {
		p := &parser{prog: "espsecure " + name, positional: pos, minPos: minPos}
		for _, o := range opts {
			p.add(o)
		}
		addV5Aliases(p)
		t.subs = append(t.subs, &sub{name: name, help: help, p: p, inFiles: inFiles, run: run})
	}
	keyfile := func(req bool) *opt { return &opt{names: []string{"--keyfile", "-k"}, n: nargsOne, req: req} }
	mk("digest_secure_bootloader", "Secure Boot V1 reflashable bootloader: digest sector + image (IV derived from key and image unless --iv or --random-iv)",
		[]*opt{keyfile(true), {names: []string{"--output", "-o"}, n: nargsOne}, {names: []string{"--iv"}, n: nargsOne},
			{names: []string{"--random-iv"}, n: nargsFlag, note: "(espcompose) draws the IV at random as espsecure does"}},
		[]string{"image"}, 1, []string{"keyfile", "iv", "image"}, digestSecureBootloader)
	mk("generate_signing_key", "Generate a Secure Boot signing key (PEM); always random",
		[]*opt{{names: []string{"--version", "-v"}, n: nargsOne, choices: []string{"1", "2"}},
			{names: []string{"--scheme", "-s"}, n: nargsOne, choices: []string{"rsa3072", "ecdsa192", "ecdsa256", "ecdsa384"}}},
		[]string{"keyfile"}, 1, nil, generateSigningKey)
	mk("sign_data", "Sign a file for Secure Boot V1 or V2 (deterministic unless --randomize)",
		[]*opt{{names: []string{"--version", "-v"}, n: nargsOne, choices: []string{"1", "2"}, req: true},
			{names: []string{"--keyfile", "-k"}, n: nargsMany},
			{names: []string{"--append_signatures", "-a"}, n: nargsFlag},
			{names: []string{"--hsm"}, n: nargsFlag}, {names: []string{"--hsm-config"}, n: nargsOne},
			{names: []string{"--pub-key"}, n: nargsMany}, {names: []string{"--signature"}, n: nargsMany},
			{names: []string{"--output", "-o"}, n: nargsOne},
			{names: []string{"--skip-padding"}, n: nargsFlag},
			{names: []string{"--randomize"}, n: nargsFlag, note: "(espcompose) randomized signatures as espsecure makes them"}},
		[]string{"datafile"}, 1, []string{"keyfile", "pub_key", "signature", "datafile"}, signData)
	mk("verify_signature", "Verify a Secure Boot V1 or V2 signature with a key",
		[]*opt{{names: []string{"--version", "-v"}, n: nargsOne, choices: []string{"1", "2"}, req: true},
			{names: []string{"--hsm"}, n: nargsFlag}, {names: []string{"--hsm-config"}, n: nargsOne}, keyfile(false)},
		[]string{"datafile"}, 1, []string{"keyfile", "datafile"}, verifySignature)
	mk("extract_public_key", "Extract the public key (V1: raw X||Y, V2: PEM)",
		[]*opt{{names: []string{"--version", "-v"}, n: nargsOne, choices: []string{"1", "2"}}, keyfile(true)},
		[]string{"public_keyfile"}, 1, []string{"keyfile"}, extractPublicKey)
	for _, name := range []string{"digest_rsa_public_key", "digest_sbv2_public_key"} {
		mk(name, "SHA-256 digest of a Secure Boot V2 public key (the eFuse value)",
			[]*opt{keyfile(true), {names: []string{"--output", "-o"}, n: nargsOne, req: true}},
			nil, 0, []string{"keyfile"}, digestSBV2PublicKey)
	}
	mk("signature_info_v2", "Print the signature blocks of a V2-signed file", nil,
		[]string{"datafile"}, 1, []string{"datafile"}, signatureInfoV2)
	mk("digest_private_key", "SHA-256 digest of a V1 private key (secret, mode 0600)",
		[]*opt{keyfile(true), {names: []string{"--keylen", "-l"}, n: nargsOne, choices: []string{"192", "256"}}},
		[]string{"digest_file"}, 1, []string{"keyfile"}, digestPrivateKey)
	mk("generate_flash_encryption_key", "Generate a flash encryption key; always random (mode 0600)",
		[]*opt{{names: []string{"--keylen", "-l"}, n: nargsOne, choices: []string{"128", "192", "256", "512"}}},
		[]string{"key_file"}, 1, nil, generateFlashEncryptionKey)
	for _, enc := range []bool{false, true} {
		name, pos := "decrypt_flash_data", "encrypted_file"
		if enc {
			name, pos = "encrypt_flash_data", "plaintext_file"
		}
		enc := enc
		mk(name, "Flash encryption as the chip applies it at an address",
			[]*opt{{names: []string{"--aes_xts", "-x"}, n: nargsFlag}, keyfile(true),
				{names: []string{"--output", "-o"}, n: nargsOne, req: true},
				{names: []string{"--address", "-a"}, n: nargsOne, req: true},
				{names: []string{"--flash_crypt_conf"}, n: nargsOne}},
			[]string{pos}, 1, []string{"keyfile", pos},
			func(a *args, env *Env) error { return flashCrypt(a, env, enc, pos) })
	}
	return t
}

func runEspsecure(argv []string, env *Env) int { return espsecureTool().run(argv, env) }

// sameFile is espsecure's _check_output_is_not_input: the paths, normalised, are equal.
func sameFile(in, out string) error {
	if filepath.Clean(in) == filepath.Clean(out) {
		return fatalf("The input \"%s\" and output \"%s\" should not be the same!", in, out)
	}
	return nil
}

func checkNotInputs(out string, ins ...string) error {
	for _, in := range ins {
		if in == "" {
			continue
		}
		if err := sameFile(in, out); err != nil {
			return err
		}
	}
	return nil
}

// parseAutoInt is esptool's arg_auto_int: int(x, 0).
func parseAutoInt(s string) (uint64, error) {
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return 0, err
	}
	return v, nil
}

// hardwareKeyNote prints _load_hardware_key's line for a key of n bytes.
func hardwareKeyNote(env *Env, n int) error {
	switch n {
	case 16:
		env.printf("Using 128-bit key (extended)\n")
	case 24:
		env.printf("Using 192-bit key (extended)\n")
	case 32:
		env.printf("Using 256-bit key\n")
	case 64:
		env.printf("Using 512-bit key\n")
	default:
		return fatalf("Key file contains wrong length (%d bytes), 16, 24, 32 or 64 expected.", n)
	}
	return nil
}

func flashCrypt(a *args, env *Env, encrypt bool, inName string) error {
	in, out, keyPath := a.pos[0], a.str("output", ""), a.str("keyfile", "")
	if err := checkNotInputs(out, keyPath, in); err != nil {
		return err
	}
	addr64, err := parseAutoInt(a.str("address", ""))
	if err != nil || addr64 > 1<<32-1 {
		return &usageErr{"espsecure", fmt.Sprintf("argument --address/-a: invalid arg_auto_int value: '%s'", a.str("address", ""))}
	}
	addr := uint32(addr64)
	key, err := env.read(keyPath)
	if err != nil {
		return err
	}
	defer clear(key)
	if err := hardwareKeyNote(env, len(key)); err != nil {
		return err
	}
	if addr%16 != 0 {
		return fatalf("Starting flash address 0x%x must be a multiple of 16", addr)
	}
	xts := a.has("aes_xts")
	opts := flashenc.Options{}
	if opts.Scheme, err = flashenc.SchemeForKey(xts, len(key)); err != nil {
		return fatalf("%v", err)
	}
	// --flash_crypt_conf only applies to the ESP32 scheme; espsecure accepts and
	// ignores it with --aes_xts, and so does the drop-in.
	if c := a.str("flash_crypt_conf", ""); c != "" && !xts {
		v, err := parseAutoInt(c)
		if err != nil || v > 0xF {
			return fatalf("--flash_crypt_conf %s: not a FLASH_CRYPT_CONF value (0x0..0xF)", c)
		}
		if v == 0 {
			env.printf("WARNING: Setting FLASH_CRYPT_CONF to zero is not recommended\n")
		}
		opts.FlashCryptConf = flashenc.Conf(uint8(v))
	}
	data, err := env.read(in)
	if err != nil {
		return err
	}
	if xts && len(data)%16 != 0 {
		return fatalf("Input data length (%d) must be a multiple of 16", len(data))
	}
	if xts && len(data) == 0 {
		return fatalf("Input data must be longer than 0")
	}
	if !xts && len(data)%16 != 0 {
		if !encrypt {
			return fatalf("Data length is not a multiple of 16 bytes")
		}
		// espsecure pads with random bytes; espcompose refuses instead of writing
		// output that cannot be reproduced.
		return fatalf("Data length (%d) is not a multiple of 16 bytes: espsecure would pad it with random bytes; espcompose is deterministic and refuses (pad the file yourself)", len(data))
	}
	dst := make([]byte, len(data))
	if encrypt {
		err = flashenc.Encrypt(dst, data, key, addr, opts)
	} else {
		err = flashenc.Decrypt(dst, data, key, addr, opts)
	}
	if err != nil {
		return fatalf("%v", err)
	}
	return env.write(out, dst, 0o644)
}

func digestSecureBootloader(a *args, env *Env) error {
	image, keyPath := a.pos[0], a.str("keyfile", "")
	out := a.str("output", "")
	if out == "" {
		// espsecure's default name: the image's name with -digest-0x0000.bin.
		out = image[:len(image)-len(filepath.Ext(image))] + "-digest-0x0000.bin"
	}
	if err := checkNotInputs(out, keyPath, image, a.str("iv", "")); err != nil {
		return err
	}
	img, err := env.read(image)
	if err != nil {
		return err
	}
	key, err := env.read(keyPath)
	if err != nil {
		return err
	}
	defer clear(key)
	var iv []byte
	switch {
	case a.has("iv"):
		env.printf("WARNING: --iv argument is for TESTING PURPOSES ONLY\n")
		if iv, err = env.read(a.str("iv", "")); err != nil {
			return err
		}
		if len(iv) > 128 {
			iv = iv[:128]
		}
	case a.has("random_iv"):
		if env.Rand == nil {
			return fatalf("no source of randomness")
		}
		iv = make([]byte, 128)
		if _, err := io.ReadFull(env.Rand, iv); err != nil {
			return err
		}
	default:
		iv = secureboot.DerivedBootloaderIV(key, img)
	}
	if err := hardwareKeyNote(env, len(key)); err != nil {
		return err
	}
	res, err := secureboot.DigestSecureBootloader(key, iv, img)
	if err != nil {
		return fatalf("%v", err)
	}
	if err := env.write(out, res, 0o644); err != nil {
		return err
	}
	env.printf("digest+image written to %s\n", out)
	return nil
}

func generateSigningKey(a *args, env *Env) error {
	path := a.pos[0]
	if _, err := env.FS.Stat(env.path(path)); err == nil {
		return fatalf("ERROR: Key file %s already exists", path)
	}
	version, scheme := a.str("version", "1"), a.str("scheme", "")
	var alg, what string
	switch {
	case version == "1" && scheme != "" && scheme != "ecdsa256":
		return fatalf("ERROR: V1 only supports ECDSA256")
	case version == "1", scheme == "ecdsa256":
		alg, what = "ecdsa-p256", "ECDSA NIST256p"
	case scheme == "" || scheme == "rsa3072":
		alg, what = "rsa-3072", "RSA 3072"
	case scheme == "ecdsa384":
		alg, what = "ecdsa-p384", "ECDSA NIST384p"
	default:
		return fatalf("ERROR: espcompose cannot generate %s keys (Go's standard library has no P-192 key generation); use espsecure.py or openssl", scheme)
	}
	if env.Rand == nil {
		return fatalf("no source of randomness")
	}
	pemKey, err := stages.GenerateKey(alg, env.Rand)
	if err != nil {
		return fatalf("%v", err)
	}
	defer clear(pemKey)
	if err := env.Write(env.path(path), pemKey, 0o600, true); err != nil {
		return err
	}
	if version == "1" {
		env.printf("ECDSA NIST256p private key in PEM format written to %s\n", path)
	} else {
		env.printf("%s private key in PEM format written to %s\n", what, path)
	}
	return nil
}

func generateFlashEncryptionKey(a *args, env *Env) error {
	path := a.pos[0]
	bits, _ := strconv.Atoi(a.str("keylen", "256"))
	if env.Rand == nil {
		return fatalf("no source of randomness")
	}
	env.printf("Writing %d random bits to key file %s\n", bits, path)
	key := make([]byte, bits/8)
	defer clear(key)
	if _, err := io.ReadFull(env.Rand, key); err != nil {
		return err
	}
	// A key file is never replaced: the old key may already be burned into a chip.
	return env.Write(env.path(path), key, 0o600, true)
}

// loadSigningKey parses a PEM private key with espsecure's failure message.
func loadSigningKey(env *Env, path string) (*secureboot.PrivateKey, error) {
	b, err := env.read(path)
	if err != nil {
		return nil, err
	}
	defer clear(b)
	k, err := secureboot.ParsePrivateKeyPEM(b)
	if err != nil {
		return nil, fatalf("Incorrect private key specified in %s (%v). Please check algorithm and/or format.", path, err)
	}
	return k, nil
}

func signData(a *args, env *Env) error {
	data := a.pos[0]
	out := a.str("output", "")
	keys, pubs, sigs := a.list("keyfile"), a.list("pub_key"), a.list("signature")
	if out != "" {
		if err := checkNotInputs(out, append(append([]string{}, keys...), data)...); err != nil {
			return err
		}
	} else {
		out = data // no --output: sign the input file in place
		if env.AllowInPlace != nil {
			env.AllowInPlace(env.path(data))
		}
	}
	if a.has("hsm") {
		return fatalf("--hsm: espcompose signs with PKCS#11 keys from a manifest (signer block); the drop-in does not talk to an HSM")
	}
	content, err := env.read(data)
	if err != nil {
		return err
	}
	if a.str("version", "") == "1" {
		return signV1(a, env, data, out, content, keys, pubs, sigs)
	}
	if len(content)%secureboot.SectorSize != 0 {
		if len(sigs) > 0 {
			return fatalf("Secure Boot V2 requires the signature block to start from a 4KB aligned sector but the datafile supplied is not sector aligned.")
		}
		if a.has("skip_padding") {
			return fatalf("--skip-padding: espcompose only signs sector-aligned data (the signature sector must start at a 4KB boundary for the chip to find it)")
		}
		pad := secureboot.SectorSize - len(content)%secureboot.SectorSize
		env.printf("Padding data contents by %d bytes so signature sector aligns at sector boundary\n", pad)
	} else if a.has("append_signatures") {
		u, err := secureboot.PrepareV2(content, secureboot.PrepareOptions{Append: true})
		if err != nil {
			return fatalf("%v", err)
		}
		sector := content[len(content)-secureboot.SectorSize:]
		for i := 0; i < u.Kept(); i++ {
			kind := "RSA"
			if sector[i*secureboot.BlockSize+1] == secureboot.BlockVersionECDSA {
				kind = "ECDSA"
			}
			env.printf("Signature block %d is valid (%s).\n", i, kind)
		}
		if u.Kept() == 0 {
			env.printf("No valid signature blocks found. Discarding --append-signature and proceeding to sign the image afresh.\n")
		} else {
			env.printf("%d valid signature block(s) already present in the signature sector.\n", u.Kept())
			if u.Kept() == secureboot.MaxBlocks {
				return fatalf("Upto 3 signature blocks are supported. (For ESP32-ECO3 only 1 signature block is supported)")
			}
		}
	}
	var signed []byte
	if len(sigs) > 0 || len(pubs) > 0 {
		env.printf("Pre-calculated signatures found\n")
		if len(pubs) != len(sigs) {
			return fatalf("Number of public keys (%d) not equal to the number of signatures %d.", len(pubs), len(sigs))
		}
		var pk []*secureboot.PublicKey
		var sv [][]byte
		for i, p := range pubs {
			b, err := env.read(p)
			if err != nil {
				return err
			}
			k, err := secureboot.ParseKeyPEM(b)
			clear(b)
			if err != nil {
				return fatalf("%s: %v", p, err)
			}
			s, err := env.read(sigs[i])
			if err != nil {
				return err
			}
			pk, sv = append(pk, k), append(sv, s)
		}
		env.printf("%d signing key(s) found.\n", len(pk))
		signed, err = secureboot.SignV2Precalculated(content, pk, sv, a.has("append_signatures"))
		if err != nil {
			return fatalf("%v", err)
		}
	} else {
		if len(keys) == 0 {
			return fatalf("No private key file (--keyfile) or public key with pre-calculated signature (--pub-key and --signature) given")
		}
		var ks []*secureboot.PrivateKey
		for _, p := range keys {
			k, err := loadSigningKey(env, p)
			if err != nil {
				return err
			}
			ks = append(ks, k)
		}
		env.printf("%d signing key(s) found.\n", len(ks))
		opts := secureboot.SignOptions{Append: a.has("append_signatures")}
		if a.has("randomize") {
			opts.Rand = env.Rand
		}
		signed, err = secureboot.SignV2(content, ks, opts)
		if err != nil {
			return fatalf("%v", err)
		}
	}
	if err := env.write(out, signed, 0o644); err != nil {
		return err
	}
	blocks := 0
	sector := signed[len(signed)-secureboot.SectorSize:]
	for i := 0; i < secureboot.MaxBlocks; i++ {
		if sector[i*secureboot.BlockSize] == secureboot.BlockMagic {
			blocks++
		}
	}
	env.printf("Signed %d bytes of data from %s. Signature sector now has %d signature blocks.\n", len(signed)-secureboot.SectorSize, data, blocks)
	return nil
}

func signV1(a *args, env *Env, data, out string, content []byte, keys, pubs, sigs []string) error {
	var signed []byte
	if len(sigs) > 0 {
		env.printf("Pre-calculated signatures found\n")
		if len(pubs) > 1 {
			return fatalf("Secure Boot V1 only supports one signing key")
		}
		b, err := env.read(pubs[0])
		if err != nil {
			return err
		}
		pub, err := secureboot.ParseVerificationKeyV1(b)
		if err != nil {
			return fatalf("%s: %v", pubs[0], err)
		}
		sig, err := env.read(sigs[0])
		if err != nil {
			return err
		}
		if signed, err = secureboot.SignV1Precalculated(pub, content, sig); err != nil {
			return fatalf("%v", err)
		}
	} else {
		if len(keys) != 1 {
			return fatalf("Secure Boot V1 only supports one signing key")
		}
		k, err := loadSigningKey(env, keys[0])
		if err != nil {
			return err
		}
		if signed, err = secureboot.SignV1(k, content); err != nil {
			return fatalf("%v", err)
		}
	}
	if err := env.write(out, signed, 0o644); err != nil {
		return err
	}
	env.printf("Signed %d bytes of data from %s\n", len(content), data)
	return nil
}

func verifySignature(a *args, env *Env) error {
	if a.has("hsm") {
		return fatalf("--hsm: the drop-in does not talk to an HSM; pass the public key with --keyfile")
	}
	keyPath := a.str("keyfile", "")
	if keyPath == "" {
		return fatalf("--keyfile is required (the public or private key to verify with)")
	}
	kb, err := env.read(keyPath)
	if err != nil {
		return err
	}
	defer clear(kb)
	image, err := env.read(a.pos[0])
	if err != nil {
		return err
	}
	if a.str("version", "") == "1" {
		pub, err := secureboot.ParseVerificationKeyV1(kb)
		if err != nil {
			return fatalf("Verification key does not appear to be an EC key in PEM format or binary EC public key data. Unsupported")
		}
		if len(image) < secureboot.V1SignatureLen {
			return fatalf("Signature is not valid")
		}
		if v := image[len(image)-68]; v != 0 || !bytes.Equal(image[len(image)-67:len(image)-64], []byte{0, 0, 0}) {
			return fatalf("Signature block has version %d. This version of espsecure only supports version 0.", leUint32(image[len(image)-68:]))
		}
		env.printf("Verifying %d bytes of data\n", len(image)-68)
		if err := secureboot.VerifyV1(pub, image); err != nil {
			return fatalf("Signature is not valid")
		}
		env.printf("Signature is valid\n")
		return nil
	}
	pub, err := secureboot.ParseKeyPEM(kb)
	if err != nil {
		return fatalf("%s: %v", keyPath, err)
	}
	if len(image) < secureboot.SectorSize || len(image)%secureboot.SectorSize != 0 {
		return fatalf("Invalid datafile. Data size should be non-zero & a multiple of 4096.")
	}
	status, _ := secureboot.VerifyV2(image, pub)
	// espsecure looks at one block for an ECDSA key, three for RSA.
	maxBlocks := secureboot.MaxBlocks
	if pub.Scheme.IsECDSA() {
		maxBlocks = 1
	}
	content := image[:len(image)-secureboot.SectorSize]
	sector := image[len(image)-secureboot.SectorSize:]
	valid := false
	for i := 0; i < maxBlocks; i++ {
		if i >= len(status) || !status[i].Present {
			env.printf("Signature block %d invalid. Skipping.\n", i)
			continue
		}
		kind := "RSA"
		if status[i].Scheme.IsECDSA() {
			kind = "ECDSA"
		}
		env.printf("Signature block %d is valid (%s).\n", i, kind)
		var blk secureboot.SignatureBlock
		if err := blk.UnmarshalBinary(sector[i*secureboot.BlockSize : (i+1)*secureboot.BlockSize]); err == nil {
			var digest []byte
			if len(blk.ImageDigest) == 48 {
				d := sha512.Sum384(content)
				digest = d[:]
			} else {
				d := sha256.Sum256(content)
				digest = d[:]
			}
			if !bytes.Equal(digest, blk.ImageDigest) {
				return fatalf("Signature block image digest does not match the actual image digest %s. Expected %s.", pyBytes(digest), pyBytes(blk.ImageDigest))
			}
		}
		if status[i].Verified {
			env.printf("Signature block %d verification successful using the supplied key (%s).\n", i, kind)
			valid = true
		} else {
			env.printf("Signature block %d is not signed by the supplied key. Checking the next block\n", i)
		}
	}
	if !valid {
		return fatalf("Checked all blocks. Signature could not be verified with the provided key.")
	}
	return nil
}

func leUint32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// pyBytes formats b as Python's repr of a bytes object, as espsecure prints digests
// in its mismatch message.
func pyBytes(b []byte) string {
	quote := byte('\'')
	if bytes.IndexByte(b, '\'') >= 0 && bytes.IndexByte(b, '"') < 0 {
		quote = '"'
	}
	var s bytes.Buffer
	s.WriteByte('b')
	s.WriteByte(quote)
	for _, c := range b {
		switch {
		case c == quote || c == '\\':
			s.WriteByte('\\')
			s.WriteByte(c)
		case c == '\t':
			s.WriteString(`\t`)
		case c == '\n':
			s.WriteString(`\n`)
		case c == '\r':
			s.WriteString(`\r`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&s, `\x%02x`, c)
		default:
			s.WriteByte(c)
		}
	}
	s.WriteByte(quote)
	return s.String()
}

func extractPublicKey(a *args, env *Env) error {
	keyPath, out := a.str("keyfile", ""), a.pos[0]
	if err := checkNotInputs(out, keyPath); err != nil {
		return err
	}
	k, err := loadSigningKey(env, keyPath)
	if err != nil {
		return err
	}
	var res []byte
	if a.str("version", "1") == "1" {
		if res, err = secureboot.PublicKeyV1(k.Public()); err != nil {
			return fatalf("%v", err)
		}
	} else if res, err = k.Public().MarshalPEM(); err != nil {
		return fatalf("%v", err)
	}
	if err := env.write(out, res, 0o644); err != nil {
		return err
	}
	env.printf("%s public key extracted to %s\n", keyPath, out)
	return nil
}

func digestSBV2PublicKey(a *args, env *Env) error {
	keyPath, out := a.str("keyfile", ""), a.str("output", "")
	if err := checkNotInputs(out, keyPath); err != nil {
		return err
	}
	b, err := env.read(keyPath)
	if err != nil {
		return err
	}
	pub, err := secureboot.ParseKeyPEM(b)
	clear(b)
	if err != nil {
		return fatalf("%s: %v", keyPath, err)
	}
	d, err := secureboot.DigestPublicKeyV2(pub)
	if err != nil {
		return fatalf("%v", err)
	}
	env.printf("Writing the public key digest of %s to %s.\n", keyPath, out)
	return env.write(out, d, 0o644)
}

func signatureInfoV2(a *args, env *Env) error {
	image, err := env.read(a.pos[0])
	if err != nil {
		return err
	}
	text, err := secureboot.SignatureInfoV2(image)
	env.printf("%s", text)
	if err != nil {
		return fatalf("%s", secureboot.SignatureInfoError(err))
	}
	return nil
}

func digestPrivateKey(a *args, env *Env) error {
	keyPath, out := a.str("keyfile", ""), a.pos[0]
	if err := checkNotInputs(out, keyPath); err != nil {
		return err
	}
	bits, _ := strconv.Atoi(a.str("keylen", "256"))
	k, err := loadSigningKey(env, keyPath)
	if err != nil {
		return err
	}
	d, err := secureboot.DigestPrivateKeyV1(k, bits)
	if err != nil {
		return fatalf("%v", err)
	}
	defer clear(d)
	// The digest is a secret eFuse key: owner-only, like every key espcompose writes.
	if err := env.write(out, d, 0o600); err != nil {
		return err
	}
	trunc := ""
	if bits == 192 {
		trunc = " (truncated to 192 bits)"
	}
	env.printf("SHA-256 digest of private key %s%s written to %s\n", keyPath, trunc, out)
	return nil
}

var _ = errors.New
