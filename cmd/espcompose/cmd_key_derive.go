package main

import (
	"github.com/spf13/cobra"
)

// newKeyDeriveCommand: the derived flash encryption key of one device, written to a
// file only for the moment it is burned. The per-device efuse-plan.sh runs it into a
// private temporary folder and removes the file after espefuse burn_key.
func (a *app) newKeyDeriveCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "derive --device ID KEY OUT",
		Short: "Write one device's derived flash encryption key (key.derive_from), to burn it",
		Long: `Write the flash encryption key that key block KEY (one with derive_from) gives
device ID, readable by its owner only (mode 0600); the device's images were encrypted
with exactly this key. An existing file is never replaced, and the key is never
written to stdout, logged or cached.

The manifest (-f) is loaded as build loads it, without writing anything; -var and
ESPCOMPOSE_VAR_* apply as they do to build. Each device's efuse-plan.sh runs this
command into a private temporary folder, burns the key and removes the file: a
derived key needs no key file kept per device, only the master secret.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if a.device == "" {
				return usagef("key derive: --device ID names the device whose key to derive")
			}
			if err := a.checkAbsent("key derive", args[1]); err != nil {
				return err
			}
			p, err := a.loadProject(true, "", nil)
			if err != nil {
				return err
			}
			defer p.Close() // zeroes the key
			if !p.Devices() {
				return usagef("key derive: %s has no devices block, so it derives no per-device keys", a.file)
			}
			key, err := p.Configs[0].DerivedKey(args[0])
			if err != nil {
				return cliError(err)
			}
			return a.writeSecret("key derive", args[1], key)
		},
	}
}
