package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/outputs"
)

// TestReportsListedEverywhere: each report file is in the folder's marker (so a later
// build may replace it), in SHA256SUMS and in build.json's outputs.
func TestReportsListedEverywhere(t *testing.T) {
	work := t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "quickstart"), work)
	dist := filepath.Join(work, "dist")
	if code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "build", "-f", filepath.Join(work, "espcompose.hcl"), "-o", dist); code != 0 {
		t.Fatalf("build: exit %d\n%s", code, stderr)
	}
	marker, _ := os.ReadFile(filepath.Join(dist, outputs.Marker))
	sums, _ := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
	rec, _ := os.ReadFile(filepath.Join(dist, "build.json"))
	var r struct {
		Outputs []struct{ Path, SHA256 string } `json:"outputs"`
	}
	if err := json.Unmarshal(rec, &r); err != nil {
		t.Fatal(err)
	}
	for _, name := range outputs.ReportFiles {
		data, err := os.ReadFile(filepath.Join(dist, name))
		if err != nil {
			t.Fatalf("%s was not written: %v", name, err)
		}
		if !strings.Contains(string(marker), "\n"+name+"\n") {
			t.Errorf("the marker does not list %s", name)
		}
		if !strings.Contains(string(sums), sha256hex(data)+"  "+name+"\n") {
			t.Errorf("SHA256SUMS does not list %s with its hash", name)
		}
		found := false
		for _, o := range r.Outputs {
			found = found || (o.Path == name && o.SHA256 == sha256hex(data))
		}
		if !found {
			t.Errorf("build.json does not list %s", name)
		}
	}
	// A second build of the same inputs leaves the folder as it is: the reports hold
	// no clock and no cache state.
	code, stdout, stderr := runCLI(t, afero.NewOsFs(), nil, "build", "-f", filepath.Join(work, "espcompose.hcl"), "-o", dist)
	if code != 0 || !strings.HasPrefix(stdout, "Up to date:") {
		t.Errorf("second build: exit %d, %q\n%s", code, stdout, stderr)
	}
}

// TestPlanPrintsFlashBar: plan draws the flash map to scale after its table.
func TestPlanPrintsFlashBar(t *testing.T) {
	code, stdout, stderr := runCLI(t, afero.NewOsFs(), nil, "plan", "-f", filepath.Join(examplesDir, "esp-at", "espcompose.hcl"))
	if code != 0 {
		t.Fatalf("plan: exit %d\n%s", code, stderr)
	}
	var bars []string
	for _, line := range strings.Split(stdout, "\n") {
		if strings.HasSuffix(line, "|") && strings.Contains(line, " |") {
			bars = append(bars, line)
		}
	}
	// esp-at: the primary table and at_customize's nested table, 64 characters each.
	if len(bars) != 2 {
		t.Fatalf("want two bar lines, got %q in\n%s", bars, stdout)
	}
	for _, b := range bars {
		inner := b[strings.Index(b, "|")+1 : len(b)-1]
		if utf8.RuneCountInString(inner) != 64 {
			t.Errorf("bar %q is %d wide", b, utf8.RuneCountInString(inner))
		}
	}
	// ota_0 and ota_1 (0x60000-0x400000 of 4MB) fill the rest of the line with apps.
	if !strings.HasSuffix(bars[0], strings.Repeat("A", 58)+"|") || !strings.HasPrefix(bars[1], "↳ ") {
		t.Errorf("bars:\n%s", strings.Join(bars, "\n"))
	}
	if !strings.Contains(stdout, "0x400000 (4M)") || !strings.Contains(stdout, "1 char = 64K") {
		t.Errorf("no axis or legend:\n%s", stdout)
	}
}
