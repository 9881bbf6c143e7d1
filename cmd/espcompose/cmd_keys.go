package main

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/stages"
)

// newKeyCommand: the key operations espsecure has and the other low-level commands
// lacked: generate_signing_key, generate_flash_encryption_key, extract_public_key and
// digest_secure_bootloader.
func (a *app) newKeyCommand() *cobra.Command {
	root := &cobra.Command{Use: "key", Short: "Generate keys, extract public keys, digest a V1 bootloader (espsecure key operations)"}

	var algorithm string
	gen := &cobra.Command{
		Use:   "generate --algorithm A OUT",
		Short: "Write a new random key (espsecure generate_signing_key / generate_flash_encryption_key)",
		Long: `Write a new random key, readable by its owner only (mode 0600). An existing file is
never replaced: its key may already be burned into a chip.

Algorithms: ` + strings.Join(generatable(), ", ") + `.
Signing keys are PEM (PKCS#1 for RSA, SEC1 for ECDSA, as espsecure writes them); the
others are raw bytes (xts-aes-256: 64 bytes, nvs-xts: an nvs_keys partition image).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !stages.CanGenerate(algorithm) {
				return usagef("--algorithm: espcompose cannot generate %q keys (one of: %s)", algorithm, strings.Join(generatable(), ", "))
			}
			if err := a.checkAbsent("key generate", args[0]); err != nil {
				return err
			}
			k, err := stages.GenerateKey(algorithm, a.random())
			if err != nil {
				return err
			}
			defer clear(k)
			return a.writeSecret("key generate", args[0], k)
		},
	}
	gen.Flags().StringVar(&algorithm, "algorithm", "", "key algorithm, e.g. rsa-3072, ecdsa-p256, xts-aes-256")
	_ = gen.MarkFlagRequired("algorithm")

	var version int
	var keyPath string
	pub := &cobra.Command{
		Use:   "public --key PRIVATE.pem OUT",
		Short: "Write the public key of a signing key (espsecure extract_public_key)",
		Long: `Write the public key of a Secure Boot signing key: with --version 2 (default) as a
PEM public key, with --version 1 as the raw 64-byte X||Y the V1 bootloader embeds.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if version != 1 && version != 2 {
				return usagef("--version must be 1 or 2, not %d", version)
			}
			b, err := a.readInput(keyPath)
			if err != nil {
				return err
			}
			k, err := parsePrivateKey("--key", keyPath, b, "extracting a public key needs the private key")
			clear(b)
			if err != nil {
				return err
			}
			var out []byte
			if version == 1 {
				out, err = secureboot.PublicKeyV1(k.Public())
			} else {
				out, err = k.Public().MarshalPEM()
			}
			if err != nil {
				return usageError{fmt.Errorf("--key %s: %w", keyPath, err)}
			}
			return a.writeOutput(args[0], out)
		},
	}
	pub.Flags().IntVar(&version, "version", 2, "Secure Boot version: 1 (raw X||Y) or 2 (PEM)")
	pub.Flags().StringVar(&keyPath, "key", "", "private signing key (PEM)")
	_ = pub.MarkFlagRequired("key")

	var bkey, ivPath string
	var randomIV bool
	dig := &cobra.Command{
		Use:   "bootloader-digest --key KEY.bin BOOTLOADER.bin OUT",
		Short: "Secure Boot V1 reflashable bootloader: digest sector + image (espsecure digest_secure_bootloader)",
		Long: `Write the 0x1000-byte digest sector (IV, digest) followed by the bootloader, as
espsecure digest_secure_bootloader does, for flashing at 0x0 with a pre-loaded key.

The IV is derived from the key and the image, so the output is reproducible;
--iv FILE uses the first 128 bytes of FILE (as espsecure --iv), --random-iv draws it
at random (espsecure's default).`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if ivPath != "" && randomIV {
				return usagef("--iv and --random-iv are mutually exclusive")
			}
			key, err := a.readInput(bkey)
			if err != nil {
				return err
			}
			defer clear(key)
			img, err := a.readInput(args[0])
			if err != nil {
				return err
			}
			var iv []byte
			switch {
			case ivPath != "":
				if iv, err = a.readInput(ivPath); err != nil {
					return err
				}
				if len(iv) > 128 {
					iv = iv[:128]
				}
			case randomIV:
				iv = make([]byte, 128)
				if _, err := io.ReadFull(a.random(), iv); err != nil {
					return err
				}
			default:
				iv = secureboot.DerivedBootloaderIV(key, img)
			}
			out, err := secureboot.DigestSecureBootloader(key, iv, img)
			if errors.Is(err, secureboot.ErrHardwareKey) {
				return usageError{fmt.Errorf("--key %s: %w", bkey, err)}
			}
			if err != nil {
				return usageError{fmt.Errorf("%s: %w", args[0], err)}
			}
			return a.writeOutput(args[1], out)
		},
	}
	dig.Flags().StringVar(&bkey, "key", "", "Secure Boot V1 key (raw 16, 24 or 32 bytes)")
	dig.Flags().StringVar(&ivPath, "iv", "", "IV file (first 128 bytes used)")
	dig.Flags().BoolVar(&randomIV, "random-iv", false, "draw the IV at random, as espsecure does")
	_ = dig.MarkFlagRequired("key")

	root.AddCommand(gen, pub, dig, a.newKeyDeriveCommand())
	return root
}

func generatable() []string {
	var out []string
	for _, alg := range []string{"rsa-3072", "ecdsa-p256", "ecdsa-p384", "aes-128", "aes-192", "aes-256", "xts-aes-128", "xts-aes-256", "xts-aes-128-derived", "hmac", "nvs-hmac", "nvs-xts"} {
		if stages.CanGenerate(alg) {
			out = append(out, alg)
		}
	}
	sort.Strings(out)
	return out
}
