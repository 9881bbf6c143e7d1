package dropin

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/conformance"
)

// caseEnv copies a conformance case into memory at /case and returns an Env whose
// working directory is /case, as the reference ran there.
func caseEnv(t *testing.T, c conformance.Case) (*Env, afero.Fs, *bytes.Buffer, *bytes.Buffer) {
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
	var out, errb bytes.Buffer
	env := &Env{FS: fs, Stdout: &out, Stderr: &errb, Dir: "/case", Rand: bytes.NewReader(bytes.Repeat([]byte{7}, 1<<16)),
		Write: func(p string, data []byte, mode os.FileMode, exclusive bool) error {
			if exclusive {
				if _, err := fs.Stat(p); err == nil {
					return os.ErrExist
				}
			}
			if err := fs.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			return afero.WriteFile(fs, p, data, mode)
		}}
	return env, fs, &out, &errb
}

// toolOf maps a reference argv ("python3 -m espsecure ...", "python3
// gen_esp32part.py ...") to the drop-in and its arguments.
func toolOf(t *testing.T, argv []string) (string, []string) {
	t.Helper()
	switch {
	case len(argv) > 2 && argv[1] == "-m":
		switch argv[2] {
		case "espsecure", "esptool":
			return argv[2], argv[3:]
		case "esp_idf_nvs_partition_gen":
			return "nvs_partition_gen", argv[3:]
		}
	case len(argv) > 1 && filepath.Base(argv[1]) == "gen_esp32part.py":
		return "gen_esp32part", argv[2:]
	case len(argv) > 2 && argv[1] == "fsgen_pinned.py":
		// The vectors' pinned run of spiffsgen/fatfsgen/wl_fatfsgen: their options,
		// plus --volume_id/--device_id for the ids the plain tools draw at random.
		return argv[2], argv[3:]
	}
	t.Fatalf("no drop-in for %v", argv)
	return "", nil
}

type confStep struct {
	Argv []string `json:"argv"`
}

type confVerify struct {
	Command        []string `json:"command"`
	ExpectedVerify bool     `json:"expected_verify"`
}

type confExtra struct {
	Commands          []confStep   `json:"commands"`
	ReverseCommand    []string     `json:"reverse_command"`
	DecryptCommand    []string     `json:"decrypt_command"`
	Verify            []confVerify `json:"verify"`
	SigningRandomized bool         `json:"signing_randomized"`
	ExitCode          int          `json:"exit_code"`
	ExpectedFiles     any          `json:"expected_files"`
	ExpectedSigInfo   string       `json:"expected_signature_info"`
}

// TestConformanceCommands runs every vector's own command line (the reference
// tool's argv) through the drop-in and compares the outputs byte for byte. Where the
// reference signs at random, the signature is verified instead (with the verify
// commands of the case, also run through the drop-in).
func TestConformanceCommands(t *testing.T) {
	for _, fam := range []string{"parttable", "nvs", "flashenc", "secureboot", "merge", "imageinfo", "espat", "fsimage"} {
		for _, c := range conformance.Load(t, fam) {
			t.Run(fam+"/"+c.Name, func(t *testing.T) { runCase(t, c) })
		}
	}
}

