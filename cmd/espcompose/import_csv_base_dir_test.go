package main

import (
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/internal/testimage"
)

const baseDirManifest = `
espcompose { version = 1 }
target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
image "app" {
  file = "app.bin"
}
partition "nvs" {
  type     = "data"
  subtype  = "nvs"
  size     = "16K"
  contents = nvs.settings
}
partition "factory" {
  type     = "app"
  subtype  = "factory"
  size     = "1M"
  contents = image.app
}
nvs "settings" {
  import_csv = "main/nvs.csv"
  %s
}
`

// A CSV written for nvs_partition_gen run from build/ names ../main/cert.pem. The
// manifest refuses that path by default (rows stay inside the CSV's folder) and takes
// it with import_csv_base_dir naming the folder the CSV was written for.
func TestImportCSVBaseDir(t *testing.T) {
	app, _ := testimage.App(testimage.AppSpec{Chip: "esp32c3", Project: "d", Version: "1"})
	setup := func(extra string) afero.Fs {
		fs := afero.NewMemMapFs()
		for p, b := range map[string][]byte{
			"/p/espcompose.hcl": []byte(strings.Replace(baseDirManifest, "%s", extra, 1)),
			"/p/app.bin":        app,
			"/p/main/nvs.csv":   []byte("key,type,encoding,value\ntls,namespace,,\nca,file,string,../main/cert.pem\n"),
			"/p/main/cert.pem":  []byte("CERT"),
		} {
			_ = afero.WriteFile(fs, p, b, 0o644)
		}
		return fs
	}
	fs := setup("")
	code, _, stderr := runCLI(t, fs, nil, "build", "-f", "/p/espcompose.hcl", "-o", "/out")
	if code != 2 || !strings.Contains(stderr, "must be relative") {
		t.Fatalf("without base_dir: exit %d %s", code, stderr)
	}
	fs = setup(`import_csv_base_dir = "build"`)
	_ = fs.MkdirAll("/p/build", 0o755)
	if code, _, stderr := runCLI(t, fs, nil, "build", "-f", "/p/espcompose.hcl", "-o", "/out"); code != 0 {
		t.Fatalf("with base_dir: %s", stderr)
	}
	img, _ := afero.ReadFile(fs, "/out/partitions/nvs.bin")
	d, err := nvs.Decode(img, nil)
	if err != nil || len(d.Partition.Namespaces) != 1 || d.Partition.Namespaces[0].Entries[0].Str != "CERT" {
		t.Fatalf("decoded %+v, %v", d, err)
	}
	fs = setup(`import_csv_base_dir = "elsewhere"`)
	if code, _, stderr := runCLI(t, fs, nil, "build", "-f", "/p/espcompose.hcl", "-o", "/out"); code != 2 || !strings.Contains(stderr, "import_csv_base_dir is not a folder") {
		t.Fatalf("wrong base_dir: exit %d %s", code, stderr)
	}
}
