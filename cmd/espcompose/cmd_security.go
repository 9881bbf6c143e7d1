package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/espcompose/espcompose/format/flashenc"
	"github.com/espcompose/espcompose/format/secureboot"
)

func (a *app) newEncryptCommand() *cobra.Command { return a.flashCryptCommand(true) }
func (a *app) newDecryptCommand() *cobra.Command { return a.flashCryptCommand(false) }

// flashCryptCommand builds encrypt or decrypt; both take the same flags, like
// espsecure encrypt_flash_data / decrypt_flash_data.
func (a *app) flashCryptCommand(encrypt bool) *cobra.Command {
	var (
		chip, keyPath, address, conf string
		aesXTS                       bool
	)
	verb, short := "decrypt", "Decrypt flash contents read from a chip with flash encryption"
	if encrypt {
		verb, short = "encrypt", "Encrypt data as the chip's flash encryption stores it at an address"
	}
	cmd := &cobra.Command{
		Use:   verb + " --chip C --key K --address A [--flash-crypt-conf 0xF] IN OUT",
		Short: short + " (espsecure " + verb + "_flash_data compatible)",
		Long: short + `.

The scheme follows from --chip and the key length (esp32: AES-256 with a 24- or
32-byte key; later chips: XTS-AES-128 with 32 bytes, XTS-AES-256 with 64, esp32c2
also 16). Without --chip the choice is espsecure's: the ESP32 scheme, or XTS-AES
with --aes-xts (64 bytes: XTS-AES-256, otherwise XTS-AES-128).`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := parseAddr("--address", address)
			if err != nil {
				return err
			}
			key, err := a.readInput(keyPath)
			if err != nil {
				return err
			}
			defer clear(key)
			var scheme flashenc.Scheme
			if chip != "" {
				if scheme, err = flashenc.SchemeFor(chip, len(key)); err != nil {
					if errors.Is(err, flashenc.ErrChip) {
						return usagef("--chip: %v", err)
					}
					return usageError{fmt.Errorf("--key %s: %w", keyPath, err)}
				}
				if aesXTS && scheme == flashenc.ESP32AES {
					return usagef("--aes-xts: %s uses %v, not XTS-AES", chip, scheme)
				}
			} else if scheme, err = flashenc.SchemeForKey(aesXTS, len(key)); err != nil {
				return usageError{fmt.Errorf("--key %s: %w", keyPath, err)}
			}
			opts := flashenc.Options{Scheme: scheme}
			if conf != "" {
				v, err := strconv.ParseUint(conf, 0, 8)
				if err != nil || v > 0xF {
					return usagef("--flash-crypt-conf: %q is not a value in 0x0..0xF", conf)
				}
				if scheme != flashenc.ESP32AES {
					return usagef("--flash-crypt-conf applies only to the ESP32 AES-256 scheme, not %v", scheme)
				}
				opts.FlashCryptConf = flashenc.Conf(uint8(v))
			}
			c, err := flashenc.NewCipher(key, opts)
			if err != nil {
				return usageError{fmt.Errorf("--key %s: %w", keyPath, err)}
			}
			defer c.Close()
			src, err := a.readInput(args[0])
			if err != nil {
				return err
			}
			dst := make([]byte, len(src))
			if encrypt {
				err = c.EncryptAt(dst, src, addr)
			} else {
				err = c.DecryptAt(dst, src, addr)
			}
			if errors.Is(err, flashenc.ErrAddress) {
				// The address is the flag's mistake, whatever data it was applied to.
				return usageError{fmt.Errorf("--address %s: %w", address, err)}
			}
			if err != nil {
				return usageError{fmt.Errorf("%s: %w", args[0], err)}
			}
			return a.writeOutput(args[1], dst)
		},
	}
	f := cmd.Flags()
	f.StringVar(&chip, "chip", "", "target chip (esp32, esp32c3, esp32s3, ...); picks the scheme with the key length")
	f.StringVar(&keyPath, "key", "", "raw flash encryption key file (16, 24, 32 or 64 bytes)")
	f.StringVar(&address, "address", "", "flash address the data sits at (a multiple of 16)")
	f.StringVar(&conf, "flash-crypt-conf", "", "ESP32 FLASH_CRYPT_CONFIG eFuse value (default 0xF)")
	f.BoolVar(&aesXTS, "aes-xts", false, "use XTS-AES, as espsecure --aes_xts (when no --chip is given)")
	_ = cmd.MarkFlagRequired("key")
	_ = cmd.MarkFlagRequired("address")
	return cmd
}

