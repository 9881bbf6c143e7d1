package main

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// walkCommands calls fn for c and every command below it.
func walkCommands(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, sub := range c.Commands() {
		walkCommands(sub, fn)
	}
}

// TestEveryCommandHasExamples: `--help` of every command and subcommand shows
// examples, and helpExamples names no command that does not exist.
func TestEveryCommandHasExamples(t *testing.T) {
	root := (&app{}).newRootCommand()
	exists := map[string]bool{}
	walkCommands(root, func(c *cobra.Command) {
		name := commandName(c.CommandPath())
		exists[name] = true
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%q has no Example: add one to helpExamples (help_examples.go) or to its cobra.Command", c.CommandPath())
		}
	})
	for name := range helpExamples {
		if !exists[name] {
			t.Errorf("helpExamples has %q, which is not a command", name)
		}
	}
	// And the help shows them.
	code, stdout, _ := runCLI(t, quickstartFS(t), nil, "nvs", "encode", "--help")
	if code != 0 || !strings.Contains(stdout, "Examples:\n  espcompose nvs encode nvs.csv nvs.bin --size 0x6000\n") {
		t.Errorf("nvs encode --help: exit %d\n%s", code, stdout)
	}
}

// TestHelpExamplesParse parses each example line as espcompose would: it must name a
// command, and that command must accept its flags and its number of arguments. So an
// example cannot use a flag that does not exist or was renamed.
func TestHelpExamplesParse(t *testing.T) {
	walkCommands((&app{}).newRootCommand(), func(c *cobra.Command) {
		for _, line := range strings.Split(c.Example, "\n") {
			args, ok := exampleArgs(line)
			if !ok {
				continue
			}
			if err := parseExample(args); err != nil {
				t.Errorf("%s: example %q: %v", c.CommandPath(), strings.TrimSpace(line), err)
			}
		}
	})
}

// exampleArgs turns one example line into the arguments after "espcompose": it
// drops a trailing comment, leading VAR=value assignments and anything after a pipe
// or a redirection, and unquotes "...". ok is false for a line that runs no
// espcompose.
func exampleArgs(line string) ([]string, bool) {
	line, _, _ = strings.Cut(line, " #")
	for _, sep := range []string{" | ", " > ", " >> "} {
		line, _, _ = strings.Cut(line, sep)
	}
	fields := strings.Fields(line)
	for len(fields) > 0 && strings.Contains(fields[0], "=") {
		fields = fields[1:]
	}
	if len(fields) == 0 || fields[0] != "espcompose" {
		return nil, false
	}
	args := fields[1:]
	for i, a := range args {
		args[i] = strings.Trim(a, `"`)
	}
	return args, true
}

// parseExample resolves args to a command on a fresh tree and parses its flags and
// arguments, without running it.
func parseExample(args []string) error {
	root := (&app{}).newRootCommand()
	root.InitDefaultHelpFlag()
	root.InitDefaultVersionFlag()
	c, rest, err := root.Find(normalizeVarFlag(args))
	if err != nil {
		return err
	}
	c.InitDefaultHelpFlag()
	if err := c.ParseFlags(rest); err != nil {
		return err
	}
	if c.Runnable() {
		return c.ValidateArgs(c.Flags().Args())
	}
	return nil
}
