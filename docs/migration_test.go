package docs_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// snippetMarker reads "validate example=DIR [name=N] [after=N]".
func snippetMarker(t *testing.T, b block) (example, name, after string) {
	t.Helper()
	fields := strings.Fields(b.marker)
	if len(fields) == 0 || fields[0] != "validate" {
		t.Fatalf("%s:%d: hcl block without a <!-- validate example=DIR [name=N] [after=N] --> marker", b.file, b.line)
	}
	for _, f := range fields[1:] {
		k, v, ok := strings.Cut(f, "=")
		switch {
		case ok && k == "example":
			example = v
		case ok && k == "name":
			name = v
		case ok && k == "after":
			after = v
		default:
			t.Fatalf("%s:%d: marker field %q", b.file, b.line, f)
		}
	}
	if example == "" {
		t.Fatalf("%s:%d: marker names no example", b.file, b.line)
	}
	return example, name, after
}

// TestMigrationSnippetsValidate: every hcl block of docs/migration.md, appended to
// the snippet it names as after=, validates with espcompose validate in a copy of its
// example folder, with the page's file blocks (<!-- file: PATH -->) written beside it.
func TestMigrationSnippetsValidate(t *testing.T) {
	bin := cli(t)
	blocks := codeBlocks(t, "migration.md")
	files := map[string]string{}
	for _, b := range blocks {
		if p, ok := strings.CutPrefix(b.marker, "file: "); ok {
			files[strings.TrimSpace(p)] = strings.Join(b.body, "\n") + "\n"
		}
	}
	named := map[string]string{}
	n := 0
	for _, b := range blocks {
		if b.lang != "hcl" {
			continue
		}
		n++
		example, name, after := snippetMarker(t, b)
		text := strings.Join(b.body, "\n") + "\n"
		if after != "" {
			base, ok := named[after]
			if !ok {
				t.Fatalf("migration.md:%d: after=%s names no earlier snippet", b.line, after)
			}
			text = base + "\n" + text
		}
		if name != "" {
			named[name] = text
		}
		dir := copyDir(t, filepath.Join(root, "examples", example))
		for p, content := range files {
			if err := os.WriteFile(filepath.Join(dir, p), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "espcompose.hcl"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, out := run(t, dir, baseEnv(t, ""), bin+" validate"); code != 0 {
			t.Errorf("migration.md:%d (in a copy of examples/%s): espcompose validate: exit %d\n%s", b.line, example, code, out)
		}
		// Formatted as espcompose fmt would write it, so the page teaches the layout.
		if code, out := run(t, dir, baseEnv(t, ""), bin+" fmt -check espcompose.hcl"); code != 0 {
			t.Errorf("migration.md:%d: not formatted as espcompose fmt writes it: exit %d\n%s", b.line, code, out)
		}
	}
	if n < 8 {
		t.Errorf("migration.md has %d manifest snippets; expected one per section", n)
	}
}

// TestMigrationCoversTheTools: the guide has a step for each Python tool it replaces.
func TestMigrationCoversTheTools(t *testing.T) {
	data, err := os.ReadFile("migration.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range []string{"idf.py", "esptool.py", "espsecure.py", "espefuse.py", "gen_esp32part.py", "nvs_partition_gen.py", "mfg_gen.py", "spiffsgen.py", "fatfsgen.py"} {
		if !strings.Contains(string(data), tool) {
			t.Errorf("migration.md never mentions %s", tool)
		}
	}
}
