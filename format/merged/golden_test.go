package merged

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testdata/cases.json records esptool 4.8.1 merge_bin runs over the small inputs
// next to it (built by format/appimage or random): the output's SHA-256 and
// length, or the error, and the informational lines it printed.
type goldenCase struct {
	Name     string   `json:"name"`
	Argv     []string `json:"argv"`
	ExitCode int      `json:"exit_code"`
	SHA256   string   `json:"expected_sha256"`
	Len      int      `json:"expected_len"`
	Error    string   `json:"error"`
	Stdout   []string `json:"stdout"`
}

func TestGoldenEsptool(t *testing.T) {
	raw, err := os.ReadFile("testdata/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []goldenCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			opts, files := parseMergeArgv(t, c.Argv)
			parts := make([]Part, len(files))
			for i, f := range files {
				data, err := os.ReadFile(filepath.Join("testdata", f.name))
				if err != nil {
					t.Fatal(err)
				}
				parts[i] = Part{Addr: f.addr, Data: data, Name: f.name}
			}
			out, events, err := MergeWithEvents(opts, parts)
			if c.ExitCode != 0 {
				if err == nil || !strings.Contains(err.Error(), c.Error) {
					t.Fatalf("error %v, want one containing %q", err, c.Error)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(out)
			if len(out) != c.Len || hex.EncodeToString(sum[:]) != c.SHA256 {
				t.Errorf("output (%d bytes) differs from esptool's (%d bytes)", len(out), c.Len)
			}
			var want, got []string
			for _, l := range c.Stdout {
				if strings.HasPrefix(l, "Flash params set") || strings.HasPrefix(l, "SHA digest") || strings.HasPrefix(l, "Warning: Image") {
					want = append(want, l)
				}
			}
			for _, e := range events {
				got = append(got, e.Message)
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("events %q, want %q", got, want)
			}
		})
	}
}
