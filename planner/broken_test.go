package planner

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/testimage"
	"github.com/espcompose/espcompose/manifest"
)

// testFS holds the images the test manifests refer to.
func testFS(t testing.TB) afero.Fs {
	t.Helper()
	fs := afero.NewMemMapFs()
	put := func(name string, data []byte, err error) {
		if err != nil {
			t.Fatal(err)
		}
		if err := afero.WriteFile(fs, filepath.Join("/p", name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	app, err := testimage.App(testimage.AppSpec{Chip: "esp32c3", Project: "demo", Version: "1.0.0"})
	put("images/c3-app.bin", app, err)
	bl, err := testimage.Bootloader("esp32c3")
	put("images/c3-bootloader.bin", bl, err)
	other, err := testimage.App(testimage.AppSpec{Chip: "esp32", Project: "demo", Version: "1.0.0"})
	put("images/esp32-app.bin", other, err)
	big, err := testimage.App(testimage.AppSpec{Chip: "esp32c3", Project: "demo", Version: "1.0.0", CodeSize: 0x20000})
	put("images/big-app.bin", big, err)
	// Key files of every shape the key checks refuse (and a few they accept).
	for _, dir := range []string{"keys", "csv"} {
		names, _ := filepath.Glob("testdata/" + dir + "/*")
		for _, k := range names {
			data, err := os.ReadFile(k)
			put(dir+"/"+filepath.Base(k), data, err)
		}
	}
	return fs
}

// planFile runs the whole front end on one manifest.
func planFile(fs afero.Fs, name string) (*Plan, hcl.Diagnostics) {
	f, diags := manifest.Parse(fs, name)
	if diags.HasErrors() {
		return nil, diags
	}
	cfg, more := manifest.Evaluate(f, manifest.Options{FS: fs})
	diags = append(diags, more...)
	if diags.HasErrors() {
		return nil, diags
	}
	pl, more := New(cfg, Options{FS: fs})
	return pl, append(diags, more...)
}

var wantRE = regexp.MustCompile(`#\s*want:\s*(.+)$`)

// TestBrokenManifests checks every file in testdata/broken: each `# want: text` comment
// names an error that must be reported on that very line, containing text; and no other
// error may be reported.
func TestBrokenManifests(t *testing.T) {
	files, _ := filepath.Glob("testdata/broken/*.hcl")
	if len(files) < 25 {
		t.Fatalf("only %d broken manifests", len(files))
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".hcl"), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			fs := testFS(t)
			if err := afero.WriteFile(fs, "/p/espcompose.hcl", src, 0o644); err != nil {
				t.Fatal(err)
			}
			type want struct {
				line int
				text string
			}
			var wants []want
			for i, line := range strings.Split(string(src), "\n") {
				if m := wantRE.FindStringSubmatch(line); m != nil {
					wants = append(wants, want{i + 1, strings.TrimSpace(m[1])})
				}
			}
			_, diags := planFile(fs, "/p/espcompose.hcl")
			var errs []*hcl.Diagnostic
			for _, d := range diags {
				if d.Severity == hcl.DiagError {
					errs = append(errs, d)
				}
			}
			used := make([]bool, len(errs))
			for _, w := range wants {
				found := false
				for i, d := range errs {
					if d.Subject == nil || d.Subject.Start.Line != w.line || used[i] {
						continue
					}
					if strings.Contains(d.Summary+": "+d.Detail, w.text) {
						used[i], found = true, true
						break
					}
				}
				if !found {
					t.Errorf("line %d: no error containing %q; got:\n%s", w.line, w.text, describe(errs))
				}
			}
			for i, d := range errs {
				if !used[i] {
					t.Errorf("unexpected error: %s", describe([]*hcl.Diagnostic{d}))
				}
			}
		})
	}
}

func describe(ds []*hcl.Diagnostic) string {
	var lines []string
	for _, d := range ds {
		at := "?"
		if d.Subject != nil {
			at = d.Subject.String()
		}
		lines = append(lines, "  "+at+": "+d.Summary+": "+d.Detail)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
