package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/compose"
	"github.com/espcompose/espcompose/manifest"
)

// checkBatchRecord decodes devices/<id>/record.json: it names the device, every file
// of the folder with its real digest, size and mode, the files the device was built
// from (its own certificate among them, relative to the project), and the same inputs
// hash devices.json gives the device.
func checkBatchRecord(t *testing.T, dist string, cfg *manifest.Config, work string, checked map[string]bool) {
	t.Helper()
	id := cfg.DeviceID
	dir := filepath.Join(dist, "devices", id)
	raw, err := os.ReadFile(filepath.Join(dir, compose.RecordName))
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Format string   `json:"format"`
		ID     string   `json:"id"`
		Inputs string   `json:"inputs_sha256"`
		Reads  []string `json:"reads"`
		Merged string   `json:"merged"`
		Files  []struct {
			Name   string `json:"name"`
			SHA256 string `json:"sha256"`
			Size   int64  `json:"size"`
			Mode   uint32 `json:"mode"`
		} `json:"files"`
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatalf("%s record: %v", id, err)
	}
	if rec.Format != "espcompose-device-record/1" || rec.ID != id || len(rec.Inputs) != 64 || rec.Merged != cfg.Output.Name+"-factory.bin" {
		t.Errorf("%s record: %+v", id, rec)
	}
	// A device whose example gives it its own certificate file must have read it
	// (examples that issue certificates have none).
	_, ownErr := os.Stat(filepath.Join(work, "certs", id+".pem"))
	if ownErr == nil && !slices.Contains(rec.Reads, "certs/"+id+".pem") {
		t.Errorf("%s record: reads %v, not its own certificate certs/%s.pem", id, rec.Reads, id)
	}
	var onDisk []string
	_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			if rel != compose.RecordName && !strings.HasPrefix(filepath.Base(rel), ".") {
				onDisk = append(onDisk, filepath.ToSlash(rel))
			}
		}
		return err
	})
	var listed []string
	for _, f := range rec.Files {
		listed = append(listed, f.Name)
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Name)))
		st, _ := os.Stat(filepath.Join(dir, filepath.FromSlash(f.Name)))
		if err != nil || sha256hex(data) != f.SHA256 || int64(len(data)) != f.Size || uint32(st.Mode().Perm()) != f.Mode {
			t.Errorf("%s record: %s listed as %s (%d bytes, mode %o), on disk it differs (%v)", id, f.Name, f.SHA256, f.Size, f.Mode, err)
		}
	}
	slices.Sort(onDisk)
	if !slices.Equal(listed, onDisk) {
		t.Errorf("%s record lists %v, the folder holds %v", id, listed, onDisk)
	}
	idx, _ := os.ReadFile(filepath.Join(dist, "devices.json"))
	var doc struct {
		Devices []struct {
			ID     string `json:"id"`
			Inputs string `json:"inputs_sha256"`
		} `json:"devices"`
	}
	_ = json.Unmarshal(idx, &doc)
	found := false
	for _, d := range doc.Devices {
		if d.ID == id {
			found = true
			if d.Inputs != rec.Inputs {
				t.Errorf("%s: devices.json inputs %s, record %s", id, d.Inputs, rec.Inputs)
			}
		}
	}
	if !found {
		t.Errorf("devices.json does not list %s", id)
	}
	checked["devices/"+id+"/"+compose.RecordName] = true
}

// checkDevicesCSV decodes devices.csv: a header of id, the merged image's digest and
// one digest column per output file, then one row per device in CSV order whose
// digests are those of the files on disk.
func checkDevicesCSV(t *testing.T, dist string, ids []string, checked map[string]bool) {
	t.Helper()
	f, err := os.Open(filepath.Join(dist, "devices.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(ids)+1 || rows[0][0] != "id" || rows[0][1] != "merged_sha256" {
		t.Fatalf("devices.csv: %d rows, header %v; want %d devices", len(rows), rows[0], len(ids))
	}
	for i, row := range rows[1:] {
		if row[0] != ids[i] {
			t.Errorf("devices.csv row %d is %s, want %s", i+1, row[0], ids[i])
		}
		for c, col := range rows[0][2:] {
			name, ok := strings.CutPrefix(col, "sha256:")
			if !ok {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dist, "devices", row[0], filepath.FromSlash(name)))
			if err != nil || sha256hex(data) != row[c+2] {
				t.Errorf("devices.csv: %s %s = %s, the file hashes otherwise (%v)", row[0], name, row[c+2], err)
			}
		}
	}
	checked["devices.csv"] = true
}

