package compose

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/guard"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/outputs"
)

// factoryProject is the bench scenario with the output block given.
func factoryProject(t *testing.T, n int, enc bool, output string) string {
	t.Helper()
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "batch-encrypted-nvs.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	m := string(src)
	if !enc {
		i, j := strings.Index(m, "key \"nvs\" {"), strings.Index(m, "partition \"nvs\"")
		m = m[:i] + m[j:]
		m = strings.Replace(m, "  encrypt_with = key.nvs\n", "", 1)
	}
	m = strings.Replace(m, "output {\n", "output {\n"+output, 1)
	_ = os.MkdirAll(filepath.Join(dir, "certs"), 0o755)
	var csv strings.Builder
	csv.WriteString("serial,hw_rev,region\n")
	for i := 1; i <= n; i++ {
		csv.WriteString(serial(i) + ",7,eu868\n")
		writeCert(t, dir, serial(i), "")
	}
	for name, data := range map[string]string{"espcompose.hcl": m, "devices.csv": csv.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	return names
}

// device_files with merged = false: each device folder holds its NVS partition, its
// record and marker, nothing else; the top-level sums list them; a rerun is up to
// date; the NVS decodes to the device's own serial.
func TestBatchDeviceFilesOnly(t *testing.T) {
	dir := factoryProject(t, 4, true, "  merged = false\n  device_files = [\"partitions/nvs.bin\"]\n")
	out := filepath.Join(dir, "dist")
	if res := runBatch(t, dir, out, BatchOptions{}); res.Built != 4 {
		t.Fatalf("first build: %+v", res)
	}
	for i := 1; i <= 4; i++ {
		got := strings.Join(listDir(t, filepath.Join(out, "devices", serial(i))), " ")
		if want := outputs.Marker + " partitions/nvs.bin record.json"; got != want {
			t.Errorf("device %d holds %s, want %s", i, got, want)
		}
		st, err := os.Stat(filepath.Join(dir, "keys", serial(i)+".bin"))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("device %d's created key: %v %v", i, st, err)
		}
	}
	checkSums(t, out)
	if res := runBatch(t, dir, out, BatchOptions{}); !res.UpToDate {
		t.Errorf("rerun: %+v", res)
	}
	idx, _ := os.ReadFile(filepath.Join(out, "devices.json"))
	if strings.Contains(string(idx), `"merged"`) || !strings.Contains(string(idx), "partitions/nvs.bin") {
		t.Errorf("devices.json names a merged image or not the NVS partition:\n%s", idx)
	}
}

// The reports are off by default for a batch's devices and on when asked.
func TestBatchReportsOnlyWhenAsked(t *testing.T) {
	for _, c := range []struct {
		output string
		want   bool
	}{{"", false}, {"  reports = true\n", true}} {
		dir := factoryProject(t, 2, false, c.output)
		out := filepath.Join(dir, "dist")
		runBatch(t, dir, out, BatchOptions{})
		names := strings.Join(listDir(t, filepath.Join(out, "devices", serial(2))), " ")
		for _, r := range outputs.ReportFiles {
			if strings.Contains(names, r) != c.want {
				t.Errorf("output {%s}: device folder %s", c.output, names)
			}
		}
		if !strings.Contains(names, "meter-factory.bin") {
			t.Errorf("no merged image by default: %s", names)
		}
	}
}

// A device file the build does not write is bad input: a diagnostic naming the
// device_files line, and nothing written.
func TestBatchUnknownDeviceFileWritesNothing(t *testing.T) {
	dir := factoryProject(t, 3, false, "  device_files = [\"partitions/nvs.bin\", \"nvs.bin\"]\n")
	out := filepath.Join(dir, "dist")
	_, err := tryBatch(dir, out, BatchOptions{})
	var de *DiagnosticsError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), `device_files names "nvs.bin"`) ||
		de.Diags[0].Subject == nil || de.Diags[0].Subject.Start.Line == 0 {
		t.Fatalf("unknown device file: %v", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an unknown device file left an output folder: %v", err)
	}
	// Found while validating: a device that creates its key has not created it yet.
	dir = factoryProject(t, 2, true, "  device_files = [\"partitions/nvs.bin\", \"nvs.bin\"]\n")
	if _, err := tryBatch(dir, filepath.Join(dir, "dist"), BatchOptions{}); !errors.As(err, &de) {
		t.Fatalf("unknown device file, encrypted: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "keys")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an unknown device file created keys: %v", err)
	}
}

