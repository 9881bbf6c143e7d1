package manifest

import (
	"path/filepath"
	"testing"

	"github.com/spf13/afero"
)

func loadFixture(t *testing.T, name string, vars map[string]string) (*Config, error) {
	t.Helper()
	fs := afero.NewMemMapFs()
	src, err := afero.ReadFile(afero.NewOsFs(), filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	_ = afero.WriteFile(fs, "/m/espcompose.hcl", src, 0o644)
	_ = afero.WriteFile(fs, "/m/certs/client_cert_00.crt", []byte("-----BEGIN CERTIFICATE-----\n"), 0o644)
	f, diags := Parse(fs, "/m/espcompose.hcl")
	if diags.HasErrors() {
		return nil, diags
	}
	cfg, diags := Evaluate(f, Options{FS: fs, Vars: vars})
	if diags.HasErrors() {
		return nil, diags
	}
	return cfg, nil
}

func TestFullManifest(t *testing.T) {
	cfg, err := loadFixture(t, "full.hcl", map[string]string{"fw_version": "4.2.0"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Target.Chip != "esp32c3" || cfg.Target.FlashSize != 4<<20 || cfg.Target.FlashSizeName != "4MB" {
		t.Errorf("target = %+v", cfg.Target)
	}
	if got := *cfg.Image("app").Expect.Version; got != "4.2.0" {
		t.Errorf("expect.version = %q, want the -var override", got)
	}
	if cfg.Image("app").File != "/m/build/esp-at.bin" {
		t.Errorf("image path not resolved against the manifest: %q", cfg.Image("app").File)
	}
	names := []string{}
	for _, p := range cfg.AllPartitions() {
		names = append(names, p.Name)
	}
	want := []string{"otadata", "phy_init", "nvs", "nvs_keys", "at_customize", "mfg_nvs", "fs_storage", "ota_0", "ota_1"}
	if len(names) != len(want) {
		t.Fatalf("partitions = %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("partitions = %v, want %v (source order)", names, want)
		}
	}
	ota1 := cfg.Partition("ota_1")
	if ota1.Size != 1856<<10 {
		t.Errorf("ota_1 size from partition.ota_0.size = %d", ota1.Size)
	}
	at := cfg.Partition("at_customize")
	if at.Type != 0x40 || at.Table == nil || len(at.Children) != 2 || at.Children[0].Contents.ID() != "nvs.mfg" {
		t.Errorf("at_customize = %+v", at)
	}
	if b := cfg.Partition("otadata").Boot; b == nil || b.ID() != "partition.ota_0" {
		t.Errorf("otadata boot = %v", b)
	}
	if fe := cfg.Security.FlashEncryption; fe.Key.ID() != "key.flash" || fe.CryptConfig != 0xF {
		t.Errorf("flash encryption = %+v", fe)
	}
	if sb := cfg.Security.SecureBoot; sb.Version != 2 || len(sb.Keys) != 1 {
		t.Errorf("secure boot = %+v", sb)
	}
	mfg := cfg.NVSByName("mfg")
	if mfg.Version != 2 || len(mfg.Namespaces) != 2 || *mfg.Namespaces[0].Entries[0].Value != "4" {
		t.Errorf("nvs = %+v", mfg)
	}
	if v := *mfg.Namespaces[1].Entries[0].Value; v != "-----BEGIN CERTIFICATE-----\n" {
		t.Errorf("file() value = %q", v)
	}
	if s := cfg.StructByName("factory_param_v2"); s.Size != 4096 || len(s.Fields) != 2 || s.Fields[0].Int != 0xfcfc {
		t.Errorf("struct = %+v", s)
	}
	if len(cfg.OTAs) != 1 || len(cfg.OTAs[0].Slots) != 2 {
		t.Errorf("ota = %+v", cfg.OTAs)
	}
	if cfg.Variables["fw_version"] != "4.2.0" {
		t.Errorf("variables = %v", cfg.Variables)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]uint64{"4MB": 4 << 20, "56K": 56 << 10, "0x1000": 4096, "4096": 4096, "1856K": 1856 << 10, "2M": 2 << 20, "64kb": 64 << 10} {
		got, err := ParseSize(in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "4Q", "0x10K", "-1", "K", "1.5M"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) accepted", in)
		}
	}
}
