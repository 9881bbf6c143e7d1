package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

// treeState is every file, folder and link under root with its mode and content hash:
// what a refused command must leave exactly as it found.
func treeState(t testing.TB, root string) map[string]string {
	t.Helper()
	state := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		v := info.Mode().String()
		if info.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			v += " " + hex.EncodeToString(sum[:])
		}
		state[rel] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return state
}

func assertSameTree(t testing.TB, before, after map[string]string) {
	t.Helper()
	for p, v := range before {
		if after[p] != v {
			t.Errorf("%s changed: %q -> %q", p, v, after[p])
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s was created", p)
		}
	}
}

// TestOutputGuardRefuses is the list at the top of issue 7, each as it was reported:
// every one of these used to exit 0 after deleting or replacing the user's files.
func TestOutputGuardRefuses(t *testing.T) {
	cases := []struct {
		name    string
		example string
		extra   map[string]string // more files, relative to the work folder
		args    []string          // run in the work folder (project at p/)
		want    string
	}{
		{"output is the images folder", "secure-production", nil,
			[]string{"build", "-f", "p/espcompose.hcl", "-o", "p/images"},
			"espcompose: refusing to use p/images as an output directory: it holds input file p/images/app.bin"},
		{"output is the keys folder", "secure-production", nil,
			[]string{"build", "-f", "p/espcompose.hcl", "-o", "p/keys"},
			"espcompose: refusing to use p/keys as an output directory: it holds key file p/keys/flash_encryption_key.bin"},
		{"output is the project", "secure-production", nil,
			[]string{"build", "-f", "p/espcompose.hcl", "-o", "p"},
			"espcompose: refusing to use p as an output directory: it is the manifest's folder p"},
		{"output holds the project", "quickstart", nil,
			[]string{"build", "-f", "p/espcompose.hcl", "-o", "."},
			"it holds the manifest's folder p"},
		{"output is a file", "quickstart", map[string]string{"notes.txt": "my notes"},
			[]string{"build", "-f", "p/espcompose.hcl", "-o", "notes.txt"},
			"espcompose: refusing to use notes.txt as an output directory: it is a file, not a folder"},
		{"output is a folder espcompose did not make", "quickstart", map[string]string{"mine/notes.txt": "x"},
			[]string{"build", "-f", "p/espcompose.hcl", "-o", "mine"},
			"espcompose: refusing to use mine as an output directory: it exists and espcompose did not make it"},
		{"output is an empty folder espcompose did not make", "quickstart", map[string]string{"empty/": ""},
			[]string{"build", "-f", "p/espcompose.hcl", "-o", "empty"},
			"it exists and espcompose did not make it"},
		{"validate refuses the same output", "secure-production", nil,
			[]string{"validate", "-f", "p/espcompose.hcl", "-o", "p/keys"},
			"it holds key file p/keys/flash_encryption_key.bin"},
		{"plan refuses the same output", "secure-production", nil,
			[]string{"plan", "-f", "p/espcompose.hcl", "-o", "p/images"},
			"it holds input file p/images/app.bin"},
		{"cache in the images folder", "quickstart", nil,
			[]string{"build", "-f", "p/espcompose.hcl", "-o", "out", "--cache-dir", "p/images"},
			"espcompose: refusing to use p/images as a cache directory: it holds input file p/images/"},
		{"cache is the output", "quickstart", nil,
			[]string{"build", "-f", "p/espcompose.hcl", "-o", "out", "--cache-dir", "out"},
			"espcompose: refusing to use out as an output directory: it is the stage cache out"},
		{"cache inside the output", "quickstart", nil,
			[]string{"build", "-f", "p/espcompose.hcl", "-o", "out", "--cache-dir", "out/cache"},
			"espcompose: refusing to use out as an output directory: it holds the stage cache out/cache"},
		{"digest-pubkey over its own key", "secure-production", nil,
			[]string{"digest-pubkey", "--key", "p/keys/secure_boot_signing_key.pem", "p/keys/secure_boot_signing_key.pem"},
			"espcompose: refusing to use p/keys/secure_boot_signing_key.pem as an output file: it is also an input file; write the result to another file"},
		{"digest-pubkey over another private key", "secure-production", map[string]string{"other.pem": "-----BEGIN PRIVATE KEY-----\nMC4=\n-----END PRIVATE KEY-----\n"},
			[]string{"digest-pubkey", "--key", "p/keys/secure_boot_signing_key.pem", "other.pem"},
			"espcompose: refusing to use other.pem as an output file: it holds a private key, which espcompose never overwrites"},
		{"encrypt over its input", "secure-production", nil,
			[]string{"encrypt", "--chip", "esp32c3", "--key", "p/keys/flash_encryption_key.bin", "--address", "0x10000", "p/images/app.bin", "p/images/app.bin"},
			"espcompose: refusing to use p/images/app.bin as an output file: it is also an input file"},
		{"encrypt over its key", "secure-production", nil,
			[]string{"encrypt", "--chip", "esp32c3", "--key", "p/keys/flash_encryption_key.bin", "--address", "0x10000", "p/images/app.bin", "p/keys/flash_encryption_key.bin"},
			"espcompose: refusing to use p/keys/flash_encryption_key.bin as an output file: it is also an input file"},
		{"decrypt over its input", "secure-production", nil,
			[]string{"decrypt", "--chip", "esp32c3", "--key", "p/keys/flash_encryption_key.bin", "--address", "0x10000", "p/images/app.bin", "p/images/app.bin"},
			"espcompose: refusing to use p/images/app.bin as an output file: it is also an input file"},
		{"sign over its key", "secure-production", nil,
			[]string{"sign", "--version", "2", "--key", "p/keys/secure_boot_signing_key.pem", "p/images/app.bin", "p/keys/secure_boot_signing_key.pem"},
			"espcompose: refusing to use p/keys/secure_boot_signing_key.pem as an output file: it is also an input file"},
		{"nvs keygen over an existing key", "secure-production", nil,
			[]string{"nvs", "keygen", "p/keys/nvs_keys.bin"},
			"file exists; refusing to overwrite a key file"},
		{"merge over one of its inputs", "quickstart", nil,
			[]string{"merge", "--chip", "esp32c3", "-o", "p/images/app.bin", "0x0", "p/images/bootloader.bin", "0x10000", "p/images/app.bin"},
			"espcompose: refusing to use p/images/app.bin as an output file: it is also an input file"},
		{"partition-table encode over its CSV", "quickstart", map[string]string{"t.csv": "nvs, data, nvs, 0x9000, 0x6000\n"},
			[]string{"partition-table", "encode", "t.csv", "t.csv"},
			"espcompose: refusing to use t.csv as an output file: it is also an input file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			work := t.TempDir()
			copyTree(t, filepath.Join(examplesDir, c.example), filepath.Join(work, "p"))
			for name, data := range c.extra {
				p := filepath.Join(work, name)
				if strings.HasSuffix(name, "/") {
					if err := os.MkdirAll(p, 0o755); err != nil {
						t.Fatal(err)
					}
					continue
				}
				_ = os.MkdirAll(filepath.Dir(p), 0o755)
				if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			t.Chdir(work)
			before := treeState(t, work)
			code, _, stderr := runCLI(t, afero.NewOsFs(), nil, c.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, exitUsage, stderr)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("stderr does not say %q:\n%s", c.want, stderr)
			}
			assertSameTree(t, before, treeState(t, work))
		})
	}
}