func runCase(t *testing.T, c conformance.Case) {
	var x confExtra
	c.Decode(t, &x)
	env, fs, stdout, stderr := caseEnv(t, c)
	steps := [][]string{c.Command}
	if len(x.Commands) > 0 {
		steps = nil
		for _, s := range x.Commands {
			steps = append(steps, s.Argv)
		}
	}
	if c.Family == "secureboot" && x.SigningRandomized {
		// signed.bin is an input made by the reference; sign again into a new file
		// and check both verify.
		steps = nil
	}
	var code int
	for _, argv := range steps {
		tool, args := toolOf(t, argv)
		stdout.Reset()
		stderr.Reset()
		code = Run(tool, args, env)
		if code != 0 {
			break
		}
	}
	if c.ExpectedError {
		if code == 0 {
			t.Fatalf("reference fails (exit %d), drop-in succeeded", x.ExitCode)
		}
		if x.ExitCode != 0 && code != x.ExitCode {
			t.Errorf("exit %d, reference %d", code, x.ExitCode)
		}
		if msg := stdout.String() + stderr.String(); !strings.Contains(msg, c.ErrorContains) {
			t.Errorf("message %q lacks the reference's %q", msg, c.ErrorContains)
		}
		return
	}
	if code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if c.Family == "fsimage" {
		// expected.bin.gz is the image gzipped; the command wrote expected.bin.
		got, err := afero.ReadFile(fs, "/case/expected.bin")
		if err != nil {
			t.Fatalf("no image: %v", err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(c.File(t, *c.Expected)))
		if err != nil {
			t.Fatal(err)
		}
		want, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("image differs from the reference's (%d vs %d bytes)", len(got), len(want))
		}
		return
	}
	if c.Family == "imageinfo" || (c.Family == "secureboot" && c.Expected != nil && strings.HasSuffix(*c.Expected, ".txt") && !x.SigningRandomized) {
		if want := string(c.File(t, *c.Expected)); stdout.String() != want {
			t.Errorf("stdout differs:\n--- reference\n%s\n--- drop-in\n%s", want, stdout)
		}
	} else if c.Expected != nil && !x.SigningRandomized {
		got, err := afero.ReadFile(fs, filepath.Join("/case", *c.Expected))
		if err != nil {
			t.Fatalf("no output %s: %v", *c.Expected, err)
		}
		if want := c.File(t, *c.Expected); !bytes.Equal(got, want) {
			t.Errorf("%s differs from the reference (%d vs %d bytes)", *c.Expected, len(got), len(want))
		}
	}
	if c.ExpectedKeys != "" {
		got, err := afero.ReadFile(fs, filepath.Join("/case/keys", filepath.Base(c.ExpectedKeys)))
		if err != nil {
			got, err = afero.ReadFile(fs, filepath.Join("/case", c.ExpectedKeys))
		}
		if err != nil || !bytes.Equal(got, c.File(t, c.ExpectedKeys)) {
			t.Errorf("keys file differs from %s (%v)", c.ExpectedKeys, err)
		}
	}
	for _, more := range [][]string{x.ReverseCommand, x.DecryptCommand} {
		if len(more) == 0 {
			continue
		}
		tool, args := toolOf(t, more)
		if code := Run(tool, args, env); code != 0 {
			t.Fatalf("%v: exit %d: %s%s", more, code, stdout, stderr)
		}
	}
	if c.ExpectedCSV != "" {
		got, _ := afero.ReadFile(fs, filepath.Join("/case", c.ExpectedCSV))
		if !bytes.Equal(got, c.File(t, c.ExpectedCSV)) {
			t.Errorf("CSV output differs from %s", c.ExpectedCSV)
		}
	}
	if len(x.DecryptCommand) > 0 {
		var outName string
		for i, a := range x.DecryptCommand {
			if (a == "--output" || a == "-o") && i+1 < len(x.DecryptCommand) {
				outName = x.DecryptCommand[i+1]
			}
		}
		plain, _ := afero.ReadFile(fs, "/case/"+outName)
		in := c.File(t, c.Command[len(c.Command)-1])
		if !bytes.Equal(plain, in) {
			t.Errorf("decrypting the output does not give the plaintext back")
		}
	}
	for _, v := range x.Verify {
		tool, args := toolOf(t, v.Command)
		stdout.Reset()
		got := Run(tool, args, env) == 0
		if got != v.ExpectedVerify {
			t.Errorf("%v: verified=%v, reference %v\n%s", v.Command, got, v.ExpectedVerify, stdout)
		}
	}
	if x.SigningRandomized && len(c.Command) > 0 {
		// Re-sign with the drop-in into a fresh file; it must verify with the same keys.
		argv := append([]string{}, c.Command...)
		for i, a := range argv {
			if a == "signed.bin" {
				argv[i] = "resigned.bin"
			}
		}
		tool, args := toolOf(t, argv)
		if code := Run(tool, args, env); code != 0 {
			t.Fatalf("re-sign: exit %d: %s", code, stdout)
		}
		for _, v := range x.Verify {
			if !v.ExpectedVerify || !contains(v.Command, "signed.bin") {
				continue
			}
			cmd := append([]string{}, v.Command...)
			for i, a := range cmd {
				if a == "signed.bin" {
					cmd[i] = "resigned.bin"
				}
			}
			tool, args := toolOf(t, cmd)
			if code := Run(tool, args, env); code != 0 {
				t.Errorf("drop-in signature does not verify with %v: %s", cmd, stdout)
			}
		}
	}
}
