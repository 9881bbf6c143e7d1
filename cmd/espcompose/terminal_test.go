package main

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

// runTTY runs espcompose as runCLI does, but with stderr reported as a terminal of
// the given width when tty is set, so colour can be tested without a real TTY.
func runTTY(t *testing.T, fs afero.Fs, env map[string]string, tty bool, width int, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{
		fs: fs, stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		getenv:   func(k string) string { return env[k] },
		environ:  func() []string { return nil },
		terminal: func(io.Writer) (bool, int) { return tty, width },
	}
	code := a.run(args)
	return code, out.String(), errb.String()
}

// badChipFS is the quickstart project with an unknown chip on line 13.
func badChipFS(t *testing.T) afero.Fs {
	t.Helper()
	fs := quickstartFS(t)
	b, _ := afero.ReadFile(fs, "/qs/espcompose.hcl")
	b = bytes.Replace(b, []byte(`chip       = "esp32c3"`), []byte(`chip       = "esp99"`), 1)
	if err := afero.WriteFile(fs, "/qs/espcompose.hcl", b, 0o644); err != nil {
		t.Fatal(err)
	}
	return fs
}

// TestDiagnosticCarets pins the whole text of a manifest error: the block it is in,
// the source line, carets under exactly the bad value, then the detail wrapped at
// 100 columns (stderr is not a terminal).
func TestDiagnosticCarets(t *testing.T) {
	code, stdout, stderr := runCLI(t, badChipFS(t), nil, "validate", "-f", "/qs/espcompose.hcl")
	want := `Error: Unknown chip

  on /qs/espcompose.hcl line 13, in target:
  13:   chip       = "esp99"
                     ^^^^^^^

"esp99" is not a supported chip (did you mean "esp32"?). Supported: esp32, esp32s2, esp32s3,
esp32c2, esp32c3, esp32c5, esp32c6, esp32c61, esp32h2, esp32p4.

`
	if code != exitUsage || stdout != "" || stderr != want {
		t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant:\n%s", code, stdout, stderr, want)
	}
}

// TestDiagnosticCaretsMultiLine: a range over several lines is underlined on each,
// and a tab before the range is kept so the carets line up in a terminal.
func TestDiagnosticCaretsMultiLine(t *testing.T) {
	fs := afero.NewMemMapFs()
	src := "espcompose {\n\tversion = 1\n}\n\ntarget {\n\tchip = [\n\t\t\"esp32\",\n\t]\n\tflash_size = \"4MB\"\n}\n"
	_ = afero.WriteFile(fs, "/m.hcl", []byte(src), 0o644)
	code, _, stderr := runCLI(t, fs, nil, "validate", "-f", "/m.hcl")
	if code != exitUsage {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	for _, want := range []string{
		"   6: \tchip = [\n      \t       ^\n",
		"   7: \t\t\"esp32\",\n      \t\t^^^^^^^^\n",
		"   8: \t]\n      \t^\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	// --json: the snippet holds the three whole lines, the highlight the tuple.
	_, stdout, _ := runCLI(t, fs, nil, "validate", "--json", "-f", "/m.hcl")
	var doc struct{ Diagnostics []jsonDiag }
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || len(doc.Diagnostics) != 1 || doc.Diagnostics[0].Snippet == nil {
		t.Fatalf("--json: %v\n%s", err, stdout)
	}
	sn := doc.Diagnostics[0].Snippet
	want := jsonSnippet{Context: "target", Code: "\tchip = [\n\t\t\"esp32\",\n\t]", StartLine: 6, HighlightStartOffset: 8, HighlightEndOffset: 23}
	if *sn != want {
		t.Errorf("snippet %+v, want %+v", *sn, want)
	}
	if got := sn.Code[sn.HighlightStartOffset:sn.HighlightEndOffset]; got != "[\n\t\t\"esp32\",\n\t]" {
		t.Errorf("the highlight holds %q", got)
	}
}

// TestColourOnlyOnATerminal: ANSI colour only when stderr is a terminal, and never
// with NO_COLOR (any non-empty value), --no-color or TERM=dumb.
func TestColourOnlyOnATerminal(t *testing.T) {
	args := []string{"validate", "-f", "/qs/espcompose.hcl"}
	for _, tc := range []struct {
		name  string
		tty   bool
		env   map[string]string
		extra []string
		color bool
	}{
		{"terminal", true, nil, nil, true},
		{"pipe", false, nil, nil, false},
		{"NO_COLOR", true, map[string]string{"NO_COLOR": "1"}, nil, false},
		{"NO_COLOR empty", true, map[string]string{"NO_COLOR": ""}, nil, true},
		{"--no-color", true, nil, []string{"--no-color"}, false},
		{"TERM=dumb", true, map[string]string{"TERM": "dumb"}, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runTTY(t, badChipFS(t), tc.env, tc.tty, 80, append(args, tc.extra...)...)
			if code != exitUsage {
				t.Fatalf("exit %d:\n%s", code, stderr)
			}
			hasColor := strings.Contains(stderr, "\x1b[")
			if hasColor != tc.color {
				t.Fatalf("colour %v, want %v:\n%q", hasColor, tc.color, stderr)
			}
			if !tc.color {
				return
			}
			// In colour: the severity red, the bad value bold-underlined, the carets red.
			for _, want := range []string{
				sgrRed + "Error" + sgrReset + ": Unknown chip",
				`  13:   chip       = ` + sgrHighlight + `"esp99"` + sgrReset,
				"                     " + sgrRed + "^^^^^^^" + sgrReset,
			} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%q", want, stderr)
				}
			}
			// The detail wraps at the terminal's width (80), not at 100.
			for _, line := range strings.Split(stderr, "\n") {
				if len(line) > 80 && !strings.Contains(line, "\x1b[") {
					t.Errorf("line longer than the 80-column terminal: %q", line)
				}
			}
		})
	}
}
