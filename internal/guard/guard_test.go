package guard

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

// project lays out a typical project on the real disk: manifest, images, keys.
func project(t *testing.T) (string, Protected) {
	t.Helper()
	root := t.TempDir()
	for _, f := range []string{"p/espcompose.hcl", "p/images/app.bin", "p/keys/sb.pem", "p/certs/ca.pem", "notes.txt"} {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var p Protected
	p.AddRoots("the manifest's folder", filepath.Join(root, "p"))
	p.AddFiles("key file", filepath.Join(root, "p/keys/sb.pem"), filepath.Join(root, "p/keys/flash.bin")) // flash.bin: create = true, not made yet
	p.AddFiles("input file", filepath.Join(root, "p/espcompose.hcl"), filepath.Join(root, "p/images/app.bin"))
	p.AddDirs("input folder", filepath.Join(root, "p/certs"))
	return root, p
}

func TestCheckDir(t *testing.T) {
	root, p := project(t)
	fs := afero.NewOsFs()
	if err := os.Symlink(filepath.Join(root, "p/keys"), filepath.Join(root, "keylink")); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		dir, want string // want "" = allowed
	}{
		{"p/dist", ""},
		{"dist", ""},
		{"p/.espcompose/cache", ""},
		{"p", "it is the manifest's folder"},
		{".", "it holds the manifest's folder"},
		{"p/images", "it holds input file"},
		{"p/keys", "it holds key file"},
		{"keylink", "it holds key file"}, // through a symlink
		{"p/keys/flash.bin", "it holds key file"},
		{"p/certs", "it is input folder"},
		{"p/certs/out", "it lies inside input folder"},
		{"notes.txt", "it is a file, not a folder"},
		{"/", "it is the root of the filesystem"},
	}
	for _, c := range cases {
		dir := c.dir
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(root, dir)
		}
		err := CheckDir(fs, dir, "output directory", p)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: refused: %v", c.dir, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrRefused) {
			t.Errorf("%s: got %v, want refusal containing %q", c.dir, err, c.want)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "refusing to use "+dir+" as an output directory: ") {
			t.Errorf("%s: message %q does not name the path and role", c.dir, err)
		}
	}
}

func TestCheckFile(t *testing.T) {
	root, p := project(t)
	fs := afero.NewOsFs()
	pem := filepath.Join(root, "other.pem")
	if err := os.WriteFile(pem, []byte("-----BEGIN EC PRIVATE KEY-----\nxx\n-----END EC PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(root, "p/keys/sb.pem"), filepath.Join(root, "hardlink.pem")); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ file, want string }{
		{"out.bin", ""},
		{"notes.txt", ""}, // an ordinary existing output may be replaced, as the reference tools do
		{"-", ""},
		{"p/keys/sb.pem", "it is also a key file"},
		{"p/keys/../keys/sb.pem", "it is also a key file"},
		{"hardlink.pem", "it is also a key file"},
		{"p/images/app.bin", "it is also an input file"},
		{"p/certs", "it is a folder"},
		{"other.pem", "it holds a private key"},
	}
	for _, c := range cases {
		f := c.file
		if f != "-" {
			f = filepath.Join(root, f)
		}
		err := CheckFile(fs, f, p)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: refused: %v", c.file, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrRefused) {
			t.Errorf("%s: got %v, want refusal containing %q", c.file, err, c.want)
		}
	}
}

// The in-memory filesystem used by most CLI tests gets the same rules (without
// symlinks, which it does not have).
func TestCheckDirMemFs(t *testing.T) {
	fs := afero.NewMemMapFs()
	_ = afero.WriteFile(fs, "/p/keys/k.bin", []byte("k"), 0o600)
	var p Protected
	p.AddRoots("the manifest's folder", "/p")
	p.AddFiles("key file", "/p/keys/k.bin")
	if err := CheckDir(fs, "/p/keys", "output directory", p); err == nil {
		t.Fatal("key folder accepted")
	}
	if err := CheckDir(fs, "/p/dist", "output directory", p); err != nil {
		t.Fatal(err)
	}
}
