package manifest

import (
	"strings"
	"testing"

	"github.com/spf13/afero"
)

const fsHeader = `espcompose { version = 1 }
target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
`

func evalSource(t *testing.T, src string) (*Config, string) {
	t.Helper()
	f, diags := ParseBytes([]byte(src), "/m/espcompose.hcl")
	if diags.HasErrors() {
		return nil, diags.Error()
	}
	cfg, diags := Evaluate(f, Options{FS: afero.NewMemMapFs()})
	if diags.HasErrors() {
		return nil, diags.Error()
	}
	return cfg, ""
}

func TestFilesystemBlock(t *testing.T) {
	cfg, errs := evalSource(t, fsHeader+`
filesystem "web" {
  type         = "wl-fat"
  dir          = "www"
  sector_size  = 512
  fat_count    = 1
  root_entries = 128
  fat_type     = 16
  long_names   = true
  volume_id    = "0x12345678"
  label        = "WEBUI"
  device_id    = 0xdeadbeef
  wl_mode      = "safe"
}
filesystem "assets" {
  type         = "spiffs"
  dir          = "/abs/assets"
  page_size    = 512
  block_size   = 8192
  obj_name_len = 64
  meta_len     = 0
  magic        = false
  magic_len    = false
}
partition "storage" {
  type     = "data"
  subtype  = "fat"
  size     = "1M"
  contents = filesystem.web
}
`)
	if errs != "" {
		t.Fatal(errs)
	}
	web := cfg.FilesystemByName("web")
	if web == nil || web.Type != "wl-fat" || web.Dir != "/m/www" || web.SectorSize != 512 || web.FATCount != 1 ||
		web.RootEntries != 128 || web.FATType != 16 || !web.LongNames || *web.VolumeID != 0x12345678 ||
		web.Label != "WEBUI" || *web.DeviceID != 0xdeadbeef || web.WLMode != "safe" {
		t.Errorf("web = %+v", web)
	}
	a := cfg.FilesystemByName("assets")
	if a == nil || a.Dir != "/abs/assets" || a.PageSize != 512 || a.BlockSize != 8192 || a.ObjNameLen != 64 ||
		!a.MetaLenSet || a.MetaLen != 0 || *a.Magic || *a.MagicLen || a.VolumeID != nil {
		t.Errorf("assets = %+v", a)
	}
	if c := cfg.Partition("storage").Contents; c == nil || c.ID() != "filesystem.web" {
		t.Errorf("contents = %v", c)
	}
	if r := web.AttrRange("wl_mode"); r.Start.Line != 18 {
		t.Errorf("wl_mode range = %v, want line 18", r)
	}
}

func TestFilesystemBlockErrors(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`type = "ext4"` + "\n  dir = \"www\"", `:8,10-16: Unknown filesystem type; "ext4" is not a filesystem type`},
		{`type = "fats"` + "\n  dir = \"www\"", `did you mean "fat"?`},
		{`type = "fat"`, `:7,18-18: Missing required argument; The argument "dir" is required`},
		{`type = "fat"` + "\n  dir = \"www\"\n  page_size = 256", `:10,15-18: Option does not apply; page_size applies to spiffs filesystems; filesystem "web" is fat`},
		{`type = "spiffs"` + "\n  dir = \"www\"\n  wl_mode = \"safe\"", `wl_mode applies to wl-fat filesystems`},
		{`type = "fat"` + "\n  dir = \"www\"\n  device_id = 1", `device_id applies to wl-fat filesystems`},
		{`type = "spiffs"` + "\n  dir = \"www\"\n  page_size = 300", `:10,15-18: Invalid page size; page_size must be a power of two, not 300`},
		{`type = "spiffs"` + "\n  dir = \"www\"\n  page_size = 4096\n  block_size = 4096", `block_size (4096) must hold at least two pages`},
		{`type = "fat"` + "\n  dir = \"www\"\n  sector_size = 1024", `sector_size must be 512 or 4096, not 1024`},
		{`type = "fat"` + "\n  dir = \"www\"\n  fat_type = 32", `fat_type must be 12 or 16, not 32`},
		{`type = "fat"` + "\n  dir = \"www\"\n  fat_count = 3", `fat_count must be 1 or 2, not 3`},
		{`type = "fat"` + "\n  dir = \"www\"\n  volume_id = 0x100000000", `volume_id must be a whole number from 0 to 4294967295`},
		{`type = "fat"` + "\n  dir = \"www\"\n  label = \"A VERY LONG LABEL\"", `label is at most 11 printable ASCII characters`},
		{`type = "wl-fat"` + "\n  dir = \"www\"\n  wl_mode = \"fast\"", `wl_mode must be "safe" or "perf", not "fast"`},
		{`type = "fat"` + "\n  dir = \"\"", `Empty path`},
		{`type = "fat"` + "\n  dir = \"www\"\n  size = 4", `Unsupported argument; An argument named "size" is not expected here`},
	} {
		_, errs := evalSource(t, fsHeader+"\nfilesystem \"web\" {\n  "+tc.body+"\n}\n")
		if !strings.Contains(errs, tc.want) {
			t.Errorf("%s:\n got %s\nwant %s", tc.body, errs, tc.want)
		}
	}
}

func TestFilesystemReference(t *testing.T) {
	_, errs := evalSource(t, fsHeader+`
filesystem "web" {
  type = "fat"
  dir  = "www"
}
partition "storage" {
  type     = "data"
  subtype  = "fat"
  size     = "1M"
  contents = filesystem.wbe
}
`)
	if !strings.Contains(errs, `:15,14-28: Reference to undeclared filesystem; No filesystem named "wbe" is declared (did you mean "web"?)`) {
		t.Errorf("got %s", errs)
	}
	_, errs = evalSource(t, fsHeader+`
filesystem "web" {
  type = "fat"
  dir  = "www"
}
ota "x" {
  image = filesystem.web
  slots = []
}
`)
	if !strings.Contains(errs, "image refers to filesystem.web, but it must refer to an image") {
		t.Errorf("got %s", errs)
	}
}
