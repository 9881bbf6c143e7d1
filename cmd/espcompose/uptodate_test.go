package main

import (
	"encoding/json"
	"fmt"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/testfs"
)

// A second build with nothing changed says it is up to date, in text and in JSON;
// after an output was deleted it builds again.
func TestBuildSaysUpToDate(t *testing.T) {
	root := "/ex/quickstart"
	fs := testfs.ToMem(t, filepath.Join(examplesDir, "quickstart"), root)
	args := []string{"build", "-f", path.Join(root, "espcompose.hcl"), "-o", "dist"}
	if code, _, stderr := runCLI(t, fs, nil, args...); code != 0 {
		t.Fatalf("first build: exit %d\n%s", code, stderr)
	}
	// SHA256SUMS lists every published file but itself.
	sums, err := afero.ReadFile(fs, "dist/SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	n := strings.Count(string(sums), "\n") + 1
	code, stdout, stderr := runCLI(t, fs, nil, args...)
	if want := fmt.Sprintf("Up to date: dist (%d files unchanged).\n", n); code != 0 || stdout != want {
		t.Fatalf("second build: exit %d, stdout %q, want %q\n%s", code, stdout, want, stderr)
	}
	code, stdout, stderr = runCLI(t, fs, nil, append(args, "--json")...)
	var doc struct {
		UpToDate *bool `json:"up_to_date"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); code != 0 || err != nil || doc.UpToDate == nil || !*doc.UpToDate {
		t.Fatalf("JSON: exit %d, %v, %s\n%s", code, err, stdout, stderr)
	}
	if err := fs.Remove("dist/partition-table.bin"); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runCLI(t, fs, nil, append(args, "--json")...)
	doc.UpToDate = nil
	if err := json.Unmarshal([]byte(stdout), &doc); code != 0 || err != nil || doc.UpToDate == nil || *doc.UpToDate {
		t.Fatalf("after a deleted output: exit %d, %v, %s\n%s", code, err, stdout, stderr)
	}
	if ok, _ := fs.Stat("dist/partition-table.bin"); ok == nil {
		t.Fatal("the deleted output was not published again")
	}
}
