package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/conformance"
)

// confFS copies a conformance case into an in-memory filesystem rooted at /case.
func confFS(t *testing.T, c conformance.Case) afero.Fs {
	t.Helper()
	fs := afero.NewMemMapFs()
	err := filepath.Walk(c.Dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(c.Dir, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return afero.WriteFile(fs, filepath.Join("/case", rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// translate turns a reference tool's argv into espcompose's, keeping option values and
// making file names absolute inside /case.
func translate(argv []string, keep map[string]string, files map[string]bool) []string {
	var out []string
	for _, a := range argv {
		if v, ok := keep[a]; ok {
			if v != "" {
				out = append(out, v)
			}
			continue
		}
		if files[a] || strings.HasSuffix(a, ".bin") || strings.HasSuffix(a, ".csv") || strings.HasSuffix(a, ".hex") || strings.HasSuffix(a, ".uf2") {
			out = append(out, "/case/"+a)
			continue
		}
		out = append(out, a)
	}
	return out
}

func TestCLIPartitionTableConformance(t *testing.T) {
	for _, c := range conformance.Load(t, "parttable") {
		t.Run(c.Name, func(t *testing.T) {
			fs := confFS(t, c)
			argv := c.Command[2:] // drop "python3 gen_esp32part.py"
			in := argv[len(argv)-2]
			if !strings.HasSuffix(in, ".csv") {
				// bin → CSV direction
				code, _, stderr := runCLI(t, fs, nil, "partition-table", "decode", "/case/"+in, "/case/out.csv")
				if code != 0 {
					t.Fatalf("decode: %s", stderr)
				}
				got, _ := afero.ReadFile(fs, "/case/out.csv")
				if want := c.File(t, *c.Expected); !bytes.Equal(got, want) {
					t.Errorf("decode output differs")
				}
				return
			}
			args := append([]string{"partition-table", "encode"}, translate(argv[:len(argv)-1], nil, nil)...)
			args = append(args, "/case/out.bin")
			code, _, stderr := runCLI(t, fs, nil, args...)
			got, readErr := afero.ReadFile(fs, "/case/out.bin")
			if c.ExpectedError {
				if code == 0 || !strings.Contains(stderr, c.ErrorContains) {
					t.Errorf("exit %d, stderr %q; want failure containing %q", code, stderr, c.ErrorContains)
				}
				if readErr == nil {
					t.Errorf("a failed encode left %d bytes of output", len(got))
				}
				return
			}
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if want := c.File(t, *c.Expected); !bytes.Equal(got, want) {
				t.Errorf("output differs from %s", *c.Expected)
			}
		})
	}
}

func TestCLIMergeConformance(t *testing.T) {
	keep := map[string]string{"--flash_mode": "--flash-mode", "--flash_freq": "--flash-freq", "--flash_size": "--flash-size", "-o": "-o"}
	for _, c := range conformance.Load(t, "merge") {
		t.Run(c.Name, func(t *testing.T) {
			fs := confFS(t, c)
			var argv []string
			for i := 3; i < len(c.Command); i++ { // drop "python3 -m esptool"
				a := c.Command[i]
				if a == "merge_bin" {
					continue
				}
				argv = append(argv, a)
			}
			args := append([]string{"merge"}, translate(argv, keep, nil)...)
			code, _, stderr := runCLI(t, fs, nil, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s (args %v)", code, stderr, args)
			}
			got, err := afero.ReadFile(fs, "/case/"+*c.Expected)
			if err != nil {
				t.Fatal(err)
			}
			if want := c.File(t, *c.Expected); !bytes.Equal(got, want) {
				t.Errorf("merged output differs from %s", *c.Expected)
			}
		})
	}
}

func TestCLIImageInfoConformance(t *testing.T) {
	for _, c := range conformance.Load(t, "imageinfo") {
		t.Run(c.Name, func(t *testing.T) {
			fs := confFS(t, c)
			args := []string{"image", "info", "--chip", c.Param("chip"), "--version", c.Param("version"), "/case/" + c.Param("image")}
			code, stdout, stderr := runCLI(t, fs, nil, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			want := string(c.File(t, *c.Expected))
			_, body, _ := strings.Cut(want, "\n") // our output has no esptool banner line
			if stdout != body {
				t.Errorf("image info differs:\n--- want\n%s\n--- got\n%s", body, stdout)
			}
		})
	}
}