func (a *app) newSignCommand() *cobra.Command {
	var (
		version            int
		keys, pubs, sigs   []string
		appendSigs, random bool
	)
	cmd := &cobra.Command{
		Use:   "sign --version 1|2 --key K [--key K2 --key K3] IN OUT",
		Short: "Sign an image for Secure Boot (espsecure sign_data compatible)",
		Long: `Sign an image for Secure Boot V1 (ECDSA P-256 trailer) or V2 (signature sector,
RSA-3072 or ECDSA, up to three keys).

Signing is deterministic unless --randomize is given. Signatures made elsewhere
(HSM, remote signer) are added with --pub-key P --signature S pairs, in order;
--append keeps the signature blocks an already signed V2 image carries.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case version != 1 && version != 2:
				return usagef("--version must be 1 or 2, not %d", version)
			case len(keys) > 0 && len(pubs)+len(sigs) > 0:
				return usagef("--key cannot be combined with --pub-key/--signature")
			case len(pubs) != len(sigs):
				return usagef("--pub-key and --signature come in pairs (%d --pub-key, %d --signature)", len(pubs), len(sigs))
			case len(keys) == 0 && len(pubs) == 0:
				return usagef("sign needs --key, or --pub-key with --signature")
			case len(keys)+len(pubs) > secureboot.MaxBlocks:
				return usagef("at most %d keys or signatures, got %d", secureboot.MaxBlocks, len(keys)+len(pubs))
			case version == 1 && len(keys)+len(pubs) > 1:
				return usagef("Secure Boot V1 takes exactly one key")
			case version == 1 && appendSigs:
				return usagef("--append applies only to --version 2")
			}
			image, err := a.readInput(args[0])
			if err != nil {
				return err
			}
			var out []byte
			if len(pubs) > 0 {
				out, err = a.signPrecalculated(version, args[0], image, pubs, sigs, appendSigs)
			} else {
				out, err = a.signWithKeys(version, args[0], image, keys, appendSigs, random)
			}
			if err != nil {
				return err
			}
			a.inPlace = args[0] // espsecure sign_data signs in place when output = input
			return a.writeOutput(args[1], out)
		},
	}
	f := cmd.Flags()
	f.IntVar(&version, "version", 2, "Secure Boot version: 1 or 2")
	f.StringArrayVar(&keys, "key", nil, "private signing key (PEM); repeat for up to 3 V2 keys")
	f.StringArrayVar(&pubs, "pub-key", nil, "public key of a pre-calculated signature (PEM); repeatable")
	f.StringArrayVar(&sigs, "signature", nil, "pre-calculated signature file, paired with --pub-key in order")
	f.BoolVar(&appendSigs, "append", false, "keep the existing V2 signature blocks and add these")
	f.BoolVar(&random, "randomize", false, "randomized signatures like espsecure (default: deterministic)")
	return cmd
}

func (a *app) signWithKeys(version int, imagePath string, image []byte, paths []string, appendSigs, random bool) ([]byte, error) {
	var keys []*secureboot.PrivateKey
	for _, p := range paths {
		b, err := a.readInput(p)
		if err != nil {
			return nil, err
		}
		k, err := parsePrivateKey("--key", p, b, "signing needs the private key (signatures made elsewhere go in with --pub-key and --signature)")
		clear(b)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	if version == 1 {
		out, err := secureboot.SignV1(keys[0], image)
		if err != nil {
			return nil, usageError{fmt.Errorf("--key %s: %w", paths[0], err)}
		}
		return out, nil
	}
	opts := secureboot.SignOptions{Append: appendSigs}
	if random {
		opts.Rand = a.random()
	}
	out, err := secureboot.SignV2(image, keys, opts)
	if err != nil {
		return nil, usageError{fmt.Errorf("%s: %w", imagePath, err)}
	}
	return out, nil
}

func (a *app) signPrecalculated(version int, imagePath string, image []byte, pubPaths, sigPaths []string, appendSigs bool) ([]byte, error) {
	var pubs []*secureboot.PublicKey
	var sigs [][]byte
	for i, p := range pubPaths {
		b, err := a.readInput(p)
		if err != nil {
			return nil, err
		}
		var pub *secureboot.PublicKey
		if version == 1 {
			pub, err = secureboot.ParseVerificationKeyV1(b)
		} else {
			pub, err = secureboot.ParseKeyPEM(b)
		}
		clear(b) // the file may hold a private key
		if err != nil {
			return nil, usageError{fmt.Errorf("--pub-key %s: %w", p, err)}
		}
		sig, err := a.readInput(sigPaths[i])
		if err != nil {
			return nil, err
		}
		pubs, sigs = append(pubs, pub), append(sigs, sig)
	}
	if version == 1 {
		out, err := secureboot.SignV1Precalculated(pubs[0], image, sigs[0])
		if err != nil {
			return nil, usageError{fmt.Errorf("--signature %s: %w", sigPaths[0], err)}
		}
		return out, nil
	}
	// Check each signature on its own first, so that a failure names its file.
	u, err := secureboot.PrepareV2(image, secureboot.PrepareOptions{Append: appendSigs, RequireAligned: true})
	if err != nil {
		return nil, usageError{fmt.Errorf("%s: %w", imagePath, err)}
	}
	for i, pub := range pubs {
		if _, err := secureboot.NewSignatureBlock(pub, u.Digest(pub.Scheme), sigs[i]); err != nil {
			return nil, usageError{fmt.Errorf("--signature %s (for --pub-key %s): %w", sigPaths[i], pubPaths[i], err)}
		}
	}
	out, err := secureboot.SignV2Precalculated(image, pubs, sigs, appendSigs)
	if err != nil {
		return nil, usageError{fmt.Errorf("%s: %w", imagePath, err)}
	}
	return out, nil
}

type verifyBlockJSON struct {
	Index     int    `json:"index"`
	Present   bool   `json:"present"`
	Scheme    string `json:"scheme,omitempty"`
	KeyDigest string `json:"key_digest,omitempty"`
	Verified  bool   `json:"verified"`
}

type verifyJSON struct {
	File     string            `json:"file"`
	Version  int               `json:"version"`
	Verified bool              `json:"verified"`
	Error    string            `json:"error,omitempty"`
	Blocks   []verifyBlockJSON `json:"blocks,omitempty"`
}

func (a *app) newVerifyCommand() *cobra.Command {
	var (
		version int
		keyPath string
	)
	cmd := &cobra.Command{
		Use:   "verify --version 1|2 --key PUB IN",
		Short: "Check that a Secure Boot signature verifies with a key (exit 0 only then)",
		Long: `Check a Secure Boot signature against a public (or private) key. Exit status 0
means a signature verifies with that key; 1 means none does; 2 means the file
is not a signed image at all, or a key or flag is wrong.

For V2 the signature_info_v2 listing of every block comes first, then which block
verifies with the key.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if version != 1 && version != 2 {
				return usagef("--version must be 1 or 2, not %d", version)
			}
			kb, err := a.readInput(keyPath)
			if err != nil {
				return err
			}
			var pub *secureboot.PublicKey
			if version == 1 {
				pub, err = secureboot.ParseVerificationKeyV1(kb)
			} else {
				pub, err = secureboot.ParseKeyPEM(kb)
			}
			clear(kb)
			if err != nil {
				return usageError{fmt.Errorf("--key %s: %w", keyPath, err)}
			}
			image, err := a.readInput(args[0])
			if err != nil {
				return err
			}
			if version == 1 {
				return a.verifyV1(args[0], keyPath, pub, image)
			}
			return a.verifyV2(args[0], keyPath, pub, image)
		},
	}
	f := cmd.Flags()
	f.IntVar(&version, "version", 2, "Secure Boot version: 1 or 2")
	f.StringVar(&keyPath, "key", "", "verification key: PEM public or private key (V1 also raw 64-byte X||Y)")
	_ = cmd.MarkFlagRequired("key")
	return cmd
}

