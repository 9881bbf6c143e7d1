package espat

import (
	"bytes"
	"os"
	"strconv"
	"testing"

	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/internal/conformance"
)

func TestConformanceEspAT(t *testing.T) {
	for _, c := range conformance.Load(t, "espat") {
		t.Run(c.Name, func(t *testing.T) {
			var p struct {
				Params struct {
					Platform string   `json:"platform"`
					Module   string   `json:"module"`
					Size     string   `json:"mfg_nvs_size"`
					Options  []string `json:"effective_config"`
					Dirs     []string `json:"raw_data_dirs_in_order"`
				} `json:"params"`
			}
			c.Decode(t, &p)
			res, err := Import(os.DirFS(c.Dir), Config{Platform: p.Params.Platform, Module: p.Params.Module, Options: p.Params.Options})
			if err != nil {
				t.Fatal(err)
			}
			if want := c.File(t, "mfg_nvs.csv"); !bytes.Equal(res.CSV, want) {
				t.Fatalf("mfg_nvs.csv differs:\n%s\nwant:\n%s", res.CSV, want)
			}
			if len(p.Params.Dirs) > 0 && !equalStrings(res.Dirs, p.Params.Dirs) {
				t.Fatalf("dirs %q, want %q", res.Dirs, p.Params.Dirs)
			}
			size, err := strconv.ParseUint(p.Params.Size, 0, 32)
			if err != nil {
				t.Fatal(err)
			}
			img, err := nvs.Encode(res.Partition, nvs.Options{Size: uint32(size)})
			if err != nil {
				t.Fatal(err)
			}
			if want := c.File(t, "mfg_nvs.bin"); !bytes.Equal(img, want) {
				t.Fatalf("mfg_nvs.bin differs")
			}
			if mi, err := os.ReadFile(c.Dir + "/module_info.json"); err == nil {
				pl, mod, err := ParseModuleInfo(mi)
				if err != nil || pl != p.Params.Platform || mod != p.Params.Module {
					t.Fatalf("module_info.json: %q %q %v", pl, mod, err)
				}
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
