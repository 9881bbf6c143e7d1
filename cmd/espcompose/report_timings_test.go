package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

// build --report-timings puts every stage's status and time into report.html; without
// it the report has none and stays reproducible. A report with timings is never
// "up to date".
func TestReportTimings(t *testing.T) {
	work := t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "quickstart"), work)
	mf := filepath.Join(work, "espcompose.hcl")
	dist := filepath.Join(work, "dist")
	build := func(args ...string) (string, string) {
		t.Helper()
		code, stdout, stderr := runCLI(t, afero.NewOsFs(), nil, append([]string{"build", "-f", mf, "-o", dist}, args...)...)
		if code != 0 {
			t.Fatalf("build %v: exit %d\n%s", args, code, stderr)
		}
		html, err := os.ReadFile(filepath.Join(dist, "report.html"))
		if err != nil {
			t.Fatal(err)
		}
		return stdout, string(html)
	}
	_, plain := build()
	if strings.Contains(plain, "<th>Time</th>") || strings.Contains(plain, " ms</td>") {
		t.Error("report.html has timings without --report-timings")
	}
	out, timed := build("--report-timings")
	if strings.HasPrefix(out, "Up to date") {
		t.Fatalf("a build with --report-timings was up to date: %s", out)
	}
	var rec struct {
		Stages []struct {
			ID string `json:"id"`
		} `json:"stages"`
	}
	data, err := os.ReadFile(filepath.Join(dist, "build.json"))
	if err != nil || json.Unmarshal(data, &rec) != nil || len(rec.Stages) == 0 {
		t.Fatalf("build.json: %v", err)
	}
	for _, s := range rec.Stages {
		row := regexp.MustCompile(`<tr><td class="num">\d+</td><td><code>` + regexp.QuoteMeta(s.ID) +
			`</code></td>.*?<td>(ran|recomputed|cached|read|secret)</td><td class="num">\d+\.\d\d ms</td></tr>`)
		if !row.MatchString(timed) {
			t.Errorf("report.html has no status and time for stage %s", s.ID)
		}
	}
	// Back without the flag: the reproducible report again, byte for byte.
	_, again := build()
	if again != plain {
		t.Error("report.html without --report-timings differs from the first build's")
	}
}