// verifyOutcome classes a verification error: a signature that does not verify is a
// result (exit 1); an input that is not a signed image at all is the caller's (exit 2).
func verifyOutcome(path string, err error) error {
	err = fmt.Errorf("%s: %w", path, err)
	if errors.Is(err, secureboot.ErrInvalidSignature) || errors.Is(err, secureboot.ErrDigestMismatch) || errors.Is(err, secureboot.ErrBlock) {
		return err
	}
	return usageError{err}
}

func (a *app) verifyV1(path, keyPath string, pub *secureboot.PublicKey, image []byte) error {
	err := secureboot.VerifyV1(pub, image)
	if a.json {
		doc := verifyJSON{File: path, Version: 1, Verified: err == nil}
		if err != nil {
			doc.Error = err.Error()
		}
		if werr := writeJSON(a.stdout, doc); werr != nil {
			return werr
		}
	}
	if errors.Is(err, secureboot.ErrBlock) {
		// A V1 trailer starts with version 0; anything else is no signature at all.
		return usageError{fmt.Errorf("%s: not signed (no V1 signature after the image): %w", path, err)}
	}
	if err != nil {
		return verifyOutcome(path, err)
	}
	if !a.json {
		fmt.Fprintf(a.stdout, "%s: V1 signature verified with %s\n", path, keyPath)
	}
	return nil
}

