package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

// TestSkipCompletionCmdKeepsHelp checks that leaving cobra's completion command out
// when a command is named changes nothing that command prints: each command's
// --help through run (which skips it) equals the help from the full tree.
func TestSkipCompletionCmdKeepsHelp(t *testing.T) {
	full := (&app{fs: afero.NewMemMapFs()}).newRootCommand()
	n := 0
	for _, c := range full.Commands() {
		name := c.Name()
		args := []string{name, "--help"}
		_, got, _ := runCLI(t, afero.NewMemMapFs(), nil, args...)

		var want bytes.Buffer
		a := &app{fs: afero.NewMemMapFs(), stdin: strings.NewReader(""), stdout: &want, stderr: &want}
		root := a.newRootCommand()
		root.SetArgs(args)
		root.SetOut(&want)
		root.SetErr(&want)
		if _, err := root.ExecuteC(); err != nil {
			t.Fatalf("%s --help: %v", name, err)
		}
		if got != want.String() {
			t.Errorf("%s --help differs with the completion command left out:\n--- got\n%s\n--- want\n%s", name, got, want.String())
		}
		n++
	}
	if n < 20 {
		t.Fatalf("only %d commands checked", n)
	}
	// The root's own help still lists the completion command.
	_, out, _ := runCLI(t, afero.NewMemMapFs(), nil, "--help")
	if !strings.Contains(out, "completion") {
		t.Errorf("espcompose --help no longer lists completion:\n%s", out)
	}
	_, out, _ = runCLI(t, afero.NewMemMapFs(), nil, "completion", "bash")
	if !strings.Contains(out, "bash completion") {
		t.Errorf("espcompose completion bash printed no script:\n%.300s", out)
	}
}
