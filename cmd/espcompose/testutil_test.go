package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/testfs"
)

// runCLI runs espcompose in-process with the given filesystem and returns exit code,
// stdout and stderr.
func runCLI(t testing.TB, fs afero.Fs, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{
		fs: fs, stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		getenv: func(k string) string { return env[k] },
		environ: func() []string {
			var kv []string
			for k, v := range env {
				kv = append(kv, k+"="+v)
			}
			return kv
		},
	}
	code := a.run(args)
	return code, out.String(), errb.String()
}

// copyTree copies a directory of the repository into dst on the OS filesystem.
func copyTree(t testing.TB, src, dst string) { t.Helper(); testfs.ToDir(t, src, dst) }

// sha256hex is the lowercase hex SHA-256 of b, as SHA256SUMS and build.json write it.
func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