func (a *app) verifyV2(path, keyPath string, pub *secureboot.PublicKey, image []byte) error {
	status, err := secureboot.VerifyV2(image, pub)
	if a.json {
		doc := verifyJSON{File: path, Version: 2, Verified: err == nil}
		if err != nil {
			doc.Error = err.Error()
		}
		for _, st := range status {
			b := verifyBlockJSON{Index: st.Index, Present: st.Present, Verified: st.Verified}
			if st.Present {
				b.Scheme, b.KeyDigest = st.Scheme.String(), hex.EncodeToString(st.KeyDigest)
			}
			doc.Blocks = append(doc.Blocks, b)
		}
		if werr := writeJSON(a.stdout, doc); werr != nil {
			return werr
		}
	} else {
		printVerifyV2(a.stdout, image, status)
	}
	if err != nil {
		if errors.Is(err, secureboot.ErrInvalidSignature) && notSignedV2(image) {
			return usagef("%s: not signed: no Secure Boot V2 signature block after the image", path)
		}
		return verifyOutcome(path, err)
	}
	if !a.json {
		for _, st := range status {
			if st.Verified {
				fmt.Fprintf(a.stdout, "%s: signature block %d verified with %s\n", path, st.Index, keyPath)
				break
			}
		}
	}
	return nil
}

// notSignedV2 reports whether no slot of the signature sector even starts with a
// block's magic byte: the file was never signed, which is the caller's mistake
// (exit 2), unlike a damaged block or one made with another key (exit 1).
func notSignedV2(image []byte) bool {
	sector := image[len(image)-secureboot.SectorSize:]
	for i := range secureboot.MaxBlocks {
		if sector[i*secureboot.BlockSize] == secureboot.BlockMagic {
			return false
		}
	}
	return true
}

