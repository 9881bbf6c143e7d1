// Package dropin runs Espressif's command lines (espsecure.py, esptool.py merge_bin
// and image_info, gen_esp32part.py, nvs_partition_gen.py, mfg_gen.py) on espcompose's
// codecs: the same argv, defaults, outputs, messages and exit codes, so existing
// scripts switch without a rewrite. This package only parses and dispatches; every
// byte it writes comes from format/ and stages/.
package dropin

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/afero"
)

// Env is everything a drop-in touches. cmd/espcompose fills it from the process;
// tests fill it in memory.
type Env struct {
	FS     afero.Fs
	Stdout io.Writer
	Stderr io.Writer
	Stdin  io.Reader
	// Dir is the working directory relative paths resolve from, as the reference
	// tools resolve them; "" means the process's own.
	Dir string
	// Rand is the randomness for what the reference draws at random and espcompose
	// only draws when asked (generated keys, --randomize). nil: crypto/rand is not
	// used, generation fails.
	Rand io.Reader
	// Write writes an output file. cmd/espcompose routes it through the output
	// guard (never over an input or a key, atomic, nothing left on failure).
	// exclusive: the file must not exist (generated keys).
	Write func(path string, data []byte, mode os.FileMode, exclusive bool) error
	// AllowInPlace tells Write that the next write may replace this input (sign_data
	// without --output signs its input file in place, as espsecure does).
	AllowInPlace func(path string)
	// Getenv reads the environment (gen_esp32part expands $VAR in CSV lines).
	Getenv func(string) (string, bool)
}

// path resolves a command-line path as the reference does: from the working directory.
func (e *Env) path(p string) string {
	if e.Dir == "" || filepath.IsAbs(p) || p == "-" {
		return p
	}
	return filepath.Join(e.Dir, p)
}

func (e *Env) read(p string) ([]byte, error) {
	b, err := afero.ReadFile(e.FS, e.path(p))
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &fileErr{path: p, err: err}
	}
	return b, nil
}

func (e *Env) write(p string, data []byte, mode os.FileMode) error {
	return e.Write(e.path(p), data, mode, false)
}

func (e *Env) printf(format string, a ...any) { fmt.Fprintf(e.Stdout, format, a...) }

// fileErr is an input file that cannot be opened; argparse.FileType reports it as a
// usage error ("can't open 'x': [Errno 2] No such file or directory: 'x'").
type fileErr struct {
	path string
	err  error
}

func (f *fileErr) Error() string {
	if errors.Is(f.err, os.ErrNotExist) {
		return fmt.Sprintf("[Errno 2] No such file or directory: '%s'", f.path)
	}
	return fmt.Sprintf("%s: %v", f.path, f.err)
}

// fatal is the reference's FatalError: printed on stdout after a blank line as
// "A fatal error occurred: MSG", exit code 2 (esptool and espsecure).
type fatal struct{ msg string }

func (f *fatal) Error() string { return f.msg }

func fatalf(format string, a ...any) error { return &fatal{fmt.Sprintf(format, a...)} }

// exitErr is a failure with the reference's exit code and message already printed.
type exitErr struct{ code int }

func (e *exitErr) Error() string { return fmt.Sprintf("exit %d", e.code) }

// Tools are the drop-ins by the names scripts call them, including the busybox link
// names.
var Tools = map[string]string{
	"espsecure": "espsecure", "espsecure.py": "espsecure",
	"esptool": "esptool", "esptool.py": "esptool",
	"gen_esp32part": "gen_esp32part", "gen_esp32part.py": "gen_esp32part",
	"nvs_partition_gen": "nvs_partition_gen", "nvs_partition_gen.py": "nvs_partition_gen",
	"mfg_gen": "mfg_gen", "mfg_gen.py": "mfg_gen",
	"spiffsgen": "spiffsgen", "spiffsgen.py": "spiffsgen",
	"fatfsgen": "fatfsgen", "fatfsgen.py": "fatfsgen",
	"wl_fatfsgen": "wl_fatfsgen", "wl_fatfsgen.py": "wl_fatfsgen",
}

// LinkNames are the names `espcompose links` creates.
var LinkNames = []string{"espsecure.py", "espsecure", "esptool.py", "esptool", "gen_esp32part.py", "nvs_partition_gen.py", "mfg_gen.py", "spiffsgen.py", "fatfsgen.py", "wl_fatfsgen.py"}

// Run runs one drop-in tool (a key or value of Tools) with the reference's argv
// (without the program name) and returns its exit code.
func Run(tool string, argv []string, env *Env) int {
	switch Tools[tool] {
	case "espsecure":
		return runEspsecure(argv, env)
	case "esptool":
		return runEsptool(argv, env)
	case "gen_esp32part":
		return runGenPart(argv, env)
	case "nvs_partition_gen":
		return runNVSGen(argv, env)
	case "mfg_gen":
		return runMfgGen(argv, env)
	case "spiffsgen":
		return runSpiffsGen(argv, env)
	case "fatfsgen":
		return runFATGen(false)(argv, env)
	case "wl_fatfsgen":
		return runFATGen(true)(argv, env)
	}
	fmt.Fprintf(env.Stderr, "espcompose: no drop-in named %q\n", tool)
	return 2
}

// wantsHelp reports -h/--help before any other parsing, as argparse does.
func wantsHelp(argv []string) bool {
	for _, a := range argv {
		if a == "--" {
			return false
		}
		if a == "-h" || a == "--help" {
			return true
		}
	}
	return false
}

func printNotes(env *Env, prog string, notes []string) {
	for _, n := range notes {
		fmt.Fprintf(env.Stderr, "espcompose %s: note: %s\n", prog, n)
	}
}
