package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

// runBoth runs args through run twice, building only the named command's tree and
// building every command, and fails unless exit code, stdout and stderr agree.
func runBoth(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var res [2]struct {
		code     int
		out, err string
	}
	for i, full := range []bool{false, true} {
		var out, errb bytes.Buffer
		a := &app{
			fs: afero.NewMemMapFs(), stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
			getenv: func(string) string { return "" }, environ: func() []string { return nil },
			fullTree: full,
		}
		res[i].code = a.run(args)
		res[i].out, res[i].err = out.String(), errb.String()
	}
	if res[0] != res[1] {
		t.Errorf("%q differs with only the named command built:\n--- got: exit %d\n%s%s\n--- want: exit %d\n%s%s",
			args, res[0].code, res[0].out, res[0].err, res[1].code, res[1].out, res[1].err)
	}
	return res[0].code, res[0].out, res[0].err
}

// TestNamedCommandTreeKeepsBehaviour checks that building only the named command's
// tree changes nothing a user sees: help of every command and subcommand, usage
// errors, unknown subcommands, root's help and cobra's completion command.
func TestNamedCommandTreeKeepsBehaviour(t *testing.T) {
	full := (&app{fs: afero.NewMemMapFs()}).newRootCommand()
	quick := 0
	for _, c := range full.Commands() {
		name := c.Name()
		mk := (&app{}).commandConstructor(name)
		if mk == nil {
			t.Logf("%s: not in commandConstructor, runs through the full tree", name)
			continue
		}
		if got := mk().Name(); got != name {
			t.Fatalf("commandConstructor(%q) builds %q", name, got)
		}
		quick++
		runBoth(t, name, "--help")
		runBoth(t, name, "--no-such-flag")
		runBoth(t, name, "--json", "--no-such-flag")
		for _, sub := range c.Commands() {
			runBoth(t, name, sub.Name(), "--help")
			runBoth(t, name, sub.Name(), "--no-such-flag")
		}
		runBoth(t, name, "no-such-subcommand")
	}
	if quick < 20 {
		t.Fatalf("only %d commands take the short path", quick)
	}
	if code, out, _ := runBoth(t, "version"); code != 0 || !strings.HasPrefix(out, "espcompose ") {
		t.Errorf("version: exit %d, %q", code, out)
	}
	runBoth(t, "--json", "version")
	runBoth(t, "biuld")
	runBoth(t, "help", "build")
	// Root's own help and cobra's completion command come from the full tree.
	_, out, _ := runBoth(t, "--help")
	for _, c := range full.Commands() {
		if !c.Hidden && !strings.Contains(out, "\n  "+c.Name()+" ") {
			t.Errorf("espcompose --help no longer lists %s", c.Name())
		}
	}
	if !strings.Contains(out, "completion") {
		t.Errorf("espcompose --help no longer lists completion:\n%s", out)
	}
	if _, out, _ = runBoth(t, "completion", "bash"); !strings.Contains(out, "bash completion") {
		t.Errorf("espcompose completion bash printed no script:\n%.300s", out)
	}
}
