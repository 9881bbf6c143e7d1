package planner

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/fsimage"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/stages"
)

const fsManifestHead = `espcompose { version = 1 }
target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
image "app" { file = "images/c3-app.bin" }
partition "factory" {
  type     = "app"
  subtype  = "factory"
  size     = "1M"
  contents = image.app
}
`

// fsTestFS is testFS with a small web folder.
func fsTestFS(t *testing.T) afero.Fs {
	fs := testFS(t)
	for name, data := range map[string]string{
		"www/index.html":    "<html>hi</html>\n",
		"www/app.js":        "console.log(1)\n",
		"www/css/style.css": "body{}\n",
	} {
		if err := afero.WriteFile(fs, "/p/"+name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return fs
}

func planSource(t *testing.T, fs afero.Fs, src string, opts Options) (*Plan, string) {
	t.Helper()
	if err := afero.WriteFile(fs, "/p/espcompose.hcl", []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	f, diags := parseEval(fs, "/p/espcompose.hcl")
	if diags.HasErrors() {
		return nil, diags.Error()
	}
	opts.FS = fs
	pl, diags := New(f, opts)
	if diags.HasErrors() {
		return nil, diags.Error()
	}
	return pl, ""
}

func TestFilesystemPartitionPlanned(t *testing.T) {
	fs := fsTestFS(t)
	pl, errs := planSource(t, fs, fsManifestHead+`
filesystem "web" {
  type       = "fat"
  dir        = "www"
  long_names = true
}
partition "storage" {
  type     = "data"
  subtype  = "fat"
  size     = "256K"
  contents = filesystem.web
}
`, Options{})
	if errs != "" {
		t.Fatal(errs)
	}
	var r *Region
	for _, x := range pl.Regions {
		if x.Name == "storage" {
			r = x
		}
	}
	if r == nil || r.Source != "filesystem.web (fat, 3 files)" {
		t.Fatalf("region = %+v", r)
	}
	if len(pl.Filesystems) != 1 || pl.Filesystems[0].Stage != r.Stage || pl.Filesystems[0].Dir != "www" {
		t.Fatalf("filesystems = %+v", pl.Filesystems)
	}
	node, _ := pl.Graph.Node(r.Stage)
	st := node.(*stages.Filesystem)
	want := []string{"source:filesystem.web/app.js", "source:filesystem.web/css/style.css", "source:filesystem.web/index.html"}
	if strings.Join(st.Deps(), " ") != strings.Join(want, " ") {
		t.Errorf("deps = %v, want %v", st.Deps(), want)
	}
	if st.Spec.Size != 256<<10 || !st.Spec.LongNames || st.Spec.Timestamp != nil || st.Spec.VolumeID != nil {
		t.Errorf("spec = %+v", st.Spec)
	}
	if pl.Sources["source:filesystem.web/css/style.css"] != "www/css/style.css" {
		t.Errorf("sources = %v", pl.Sources)
	}
}

// TestFilesystemEncrypted: a FAT partition flagged encrypted is built, then encrypted
// at its offset; a SPIFFS one is refused.
func TestFilesystemEncrypted(t *testing.T) {
	fs := fsTestFS(t)
	head := strings.Replace(fsManifestHead, `image "app"`, `key "flash" {
  algorithm = "xts-aes-128"
  file      = "keys/32.bin"
}
security {
  flash_encryption { key = key.flash }
}
image "app"`, 1)
	pl, errs := planSource(t, fs, head+`
filesystem "web" {
  type       = "wl-fat"
  dir        = "www"
  long_names = true
}
partition "storage" {
  type      = "data"
  subtype   = "fat"
  size      = "256K"
  encrypted = true
  contents  = filesystem.web
}
`, Options{})
	if errs != "" {
		t.Fatal(errs)
	}
	for _, r := range pl.Regions {
		if r.Name != "storage" {
			continue
		}
		node, _ := pl.Graph.Node(r.Stage)
		if !r.Encrypted || node.Kind() != "encrypt" || node.Deps()[0] != "filesystem:web@storage" {
			t.Fatalf("storage region %+v, stage %s deps %v", r, r.Stage, node.Deps())
		}
	}
	_, errs = planSource(t, fs, head+`
filesystem "web" {
  type = "spiffs"
  dir  = "www"
}
partition "storage" {
  type      = "data"
  subtype   = "spiffs"
  size      = "256K"
  encrypted = true
  contents  = filesystem.web
}
`, Options{})
	if !strings.Contains(errs, ":29,15-19: SPIFFS partitions cannot be flash-encrypted") {
		t.Errorf("got %s", errs)
	}
}

func TestFilesystemSourceDateEpoch(t *testing.T) {
	fs := fsTestFS(t)
	src := fsManifestHead + `
filesystem "web" {
  type              = "fat"
  dir               = "www"
  long_names        = true
  source_date_epoch = %s
}
partition "storage" {
  type     = "data"
  subtype  = "fat"
  size     = "256K"
  contents = filesystem.web
}
`
	epoch := int64(1700000000)
	for _, tc := range []struct {
		attr string
		env  *int64
		want *int64
	}{{"true", &epoch, &epoch}, {"false", &epoch, nil}, {"true", nil, nil}} {
		pl, errs := planSource(t, fs, strings.Replace(src, "%s", tc.attr, 1), Options{SourceDateEpoch: tc.env})
		if errs != "" {
			t.Fatal(errs)
		}
		got := pl.Filesystems[0].Spec.Timestamp
		if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
			t.Errorf("source_date_epoch = %s, env %v: timestamp %v", tc.attr, tc.env, got)
		}
	}
}

func TestFilesystemPlanErrors(t *testing.T) {
	big := make([]byte, 300<<10)
	for i := range big {
		big[i] = byte(i * 7)
	}
	for _, tc := range []struct {
		name, fsBlock, partition, want string
		extra                          map[string][]byte
	}{
		{name: "subtype", fsBlock: `type = "spiffs"` + "\n  dir = \"www\"", partition: `subtype = "fat"`,
			want: `:22,14-28: Filesystem does not match the partition; filesystem.web is spiffs, which goes in a partition of type data, subtype spiffs; partition "storage" is data/fat.`},
		{name: "fat in spiffs", fsBlock: `type = "wl-fat"` + "\n  dir = \"www\"", partition: `subtype = "spiffs"`,
			want: `filesystem.web is wl-fat, which goes in a partition of type data, subtype fat; partition "storage" is data/spiffs.`},
		{name: "missing folder", fsBlock: `type = "fat"` + "\n  dir = \"nowhere\"", partition: `subtype = "fat"`,
			want: `:16,9-18: Cannot read filesystem folder; filesystem "web": nowhere:`},
		{name: "folder is a file", fsBlock: `type = "fat"` + "\n  dir = \"www/app.js\"", partition: `subtype = "fat"`,
			want: `www/app.js is not a folder`},
		{name: "too big", fsBlock: `type = "spiffs"` + "\n  dir = \"www\"", partition: `subtype = "spiffs"`,
			extra: map[string][]byte{"www/big.bin": big},
			want:  `:22,14-28: Files do not fit the partition; filesystem.web (4 files in www, 307238 bytes) needs a spiffs partition of at least`},
		{name: "too big fat", fsBlock: `type = "fat"` + "\n  dir = \"www\"\n  long_names = true", partition: `subtype = "fat"`,
			extra: map[string][]byte{"www/big.bin": big},
			want:  `bytes too small.`},
		{name: "spiffs name", fsBlock: `type = "spiffs"` + "\n  dir = \"www\"\n  obj_name_len = 8", partition: `subtype = "spiffs"`,
			want: `:17,18-19: Name too long for the filesystem; filesystem "web": `},
		{name: "fat 8.3", fsBlock: `type = "fat"` + "\n  dir = \"www\"", partition: `subtype = "fat"`,
			extra: map[string][]byte{"www/a-long-file-name.txt": nil},
			want:  `use an 8.3 name (8 characters, a dot, 3 characters) or set long_names = true.`},
		{name: "safe needs 512", fsBlock: `type = "wl-fat"` + "\n  dir = \"www\"\n  wl_mode = \"safe\"\n  long_names = true", partition: `subtype = "fat"`,
			want: `:17,13-19: Invalid filesystem options; filesystem "web": invalid filesystem options: wl_mode safe needs sector_size 512`},
		{name: "size granule", fsBlock: `type = "spiffs"` + "\n  dir = \"www\"\n  block_size = 65536", partition: `subtype = "spiffs"`,
			want: `Partition "storage" is 262144 bytes`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := fsTestFS(t)
			for name, data := range tc.extra {
				_ = afero.WriteFile(fs, "/p/"+name, data, 0o644)
			}
			size := `"256K"`
			if tc.name == "size granule" {
				size = `"260K"`
				tc.want = `Partition "storage" is 266240 bytes; a spiffs filesystem needs a multiple of 65536.`
			}
			_, errs := planSource(t, fs, fsManifestHead+`
filesystem "web" {
  `+tc.fsBlock+`
}
partition "storage" {
  type     = "data"
  `+tc.partition+`
  size     = `+size+`
  contents = filesystem.web
}
`, Options{})
			if !strings.Contains(errs, tc.want) {
				t.Errorf("got  %s\nwant %s", errs, tc.want)
			}
		})
	}
}

var _ = fsimage.FAT

func parseEval(fs afero.Fs, name string) (*manifest.Config, hcl.Diagnostics) {
	f, diags := manifest.Parse(fs, name)
	if diags.HasErrors() {
		return nil, diags
	}
	return manifest.Evaluate(f, manifest.Options{FS: fs})
}

// TestFilesystemEpochBefore1980: a SOURCE_DATE_EPOCH FAT cannot record is reported on
// the attribute that asked for it.
func TestFilesystemEpochBefore1980(t *testing.T) {
	early := int64(100)
	_, errs := planSource(t, fsTestFS(t), fsManifestHead+`
filesystem "web" {
  type              = "fat"
  dir               = "www"
  long_names        = true
  source_date_epoch = true
}
partition "storage" {
  type     = "data"
  subtype  = "fat"
  size     = "256K"
  contents = filesystem.web
}
`, Options{SourceDateEpoch: &early})
	if !strings.Contains(errs, `:18,23-27: Invalid filesystem options; filesystem "web": invalid filesystem options: timestamp 100 is before 1980-01-01`) {
		t.Errorf("got %s", errs)
	}
}

// TestFilesystemUnused: a filesystem no partition uses plans, with a warning.
func TestFilesystemUnused(t *testing.T) {
	_, diags := New(mustEval(t, fsTestFS(t), fsManifestHead+"filesystem \"web\" {\n  type = \"fat\"\n  dir  = \"www\"\n}\n"), Options{FS: fsTestFS(t)})
	if len(diags) != 1 || diags[0].Severity != hcl.DiagWarning || diags[0].Summary != "Filesystem not used" ||
		diags[0].Detail != "No partition has contents = filesystem.web, so www is not read and no image is built." {
		t.Errorf("diags = %v", diags)
	}
}

func mustEval(t *testing.T, fs afero.Fs, src string) *manifest.Config {
	t.Helper()
	if err := afero.WriteFile(fs, "/p/espcompose.hcl", []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := parseEval(fs, "/p/espcompose.hcl")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return cfg
}