// A key the build must create may not be placed where the build publishes: the next
// publish would delete it (with create = true every build made a new flash key,
// encrypted with it, then deleted it).
func TestOutputGuardKeyInsideOutput(t *testing.T) {
	for _, create := range []bool{false, true} {
		t.Run(fmt.Sprint("create=", create), func(t *testing.T) {
			work := t.TempDir()
			copyTree(t, filepath.Join(examplesDir, "secure-production"), work)
			hcl := filepath.Join(work, "espcompose.hcl")
			src, _ := os.ReadFile(hcl)
			s := strings.Replace(string(src), `"keys/flash_encryption_key.bin"`, `"dist/flash.bin"`, 1)
			if create {
				s = strings.Replace(s, `file      = "dist/flash.bin"`, "file      = \"dist/flash.bin\"\n  create    = true", 1)
			} else {
				_ = os.MkdirAll(filepath.Join(work, "dist"), 0o755)
				k, _ := os.ReadFile(filepath.Join(work, "keys/flash_encryption_key.bin"))
				_ = os.WriteFile(filepath.Join(work, "dist/flash.bin"), k, 0o600)
			}
			if s == string(src) {
				t.Fatal("manifest not rewritten")
			}
			_ = os.WriteFile(hcl, []byte(s), 0o644)
			t.Chdir(work)
			before := treeState(t, work)
			code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "build")
			if code != exitUsage || !strings.Contains(stderr, "espcompose: refusing to use dist as an output directory: it holds key file dist/flash.bin") {
				t.Fatalf("exit %d:\n%s", code, stderr)
			}
			assertSameTree(t, before, treeState(t, work))
		})
	}
}

