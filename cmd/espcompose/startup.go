package main

import "github.com/spf13/cobra"

// skipCompletionCmd spares a process that runs one of espcompose's own commands
// the cost of cobra's `completion` command tree (four shell subcommands, built
// anew on every Execute): when the first argument names a command of root, the
// completion command can be neither run nor listed in the help that command
// prints. Any other first argument (a flag, `help`, `completion`, cobra's
// `__complete`, a typo) gets the full tree, so help and suggestions are unchanged.
func skipCompletionCmd(root *cobra.Command, args []string) {
	if len(args) == 0 {
		return
	}
	for _, c := range root.Commands() {
		if c.Name() == args[0] {
			root.CompletionOptions.DisableDefaultCmd = true
			return
		}
	}
}