// The Kubernetes Indexed Job recipe of docs/manufacturing.md, run locally: three pods
// (JOB_COMPLETION_INDEX 0..2) each build --shard auto/3, then `devices merge` joins
// them into the tree one `build` makes; `cache prune` then bounds the cache.
func TestShardsAutoFromJobIndexAndMerge(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "manufacturing"), dir)
	cutDevices(t, dir, 3)
	mf := filepath.Join(dir, "espcompose.hcl")
	fs := afero.NewOsFs()
	code, stdout, stderr := runCLI(t, fs, nil, "build", "-f", mf, "-o", filepath.Join(dir, "whole"), "--jobs", "2")
	if code != 0 || !strings.Contains(stdout, "Built "+filepath.Join(dir, "whole")+": 3 devices, 3 rebuilt, 0 up to date.") {
		t.Fatalf("build: %d %s %s", code, stdout, stderr)
	}
	var shards []string
	for i := 0; i < 3; i++ {
		out := filepath.Join(dir, "shard-"+strconv.Itoa(i))
		env := map[string]string{"JOB_COMPLETION_INDEX": strconv.Itoa(i)}
		if code, _, stderr := runCLI(t, fs, env, "build", "-f", mf, "-o", out, "--shard", "auto/3"); code != 0 {
			t.Fatalf("shard %d: %s", i, stderr)
		}
		info, _ := os.ReadFile(filepath.Join(out, "shard.json"))
		if !strings.Contains(string(info), `"shard": `+strconv.Itoa(i+1)) {
			t.Errorf("JOB_COMPLETION_INDEX=%d built %s", i, info)
		}
		shards = append(shards, out)
	}
	merged := filepath.Join(dir, "merged")
	code, stdout, stderr = runCLI(t, fs, nil, append([]string{"devices", "merge", merged}, shards...)...)
	if code != 0 || !strings.Contains(stdout, "Merged 3 shards into "+merged+": 3 devices, 3 copied, 0 already in place.") {
		t.Fatalf("merge: %d %s %s", code, stdout, stderr)
	}
	for _, name := range []string{"SHA256SUMS", "devices.json", "devices.csv", "devices/MTR-000102/meter-factory.bin", "devices/MTR-000102/record.json"} {
		a, _ := os.ReadFile(filepath.Join(dir, "whole", name))
		b, err := os.ReadFile(filepath.Join(merged, name))
		if err != nil || string(a) != string(b) {
			t.Errorf("merged %s differs from one build's", name)
		}
	}
	if code, _, stderr := runCLI(t, fs, nil, "devices", "merge", filepath.Join(dir, "m2"), shards[0], shards[1]); code != 2 || !strings.Contains(stderr, "shard 3/3 is missing") {
		t.Errorf("merge with a shard missing: %d %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, fs, nil, "build", "-f", mf, "-o", filepath.Join(dir, "x"), "--shard", "auto/3"); code != 2 || !strings.Contains(stderr, "JOB_COMPLETION_INDEX") {
		t.Errorf("--shard auto without the index: %d %s", code, stderr)
	}
	cache := filepath.Join(dir, ".espcompose", "cache")
	// 1 byte: no entry fits (an issued certificate's entry is smaller than 1KB).
	code, stdout, stderr = runCLI(t, fs, nil, "cache", "prune", "-f", mf, "--max-size", "1B")
	if code != 0 || !strings.Contains(stdout, "Pruned "+cache+":") {
		t.Fatalf("cache prune: %d %s %s", code, stdout, stderr)
	}
	entries, _ := os.ReadDir(filepath.Join(cache, "entries"))
	if len(entries) != 0 {
		t.Errorf("--max-size 1B left %d entries", len(entries))
	}
	// A rebuild after the prune finds every device up to date: records, not the cache,
	// decide what is rebuilt.
	code, stdout, _ = runCLI(t, fs, nil, "build", "-f", mf, "-o", filepath.Join(dir, "whole"))
	if code != 0 || !strings.Contains(stdout, "Up to date: "+filepath.Join(dir, "whole")+" (3 devices unchanged).") {
		t.Errorf("rebuild after prune: %s", stdout)
	}
}

// The plain progress line a batch prints in CI: done of total, how many rebuilt and
// up to date, the rate and the time left at that rate.
func TestBatchProgressLine(t *testing.T) {
	got := progressLine(compose.BatchProgress{Done: 250, Total: 1000, Built: 200, Elapsed: 5 * time.Second})
	want := "250/1000 devices (200 rebuilt, 50 up to date), 50.0 devices/s, 15s left"
	if got != want {
		t.Errorf("progress line %q, want %q", got, want)
	}
	// Not a terminal (a test's buffer): nothing for a batch shorter than the interval.
	var errb strings.Builder
	a := &app{stderr: &errb, getenv: func(string) string { return "" }}
	show := a.batchProgress()
	show(compose.BatchProgress{Done: 1, Total: 3})
	show(compose.BatchProgress{Done: -1})
	if errb.Len() != 0 {
		t.Errorf("a short batch printed %q", errb.String())
	}
}