// A run killed while it wrote a device's marker (written first, in place) leaves a
// temporary folder holding only part of a marker: the next run removes it. A folder
// with anything else in it is still not espcompose's to remove.
func TestBatchPartialMarkerRecovered(t *testing.T) {
	dir := factoryProject(t, 2, false, "")
	out := filepath.Join(dir, "dist")
	runBatch(t, dir, out, BatchOptions{})
	left := filepath.Join(out, "devices", "."+serial(2)+".tmp-0123456789ab")
	_ = os.MkdirAll(left, 0o755)
	full := string(outputs.MarkerFor(nil))
	_ = os.WriteFile(filepath.Join(left, outputs.Marker), []byte(full[:len(full)/2]), 0o644)
	runBatch(t, dir, out, BatchOptions{})
	if _, err := os.Stat(left); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the partial device folder is still there: %v", err)
	}
	// Not ours: a partial marker beside another file.
	_ = os.MkdirAll(left, 0o755)
	_ = os.WriteFile(filepath.Join(left, outputs.Marker), []byte(full[:10]), 0o644)
	_ = os.WriteFile(filepath.Join(left, "notes.txt"), []byte("mine"), 0o644)
	_, _ = tryBatch(dir, out, BatchOptions{})
	if b, _ := os.ReadFile(filepath.Join(left, "notes.txt")); string(b) != "mine" {
		t.Error("a folder holding a file espcompose did not write was removed")
	}
	if partialMarkerOnly(afero.NewOsFs(), filepath.Join(out, "devices", serial(1))) {
		t.Error("a complete device folder counts as a partial marker")
	}
}

// The check on the rendered outputs: keeps the named files, sorted, and refuses a
// name none of them has (what the planned check cannot know ahead).
func TestDeviceFilesKeepsNamed(t *testing.T) {
	b := &batch{}
	cfg := &manifest.Config{Output: manifest.Output{DeviceFiles: []string{"b.bin", "a.bin"}}}
	files := []outputs.File{{Name: "a.bin"}, {Name: "b.bin"}, {Name: "c.bin"}}
	kept, err := b.deviceFiles(cfg, files)
	if err != nil || len(kept) != 2 || kept[0].Name != "a.bin" || kept[1].Name != "b.bin" {
		t.Fatalf("kept %v, %v", kept, err)
	}
	cfg.Output.DeviceFiles = []string{"d.bin"}
	var de *DiagnosticsError
	if _, err := b.deviceFiles(cfg, files); !errors.As(err, &de) || !strings.Contains(err.Error(), "a.bin, b.bin, c.bin") {
		t.Errorf("unknown name: %v", err)
	}
	cfg.Output.DeviceFiles = nil
	if all, _ := b.deviceFiles(cfg, files); len(all) != 3 {
		t.Errorf("no device_files: %d files kept", len(all))
	}
}

// A device folder that appears while the batch runs (it was not there when the tree
// was checked) is refused, never replaced: a swap would delete what it holds.
func TestBatchCommitKeepsFolderThatAppeared(t *testing.T) {
	out := filepath.Join(t.TempDir(), "dist")
	tr, err := openTree(afero.NewOsFs(), out, PublishSettings{})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.close()
	if err := tr.ensure(); err != nil {
		t.Fatal(err)
	}
	tmp, err := tr.stageDevice("DEV-1", []outputs.File{{Name: "nvs.bin", Data: []byte{1, 2, 3}, Mode: 0o644}})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(out, "devices", "DEV-1")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(mine, []byte("not espcompose's"), 0o644); err != nil {
		t.Fatal(err)
	}
	var ge *guard.Error
	if err := tr.commitDevice("DEV-1", tmp); !errors.As(err, &ge) || !strings.Contains(err.Error(), "appeared while the batch ran") {
		t.Fatalf("a folder that appeared: %v", err)
	}
	if b, err := os.ReadFile(mine); err != nil || string(b) != "not espcompose's" {
		t.Fatalf("its file: %q, %v", b, err)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Fatalf("the staged folder is left: %v", err)
	}
	// A device whose place is free is renamed into place.
	tmp, err = tr.stageDevice("DEV-2", []outputs.File{{Name: "nvs.bin", Data: []byte{4}, Mode: 0o644}})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.commitDevice("DEV-2", tmp); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(out, "devices", "DEV-2", "nvs.bin")); err != nil || string(b) != "\x04" {
		t.Fatalf("DEV-2: %q, %v", b, err)
	}
}
