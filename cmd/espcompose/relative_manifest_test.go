package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/nvs"
)

// buildFromOwnFolder builds the project in dir as a user would after `cd dir`: no -f
// (the default espcompose.hcl) and a relative -o. Not parallel: it changes directory.
func buildFromOwnFolder(t *testing.T, dir string) {
	t.Helper()
	t.Chdir(dir)
	if code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "build", "-o", "dist"); code != 0 {
		t.Fatalf("build in %s without -f: exit %d\n%s", dir, code, stderr)
	}
}

func buildAbsolute(t *testing.T, dir string) {
	t.Helper()
	if code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "build", "-f", filepath.Join(dir, "espcompose.hcl"), "-o", filepath.Join(dir, "dist")); code != 0 {
		t.Fatalf("build -f %s: exit %d\n%s", dir, code, stderr)
	}
}

// sameTree fails unless the two folders hold the same files with the same bytes.
func sameTree(t *testing.T, a, b string) {
	t.Helper()
	read := func(root string) map[string][]byte {
		files := map[string][]byte{}
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			rel, _ := filepath.Rel(root, p)
			files[rel] = data
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	fa, fb := read(a), read(b)
	if len(fa) == 0 || len(fa) != len(fb) {
		t.Errorf("%s holds %d files, %s holds %d", a, len(fa), b, len(fb))
	}
	for name, data := range fa {
		if !bytes.Equal(data, fb[name]) {
			t.Errorf("%s differs between the two builds", name)
		}
	}
}

// TestExamplesBuildFromOwnFolder: every example built from its own folder with the
// default -f gives the same bytes as the build given an absolute manifest path.
func TestExamplesBuildFromOwnFolder(t *testing.T) {
	for _, dir := range exampleDirs(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			abs, rel := t.TempDir(), t.TempDir()
			copyTree(t, dir, abs)
			copyTree(t, dir, rel)
			buildAbsolute(t, abs)
			buildFromOwnFolder(t, rel)
			sameTree(t, filepath.Join(abs, "dist"), filepath.Join(rel, "dist"))
		})
	}
}

// TestImportCSVFileRowsFromOwnFolder: an import_csv CSV with file rows resolves them
// against the CSV's folder when the manifest is the default, relative espcompose.hcl
// (it failed with "open certs/x.pem: file does not exist").
func TestImportCSVFileRowsFromOwnFolder(t *testing.T) {
	abs, rel := t.TempDir(), t.TempDir()
	cert := "-----BEGIN CERTIFICATE-----\nMIIB relative test\n-----END CERTIFICATE-----\n"
	for _, d := range []string{abs, rel} {
		copyTree(t, filepath.Join(examplesDir, "quickstart"), d)
		mf := filepath.Join(d, "espcompose.hcl")
		src, err := os.ReadFile(mf)
		if err != nil {
			t.Fatal(err)
		}
		old := "partition \"nvs\" {\n  type    = \"data\"\n  subtype = \"nvs\"\n  size    = \"24K\"\n}"
		if !bytes.Contains(src, []byte(old)) {
			t.Fatal("quickstart's nvs partition changed; update this test")
		}
		src = bytes.Replace(src, []byte(old), []byte(`nvs "cfg" {
  version    = 2
  import_csv = "mfg.csv"
}

partition "nvs" {
  type     = "data"
  subtype  = "nvs"
  size     = "24K"
  contents = nvs.cfg
}`), 1)
		must(t, os.MkdirAll(filepath.Join(d, "certs"), 0o755))
		must(t, os.WriteFile(mf, src, 0o644))
		must(t, os.WriteFile(filepath.Join(d, "certs", "x.pem"), []byte(cert), 0o644))
		must(t, os.WriteFile(filepath.Join(d, "mfg.csv"), []byte("key,type,encoding,value\ncfg,namespace,,\nca,file,binary,certs/x.pem\n"), 0o644))
	}
	buildAbsolute(t, abs)
	buildFromOwnFolder(t, rel)
	sameTree(t, filepath.Join(abs, "dist"), filepath.Join(rel, "dist"))
	raw, err := os.ReadFile(filepath.Join(rel, "dist", "partitions", "nvs.bin"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := nvs.Decode(raw, nil)
	if err != nil || len(d.Partition.Namespaces) != 1 || len(d.Partition.Namespaces[0].Entries) != 1 {
		t.Fatalf("nvs.bin: %v %+v", err, d)
	}
	if e := d.Partition.Namespaces[0].Entries[0]; e.Key != "ca" || string(e.Blob) != cert || !strings.HasPrefix(d.Partition.Namespaces[0].Name, "cfg") {
		t.Errorf("nvs.bin holds %s/%s = %q, want cfg/ca = the certificate", d.Partition.Namespaces[0].Name, e.Key, e.Blob)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
