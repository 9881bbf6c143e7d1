package compose_test

import (
	"path/filepath"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/compose"
)

func TestIsBatch(t *testing.T) {
	fs := afero.NewMemMapFs()
	write := func(name, src string) string {
		p := filepath.Join("/m", name)
		if err := afero.WriteFile(fs, p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct {
		name, src string
		want      bool
	}{
		{"plain.hcl", "target {\n  chip = \"esp32\"\n}\n", false},
		// The word alone is not a block: the manifest is parsed to know.
		{"comment.hcl", "# no devices here\ntarget {\n  chip = \"esp32\"\n}\n", false},
		{"broken.hcl", "devices {\n", false}, // Load reports why
	} {
		if got := compose.IsBatch(fs, write(c.name, c.src)); got != c.want {
			t.Errorf("%s: IsBatch %v, want %v", c.name, got, c.want)
		}
	}
	if !compose.IsBatch(afero.NewOsFs(), filepath.Join(examplesDir, "manufacturing", "espcompose.hcl")) {
		t.Error("examples/manufacturing is not a batch")
	}
	if compose.IsBatch(fs, "/m/missing.hcl") {
		t.Error("a missing manifest is a batch")
	}
}