// sign may replace its own image input, as espsecure sign_data does when the output
// is the input; the write is atomic and the key stays protected.
func TestSignInPlaceAllowed(t *testing.T) {
	work := t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "secure-production"), work)
	t.Chdir(work)
	_ = os.WriteFile("app.bin", mustRead(t, "images/app.bin"), 0o644)
	code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "sign", "--version", "2", "--key", "keys/secure_boot_signing_key.pem", "app.bin", "app.bin")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	code, _, stderr = runCLI(t, afero.NewOsFs(), nil, "verify", "--version", "2", "--key", "keys/secure_boot_signing_key.pem", "app.bin")
	if code != 0 {
		t.Fatalf("signed in place does not verify: %s", stderr)
	}
}

// A folder espcompose published is replaced by the next build, files it wrote included
// (even edited), but not while it holds a file someone added: that would be deleted.
func TestOutputGuardReplacesItsOwnOutput(t *testing.T) {
	work := t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "quickstart"), work)
	t.Chdir(work)
	if code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "build", "-o", "out"); code != 0 {
		t.Fatal(stderr)
	}
	_ = os.WriteFile("out/flash_args", []byte("edited"), 0o644)
	_ = os.WriteFile("out/notes.txt", []byte("mine"), 0o644)
	before := treeState(t, work)
	code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "build", "-o", "out")
	if code != exitUsage || !strings.Contains(stderr, "espcompose: refusing to use out as an output directory: it holds notes.txt, which espcompose did not write; a build replaces the folder as a whole, so move them out first") {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	assertSameTree(t, before, treeState(t, work))
	_ = os.Remove("out/notes.txt")
	if code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "build", "-o", "out"); code != 0 {
		t.Fatal(stderr)
	}
	if b := mustRead(t, "out/flash_args"); string(b) == "edited" {
		t.Fatal("the second build did not replace the first")
	}
	if _, err := os.Stat("out/.espcompose-output"); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sign-request's -o is a file, rewritten by each run, not an output folder.
func TestSignRequestRewritesItsRequest(t *testing.T) {
	work := t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "remote-signing"), work)
	t.Chdir(work)
	for i := 0; i < 2; i++ {
		if code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "sign-request", "-o", "req.json"); code != 0 {
			t.Fatalf("run %d: exit %d: %s", i, code, stderr)
		}
	}
	code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "sign-request", "-o", "keys/release_pub.pem")
	if code != exitUsage || !strings.Contains(stderr, "refusing to use keys/release_pub.pem as an output file: it is also an input file") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}
