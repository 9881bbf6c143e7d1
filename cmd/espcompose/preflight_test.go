package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

// Inputs that used to be noticed only after stages ran (so cache entries were already
// written) are refused before anything is written.
func TestPreflightRefusesBeforeWriting(t *testing.T) {
	cases := []struct {
		name  string
		env   map[string]string
		edit  func(string) string
		want  []string
		setup func(t *testing.T, dir string)
	}{
		{name: "bad SOURCE_DATE_EPOCH", env: map[string]string{"SOURCE_DATE_EPOCH": "yesterday"},
			want: []string{`espcompose: SOURCE_DATE_EPOCH="yesterday" is not a number of seconds`}},
		{name: "PKCS#11 module that does not load",
			edit: func(s string) string {
				return strings.Replace(s, `  public_key = "keys/release_pub.pem"
  signer     = ["sh", "tools/hsm-sign.sh", "{digest_file}", "{signature_file}"]`, `  public_key = "keys/release_pub.pem"
  pkcs11 {
    module  = "/nonexistent/libsofthsm2.so"
    token   = "release"
    label   = "fw-signing"
    pin_env = "HSM_PIN"
  }`, 1)
			},
			env:  map[string]string{"HSM_PIN": "1234"},
			want: []string{"Error: Cannot set up the signer", `in key "release":`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			copyTree(t, filepath.Join(examplesDir, "remote-signing"), dir)
			if c.edit != nil {
				mf := filepath.Join(dir, "espcompose.hcl")
				src := string(mustRead(t, mf))
				out := c.edit(src)
				if out == src {
					t.Fatal("edit did not apply")
				}
				_ = os.WriteFile(mf, []byte(out), 0o644)
			}
			t.Chdir(dir)
			before := treeState(t, dir)
			code, _, stderr := runCLI(t, afero.NewOsFs(), c.env, "build")
			if code != exitUsage {
				t.Fatalf("exit %d, want 2:\n%s", code, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			assertSameTree(t, before, treeState(t, dir))
		})
	}
}
