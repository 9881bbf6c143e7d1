package compose_test

import (
	"context"
	"path"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/compose"
)

func build(t *testing.T, opts compose.Options) *compose.Result {
	t.Helper()
	p, err := compose.Load(opts, false)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	res, err := p.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// A rebuild with nothing changed publishes nothing and says so; one whose published
// file was edited since publishes again. Both a plain and a devices build.
func TestBuildTwiceIsUpToDate(t *testing.T) {
	for _, c := range []struct{ example, file string }{
		{"quickstart", "partition-table.bin"},
		{"manufacturing", "devices/MTR-000102/meter-factory.bin"},
	} {
		t.Run(c.example, func(t *testing.T) {
			fs, mf := memExample(t, c.example)
			dist := path.Join("/ex", c.example, "dist")
			opts := compose.Options{FS: fs, Manifest: mf, Out: dist, ToolVersion: "compose-test"}
			if res := build(t, opts); res.UpToDate || res.Files == 0 {
				t.Fatalf("first build: up to date %v, %d files", res.UpToDate, res.Files)
			}
			// SHA256SUMS lists every published file but itself.
			sums, _ := afero.ReadFile(fs, path.Join(dist, "SHA256SUMS"))
			want := strings.Count(string(sums), "\n") + 1
			res := build(t, opts)
			if !res.UpToDate || res.Files != want {
				t.Fatalf("second build: up to date %v, %d files, want %d", res.UpToDate, res.Files, want)
			}
			p := path.Join(dist, c.file)
			data, err := afero.ReadFile(fs, p)
			if err != nil {
				t.Fatal(err)
			}
			data[len(data)-1] ^= 1
			if err := afero.WriteFile(fs, p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			if res := build(t, opts); res.UpToDate {
				t.Fatal("an edited output was taken as up to date")
			}
			if again, _ := afero.ReadFile(fs, p); again[len(again)-1] == data[len(data)-1] {
				t.Fatal("the edited output was not republished")
			}
		})
	}
}
