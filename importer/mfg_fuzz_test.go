package importer

import (
	"testing"

	"github.com/spf13/afero"
)

// FuzzFromMfg: any config and values either import or fail with an error; the
// import never panics, and what it returns renders.
func FuzzFromMfg(f *testing.F) {
	f.Add("ns,namespace,\nk,data,u8\nm,data,string,REPEAT\n", "id,k,m\na,1,x\nb,2,\n", "id")
	f.Add("ns,namespace,\nk,file,base64\n", "k\nf.b64\n", "")
	f.Add("ns,namespace,\nk,data,u8,REPEAT,x\n", "k\n1\n", "")
	f.Fuzz(func(t *testing.T, conf, values, fileid string) {
		fs := afero.NewMemMapFs()
		_ = afero.WriteFile(fs, "c.csv", []byte(conf), 0o644)
		_ = afero.WriteFile(fs, "v.csv", []byte(values), 0o644)
		_ = afero.WriteFile(fs, "f.b64", []byte("TWFu\n"), 0o644)
		res, err := FromMfg(fs, MfgOptions{Config: "c.csv", Values: "v.csv", Prefix: "p", Size: 0x3000,
			FileID: fileid, Chip: "esp32c3", FlashSize: "4MB"})
		if err != nil {
			return
		}
		if _, err := res.Manifest.Render(); err != nil {
			t.Fatalf("import renders a manifest that does not parse: %v", err)
		}
	})
}
