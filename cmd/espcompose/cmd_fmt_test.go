package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"
)

const unformattedHCL = "target {\n  chip = \"esp32\"   # the chip\n  flash_size=\"4MB\"\n}\npartition_table { offset = 0x8000 }\n\n\n"
const formattedHCL = "target {\n  chip       = \"esp32\" # the chip\n  flash_size = \"4MB\"\n}\npartition_table { offset = 0x8000 }\n"

func TestFmtRewritesAtomicallyKeepingModeAndComments(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "m.hcl")
	if err := os.WriteFile(p, []byte(unformattedHCL), 0o640); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, afero.NewOsFs(), nil, "fmt", p)
	if code != 0 || strings.TrimSpace(out) != p {
		t.Fatalf("fmt: code %d out %q err %q", code, out, errs)
	}
	got, _ := os.ReadFile(p)
	if string(got) != formattedHCL {
		t.Fatalf("formatted:\n%s\nwant\n%s", got, formattedHCL)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o640 {
		t.Fatalf("mode %v, want 0640 kept", st.Mode().Perm())
	}
	// Already formatted: not rewritten (the mtime stays), nothing listed.
	old := time.Unix(1_000_000_000, 0)
	_ = os.Chtimes(p, old, old)
	code, out, _ = runCLI(t, afero.NewOsFs(), nil, "fmt", p)
	if st, _ := os.Stat(p); code != 0 || out != "" || !st.ModTime().Equal(old) {
		t.Fatalf("a formatted file was touched: code %d out %q mtime %v", code, out, st.ModTime())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}
}

func TestFmtCheckAndDiffWriteNothing(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "a", "bad.hcl")
	good := filepath.Join(dir, "good.hcl")
	_ = os.MkdirAll(filepath.Dir(bad), 0o755)
	_ = os.WriteFile(bad, []byte(unformattedHCL), 0o644)
	_ = os.WriteFile(good, []byte(formattedHCL), 0o644)

	for _, flag := range []string{"-check", "--check"} {
		code, out, _ := runCLI(t, afero.NewOsFs(), nil, "fmt", flag, dir)
		if code != 1 || strings.TrimSpace(out) != bad {
			t.Fatalf("%s: code %d, out %q; want 1 listing only %s", flag, code, out, bad)
		}
	}
	code, out, _ := runCLI(t, afero.NewOsFs(), nil, "fmt", "-diff", bad)
	if code != 0 || !strings.Contains(out, "--- a/"+filepath.ToSlash(bad)) ||
		!strings.Contains(out, "-  flash_size=\"4MB\"") || !strings.Contains(out, "+  flash_size = \"4MB\"") {
		t.Fatalf("-diff: code %d\n%s", code, out)
	}
	if got, _ := os.ReadFile(bad); string(got) != unformattedHCL {
		t.Fatal("-check/-diff rewrote the file")
	}
	if code, _, _ := runCLI(t, afero.NewOsFs(), nil, "fmt", "-check", good); code != 0 {
		t.Fatalf("-check on a formatted file: exit %d", code)
	}
}

func TestFmtSyntaxErrorExit2NothingWritten(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "a.hcl")
	broken := filepath.Join(dir, "b.hcl")
	_ = os.WriteFile(ok, []byte(unformattedHCL), 0o644)
	_ = os.WriteFile(broken, []byte("target {\n  chip = \n"), 0o644)
	code, _, errs := runCLI(t, afero.NewOsFs(), nil, "fmt", dir)
	if code != 2 || !strings.Contains(errs, "b.hcl line") {
		t.Fatalf("code %d, stderr %q", code, errs)
	}
	if got, _ := os.ReadFile(ok); string(got) != unformattedHCL {
		t.Fatal("a file was rewritten although another one failed to parse")
	}
}

func TestFmtStdin(t *testing.T) {
	var out strings.Builder
	a := &app{fs: afero.NewMemMapFs(), stdin: strings.NewReader(unformattedHCL), stdout: &out, stderr: &out,
		getenv: func(string) string { return "" }, environ: func() []string { return nil }}
	if code := a.run([]string{"fmt", "-"}); code != 0 || out.String() != formattedHCL {
		t.Fatalf("code %d out %q", code, out.String())
	}
}

// Every example is kept formatted.
func TestFmtCheckExamples(t *testing.T) {
	if files, _ := hclFilesUnder(afero.NewOsFs(), "../../examples"); len(files) < 6 {
		t.Fatalf("found only %v under examples/", files)
	}
	code, out, errs := runCLI(t, afero.NewOsFs(), nil, "fmt", "-check", "../../examples")
	if code != 0 {
		t.Fatalf("examples need `espcompose fmt examples/`: exit %d\n%s%s", code, out, errs)
	}
}
