package diff

import (
	"errors"
	"testing"

	"github.com/spf13/afero"
)

// FuzzLoadBuild: a build directory is untrusted input. Whatever build.json and the
// files it names hold, LoadBuild returns a Release or an InputError; it never panics.
func FuzzLoadBuild(f *testing.F) {
	f.Add([]byte(`{"tool":"espcompose","flash_map":[{"name":"nvs","offset":"0x9000","size":"0x6000","type":"data/nvs","file":"p.bin"},{"name":"partition-table","offset":"0x8000","size":"0x1000","type":"table","file":"t.bin"},{"name":"ota_0","offset":"0x10000","size":"0x1000","type":"app/ota_0","file":"p.bin"}],"outputs":[{"path":"p.bin","sha256":""}]}`),
		[]byte("\xaa\x50\x01\x02"), []byte("# eFuse plan\n### 1. Burn\n\n```sh\nefuse burn_key BLOCK_KEY0 'k' XTS_AES_128_KEY\n```\n## Public-key digests\n\n- key 3 (`x`): `ab`\n"))
	f.Fuzz(func(t *testing.T, record, data, plan []byte) {
		fs := afero.NewMemMapFs()
		_ = afero.WriteFile(fs, "/d/build.json", record, 0o644)
		_ = afero.WriteFile(fs, "/d/p.bin", data, 0o644)
		_ = afero.WriteFile(fs, "/d/t.bin", data, 0o644)
		sums := sha256hex(record) + "  build.json\n" + sha256hex(data) + "  p.bin\n" + sha256hex(data) + "  t.bin\n" + sha256hex(plan) + "  efuse-plan.md\n"
		_ = afero.WriteFile(fs, "/d/efuse-plan.md", plan, 0o644)
		_ = afero.WriteFile(fs, "/d/SHA256SUMS", []byte(sums), 0o644)
		r, err := LoadBuild(fs, "/d")
		var ie *InputError
		if err != nil && !errors.As(err, &ie) {
			t.Fatalf("error is not an InputError: %v", err)
		}
		if r != nil {
			if ch := Compare(r, r); len(ch) != 0 {
				t.Fatalf("a release differs from itself: %+v", ch)
			}
		}
	})
}
