package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/espcompose/espcompose/internal/signers"
)

// newSignRequestCommand writes every digest a build needs signed, for two-phase
// (offline) signing: the signing service returns one <digest>.sig file each, and
// `build --signatures DIR` assembles the signature blocks, verifying each first.
func (a *app) newSignRequestCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sign-request -o REQUEST.json",
		Short: "Write the digests a build needs signed (two-phase offline signing)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("out") {
				return usagef("sign-request needs -o FILE")
			}
			out := a.out
			a.outIsFile = true
			p, err := a.loadProject(false, "", nil)
			if err != nil {
				return err
			}
			defer p.Close()
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			reqs, err := p.SignRequests(ctx)
			if err != nil {
				return cliError(err)
			}
			if len(reqs) == 0 {
				return usagef("%s signs nothing: there is no security.secure_boot block", a.file)
			}
			doc, _ := json.MarshalIndent(map[string]any{
				"format":   "espcompose-sign-request/1",
				"requests": reqs,
				"note":     "Sign each digest (it is the image digest itself: use a digest-input mechanism, do not hash it again) and save the raw signature as signature_file in one directory; then run espcompose build --signatures DIR.",
			}, "", "  ")
			if err := a.writeOutput(out, append(doc, '\n')); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%d digest(s) to sign written to %s\n", len(reqs), out)
			return nil
		},
	}
	return cmd
}

// newSignDigestCommand signs one digest with a local key, deterministically: a
// stand-in for an HSM or signing service in tests and examples, and a building block
// for teams writing their own signing service.
func (a *app) newSignDigestCommand() *cobra.Command {
	var keyFile string
	cmd := &cobra.Command{
		Use:   "sign-digest --key PRIVATE.pem DIGEST_FILE SIGNATURE_FILE",
		Short: "Sign a raw image digest with a local key (a signing-service stand-in)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if keyFile == "" {
				return usagef("sign-digest needs --key")
			}
			pemData, err := a.readInput(keyFile)
			if err != nil {
				return err
			}
			defer clear(pemData)
			k, err := parsePrivateKey("--key", keyFile, pemData, "signing needs the private key")
			if err != nil {
				return err
			}
			signer := signers.NewLocalKey(filepath.Base(keyFile), k, nil)
			digest, err := a.readInput(args[0])
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			sig, err := signer.SignDigest(ctx, digest)
			if err != nil {
				// Name the digest file: a wrong length is the digest's mistake.
				return usageError{fmt.Errorf("%s: %w", args[0], err)}
			}
			return a.writeOutput(args[1], sig)
		},
	}
	cmd.Flags().StringVar(&keyFile, "key", "", "private key PEM")
	return cmd
}
