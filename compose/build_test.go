package compose_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/compose"
	"github.com/espcompose/espcompose/internal/guard"
	"github.com/espcompose/espcompose/internal/testfs"
	"github.com/espcompose/espcompose/outputs"
	"github.com/espcompose/espcompose/stages"
)

const examplesDir = "../examples"

// memExample copies an example into memory at /ex/<name> and returns the filesystem and
// the manifest's path.
func memExample(t *testing.T, name string) (afero.Fs, string) {
	t.Helper()
	root := path.Join("/ex", name)
	return testfs.ToMem(t, filepath.Join(examplesDir, name), root), path.Join(root, "espcompose.hcl")
}

// golden reads an example's golden.sha256sums as name → digest.
func golden(t *testing.T, name string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(examplesDir, name, "golden.sha256sums"))
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		sum, file, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("golden line %q", sc.Text())
		}
		sums[file] = sum
	}
	return sums
}

func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// checkPublished compares every file the golden list names with what Build published.
// build.json records the tool version, which this test sets to its own, so those are
// checked for that version instead.
func checkPublished(t *testing.T, fs afero.Fs, dist string, want map[string]string, version string) {
	t.Helper()
	for name, sum := range want {
		data, err := afero.ReadFile(fs, path.Join(dist, name))
		if err != nil {
			t.Errorf("published tree lacks %s: %v", name, err)
			continue
		}
		if path.Base(name) == "SHA256SUMS" {
			// A device's list names its build.json: check each line against the tree.
			for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
				sum, file, _ := strings.Cut(line, "  ")
				got, err := afero.ReadFile(fs, path.Join(dist, path.Dir(name), file))
				if err != nil || sha256hex(got) != sum {
					t.Errorf("%s: %s does not hash to %s (%v)", name, file, sum, err)
				}
			}
			continue
		}
		switch path.Base(name) {
		case "record.json", "devices.json", "devices.csv":
			// A device batch's report: it names each device's inputs hash and build.json
			// digest, both of which depend on the tool version. Decoded instead.
			checkBatchReport(t, name, data, path.Base(path.Dir(name)))
			continue
		}
		if path.Base(name) == "build.json" {
			var rec struct {
				ToolVersion string `json:"tool_version"`
			}
			if err := json.Unmarshal(data, &rec); err != nil || rec.ToolVersion != version {
				t.Errorf("%s: tool_version %q (%v), want %q", name, rec.ToolVersion, err, version)
			}
			continue
		}
		if slices.Contains(outputs.ReportFiles, path.Base(name)) && path.Base(name) != "flash-map.svg" {
			// The reports name the tool version as build.json does, so they differ
			// from the golden's; verify read their content back before publishing.
			if !strings.Contains(string(data), version) {
				t.Errorf("%s does not name tool version %q", name, version)
			}
			continue
		}
		if got := sha256hex(data); got != sum {
			t.Errorf("%s hashes to %s, golden says %s", name, got, sum)
		}
	}
}

