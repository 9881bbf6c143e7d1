package main

import "github.com/spf13/cobra"

// Every espcompose process builds its cobra tree before it runs anything: a few
// hundred flags over some twenty-five commands, and cobra's completion command
// with four shell subcommands, built anew on every Execute. A process that runs
// one command needs only that command's tree (cobra resolves the first argument
// among root's children, and a command's help names only its own subcommands and
// root's persistent flags), so when the first argument names a command, root gets
// only that one and no completion command. Any other first argument (a flag,
// `help`, `completion`, cobra's `__complete`, a typo) gets the full tree, so root's
// help, suggestions and completion are unchanged. TestNamedCommandTreeKeepsHelp
// checks that every command prints the same help either way.

// addNamedCommand adds the command a.named names, with its subcommands, and reports
// whether it did. Commands missing here still run, through the full tree.
func (a *app) addNamedCommand(root *cobra.Command) bool {
	mk := a.commandConstructor(a.named)
	if mk == nil {
		return false
	}
	root.AddCommand(mk())
	root.CompletionOptions.DisableDefaultCmd = true
	return true
}

// commandConstructor returns the constructor of a top-level command by name, or nil.
func (a *app) commandConstructor(name string) func() *cobra.Command {
	switch name {
	case "version":
		return a.newVersionCommand
	case "validate":
		return a.newValidateCommand
	case "plan":
		return a.newPlanCommand
	case "build":
		return a.newBuildCommand
	case "partition-table":
		return a.newPartitionTableCommand
	case "image":
		return a.newImageCommand
	case "merge":
		return a.newMergeCommand
	case "inspect":
		return a.newInspectCommand
	case "doctor":
		return a.newDoctorCommand
	case "sign-request":
		return a.newSignRequestCommand
	case "sign-digest":
		return a.newSignDigestCommand
	case "nvs":
		return a.newNVSCommand
	case "encrypt":
		return a.newEncryptCommand
	case "decrypt":
		return a.newDecryptCommand
	case "sign":
		return a.newSignCommand
	case "verify":
		return a.newVerifyCommand
	case "digest-pubkey":
		return a.newDigestPubkeyCommand
	case "fs":
		return a.newFSCommand
	case "lock":
		return a.newLockCommand
	case "diff":
		return a.newDiffCommand
	case "fmt":
		return a.newFmtCommand
	case "init":
		return a.newInitCommand
	case "links":
		return a.newLinksCommand
	case "key":
		return a.newKeyCommand
	case "devices":
		return a.newDevicesCommand
	case "cache":
		return a.newCacheCommand
	}
	return nil
}