// parsePrivateKey parses the private key a flag names. The codec only says it found
// no private key; when the file holds a public key, say that, and what is needed.
func parsePrivateKey(flag, path string, pemData []byte, need string) (*secureboot.PrivateKey, error) {
	k, err := secureboot.ParsePrivateKeyPEM(pemData)
	if err == nil {
		return k, nil
	}
	if errors.Is(err, secureboot.ErrKeyFormat) {
		if _, perr := secureboot.ParseKeyPEM(pemData); perr == nil {
			return nil, usagef("%s %s: a public key; %s", flag, path, need)
		}
	}
	return nil, usageError{fmt.Errorf("%s %s: %w", flag, path, err)}
}

// printVerifyV2 prints espsecure's signature_info_v2 listing, then what the supplied
// key made of each block.
func printVerifyV2(w io.Writer, image []byte, status []secureboot.BlockStatus) {
	info, _ := secureboot.SignatureInfoV2(image)
	fmt.Fprint(w, info)
	for _, st := range status {
		switch {
		case !st.Present:
			fmt.Fprintf(w, "block %d: absent\n", st.Index)
		case st.Verified:
			fmt.Fprintf(w, "block %d: %s, verifies with the given key\n", st.Index, st.Scheme)
		default:
			fmt.Fprintf(w, "block %d: %s, does not verify with the given key\n", st.Index, st.Scheme)
		}
	}
}

func (a *app) newDigestPubkeyCommand() *cobra.Command {
	var (
		version, keyLen int
		keyPath         string
	)
	cmd := &cobra.Command{
		Use:   "digest-pubkey --key K OUT",
		Short: "Write the key digest Secure Boot burns into eFuse",
		Long: `Write the key digest Secure Boot burns into eFuse.

V2 (default): SHA-256 of the public key as a signature block stores it, for any
RSA-3072 or ECDSA key, private or public PEM (espsecure digest_sbv2_public_key,
digest_rsa_public_key).

--version 1: SHA-256 of the ECDSA P-256 private key, the secret Secure Boot V1 key
(espsecure digest_private_key; --keylen 192 truncates it for the 3/4 coding
scheme). That output is secret: it is written with mode 0600 and never to stdout.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if version != 1 && version != 2 {
				return usagef("--version must be 1 or 2, not %d", version)
			}
			if keyLen != 0 && version != 1 {
				return usagef("--keylen applies only to --version 1")
			}
			if keyLen != 0 && keyLen != 192 && keyLen != 256 {
				return usagef("--keylen must be 192 or 256, not %d", keyLen)
			}
			kb, err := a.readInput(keyPath)
			if err != nil {
				return err
			}
			defer clear(kb)
			if version == 2 {
				pub, err := secureboot.ParseKeyPEM(kb)
				if err != nil {
					return usageError{fmt.Errorf("--key %s: %w", keyPath, err)}
				}
				d, err := secureboot.DigestPublicKeyV2(pub)
				if err != nil {
					return usageError{fmt.Errorf("--key %s: %w", keyPath, err)}
				}
				return a.writeOutput(args[0], d)
			}
			if args[0] == "-" {
				return usagef("refusing to write the V1 key digest (a secret eFuse key) to stdout")
			}
			if keyLen == 0 {
				keyLen = 256
			}
			k, err := parsePrivateKey("--key", keyPath, kb, "the V1 digest is of the private key")
			if err != nil {
				return err
			}
			d, err := secureboot.DigestPrivateKeyV1(k, keyLen)
			if err != nil {
				return usageError{fmt.Errorf("--key %s: %w", keyPath, err)}
			}
			defer clear(d)
			return a.writeSecretAtomic(args[0], d)
		},
	}
	f := cmd.Flags()
	f.IntVar(&version, "version", 2, "Secure Boot version: 1 or 2")
	f.IntVar(&keyLen, "keylen", 0, "V1 only: 256 (default) or 192 bits (3/4 coding scheme)")
	f.StringVar(&keyPath, "key", "", "key file (PEM)")
	_ = cmd.MarkFlagRequired("key")
	return cmd
}

// writeSecretAtomic writes derived key material (reproducible from its source, so
// replacing it loses nothing) atomically and readable by its owner only.
func (a *app) writeSecretAtomic(path string, data []byte) error {
	return a.writeGuarded(path, data, 0o600, false)
}