// A Go program builds the quickstart example entirely in memory: Load plans it, Build
// runs, verifies and publishes; a second Build reuses every cached stage.
func TestBuildQuickstartInMemory(t *testing.T) {
	fs, mf := memExample(t, "quickstart")
	dist := "/ex/quickstart/dist"
	var (
		mu   sync.Mutex // OnStage is called from several goroutines
		seen []string
	)
	opts := compose.Options{FS: fs, Manifest: mf, Out: dist, ToolVersion: "compose-test",
		OnStage: func(device, stage string, st stages.Status) {
			if device != "" {
				t.Errorf("stage %s reported for device %q of a manifest without devices", stage, device)
			}
			mu.Lock()
			seen = append(seen, stage)
			mu.Unlock()
		}}
	p, err := compose.Load(opts, false)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.Devices() || len(p.Configs) != 1 {
		t.Fatalf("quickstart: %d configurations, devices %v", len(p.Configs), p.Devices())
	}
	res, err := p.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Out != dist || res.Stages == nil || res.Devices != nil {
		t.Fatalf("result: out %q, stages %v, devices %v", res.Out, res.Stages != nil, res.Devices)
	}
	if len(seen) != p.Configs[0].Plan.Graph.Len() {
		t.Errorf("OnStage told %d stages, the plan has %d", len(seen), p.Configs[0].Plan.Graph.Len())
	}
	if res.Verify.Skipped || len(res.Verify.Checks) == 0 {
		t.Errorf("verification: skipped %v, %d checks", res.Verify.Skipped, len(res.Verify.Checks))
	}
	want := golden(t, "quickstart")
	checkPublished(t, fs, dist, want, "compose-test")
	// SHA256SUMS lists exactly the golden files.
	sums, err := afero.ReadFile(fs, path.Join(dist, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(sums), "\n"); n != len(want) {
		t.Errorf("SHA256SUMS lists %d files, golden %d:\n%s", n, len(want), sums)
	}

	again, err := compose.Load(opts, false)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	res, err = again.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for id, st := range res.Stages.Status {
		// A raw merge, and stages cheaper to make than to read back, are recomputed
		// from their inputs, never stored.
		s, _ := again.Configs[0].Plan.Graph.Node(id)
		in := make([]stages.Artifact, len(s.Deps()))
		for i, d := range s.Deps() {
			in[i] = res.Stages.Artifacts[d]
		}
		if stages.Recomputes(s, in) {
			if st != stages.StatusRecomputed {
				t.Errorf("recomputed stage %s: %s, want ran", id, st)
			}
			continue
		}
		if st == stages.StatusRan {
			t.Errorf("rebuild ran %s again", id)
		}
	}
}

// A devices block builds one tree per device under devices/<id>/, with devices.json;
// Options.Device narrows it to one device.
func TestBuildDevicesInMemory(t *testing.T) {
	fs, mf := memExample(t, "manufacturing")
	dist := "/ex/manufacturing/dist"
	var mu sync.Mutex // OnStage is called from several goroutines
	perDevice := map[string]int{}
	p, err := compose.Load(compose.Options{FS: fs, Manifest: mf, Out: dist, ToolVersion: "compose-test",
		OnStage: func(device, _ string, _ stages.Status) {
			mu.Lock()
			perDevice[device]++
			mu.Unlock()
		}}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if !p.Devices() {
		t.Fatal("manufacturing: not a devices build")
	}
	res, err := p.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"MTR-000101", "MTR-000102", "MTR-000103"} // the first of 120
	if len(res.Devices) != 120 || res.Stages != nil {
		t.Fatalf("%d devices built, want 120", len(res.Devices))
	}
	// Whichever device the batch builds first (workers run in parallel) computes the
	// shared stages; every other device runs fewer, reusing them.
	most := 0
	for _, d := range res.Devices {
		most = max(most, countRan(d.Result))
	}
	atMost := 0
	for i, d := range res.Devices {
		if want := fmt.Sprintf("MTR-%06d", 101+i); d.ID != want || len(d.Merged) != 1 || d.Merged[0] != "devices/"+want+"/meter-factory.bin" {
			t.Errorf("device %d: %s, merged %v", i, d.ID, d.Merged)
		}
		if perDevice[d.ID] != len(d.Result.Status) {
			t.Errorf("OnStage told %d stages of %s, it has %d", perDevice[d.ID], d.ID, len(d.Result.Status))
		}
		if countRan(d.Result) == most {
			atMost++
		}
	}
	if atMost != 1 {
		t.Errorf("%d devices ran %d stages each, the most any ran: nothing shared was reused", atMost, most)
	}
	// Every device's checks are in the summary, each named for its device.
	for _, id := range ids {
		found := false
		for _, c := range res.Verify.Checks {
			found = found || strings.HasPrefix(c.Subject, id+": ")
		}
		if !found {
			t.Errorf("no verification check names %s", id)
		}
	}
	checkPublished(t, fs, dist, golden(t, "manufacturing"), "compose-test")

	one, err := compose.Load(compose.Options{FS: fs, Manifest: mf, Out: "/ex/one", Device: "MTR-000102"}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	if len(one.Configs) != 1 || one.Configs[0].Config.DeviceID != "MTR-000102" {
		t.Fatalf("Device option: %d configurations", len(one.Configs))
	}
}

// Load's errors tell a caller what kind of mistake it is, as the CLI's exit codes need.
func TestLoadErrors(t *testing.T) {
	fs, mf := memExample(t, "quickstart")
	dir := path.Dir(mf)

	var told hcl.Diagnostics
	bad := path.Join(dir, "bad.hcl")
	if err := afero.WriteFile(fs, bad, []byte("target {\n  chip = \"esp99\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := compose.Load(compose.Options{FS: fs, Manifest: bad, Out: path.Join(dir, "dist"),
		OnDiagnostics: func(_ map[string]*hcl.File, d hcl.Diagnostics) { told = append(told, d...) }}, true)
	var de *compose.DiagnosticsError
	if !errors.As(err, &de) || !told.HasErrors() || len(de.Diags) == 0 {
		t.Errorf("bad manifest: err %v, told %d diagnostics", err, len(told))
	}

	_, err = compose.Load(compose.Options{FS: fs, Manifest: mf, Out: path.Join(dir, "dist"), Device: "x"}, true)
	var ue *compose.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "has no devices block") {
		t.Errorf("--device without devices: %v", err)
	}

	_, err = compose.Load(compose.Options{FS: fs, Manifest: mf, Out: path.Join(dir, "dist"), SourceDateEpoch: "yesterday"}, true)
	if !errors.As(err, &ue) || err.Error() != `SOURCE_DATE_EPOCH="yesterday" is not a number of seconds` {
		t.Errorf("bad SOURCE_DATE_EPOCH: %v", err)
	}

	// The output directory may not be the project folder: the guard refuses it, and
	// nothing is written.
	_, err = compose.Load(compose.Options{FS: fs, Manifest: mf, Out: path.Join(dir, "images")}, true)
	if !errors.Is(err, guard.ErrRefused) {
		t.Errorf("output over the images folder: %v", err)
	}
	if ok, _ := afero.DirExists(fs, path.Join(dir, ".espcompose")); ok {
		t.Error("a refused Load created the cache")
	}
}

func countRan(r *stages.Result) int {
	n := 0
	for _, st := range r.Status {
		if st == stages.StatusRan || st == stages.StatusRecomputed {
			n++
		}
	}
	return n
}

// checkBatchReport decodes a device batch's record.json (its device's id, a 64-digit
// inputs hash, its files), devices.json (the manufacturing example's 120 devices with
// their inputs hash) or devices.csv (a header and 120 rows).
func checkBatchReport(t *testing.T, name string, data []byte, dir string) {
	t.Helper()
	switch path.Base(name) {
	case "record.json":
		var r struct {
			ID     string `json:"id"`
			Inputs string `json:"inputs_sha256"`
			Files  []struct {
				Name string `json:"name"`
			} `json:"files"`
		}
		if err := json.Unmarshal(data, &r); err != nil || r.ID != dir || len(r.Inputs) != 64 || len(r.Files) == 0 {
			t.Errorf("%s: %+v (%v)", name, r, err)
		}
	case "devices.json":
		var idx struct {
			Devices []struct {
				ID     string `json:"id"`
				Inputs string `json:"inputs_sha256"`
			} `json:"devices"`
		}
		if err := json.Unmarshal(data, &idx); err != nil || len(idx.Devices) != 120 || idx.Devices[2].ID != "MTR-000103" || len(idx.Devices[119].Inputs) != 64 {
			t.Errorf("%s: %+v (%v)", name, idx, err)
		}
	case "devices.csv":
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		if len(lines) != 121 || !strings.HasPrefix(lines[0], "id,merged_sha256,") || !strings.HasPrefix(lines[3], "MTR-000103,") || !strings.HasPrefix(lines[120], "MTR-000220,") {
			t.Errorf("%s: %q", name, lines)
		}
	}
}
