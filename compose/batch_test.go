package compose

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/internal/guard"
)

// batchProject copies examples/manufacturing (its images) to a temporary folder on
// disk with testdata/batch-cert-files.hcl as manifest and n devices: serial
// MTR-000001..n, hw_rev varying, each with its own certificate file.
func batchProject(t *testing.T, n int) (dir string) {
	t.Helper()
	dir = t.TempDir()
	src := filepath.Join("..", "examples", "manufacturing")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		if strings.HasPrefix(rel, "certs"+string(filepath.Separator)) {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	mf, err := os.ReadFile(filepath.Join("testdata", "batch-cert-files.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "espcompose.hcl"), mf, 0o644); err != nil {
		t.Fatal(err)
	}
	_ = os.MkdirAll(filepath.Join(dir, "certs"), 0o755)
	var csv strings.Builder
	csv.WriteString("serial,hw_rev,region\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&csv, "%s,%d,eu868\n", serial(i), i%7)
		writeCert(t, dir, serial(i), "")
	}
	if err := os.WriteFile(filepath.Join(dir, "devices.csv"), []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func serial(i int) string { return fmt.Sprintf("MTR-%06d", i) }

func writeCert(t *testing.T, dir, id, extra string) {
	t.Helper()
	pem := "-----BEGIN CERTIFICATE-----\n" + id + extra + "\n-----END CERTIFICATE-----\n"
	if err := os.WriteFile(filepath.Join(dir, "certs", id+".pem"), []byte(pem), 0o644); err != nil {
		t.Fatal(err)
	}
}

func runBatch(t *testing.T, dir, out string, bo BatchOptions) *BatchResult {
	t.Helper()
	res, err := tryBatch(dir, out, bo)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func tryBatch(dir, out string, bo BatchOptions) (*BatchResult, error) {
	if bo.Jobs == 0 {
		bo.Jobs = 2
	}
	return RunBatch(context.Background(), Options{FS: afero.NewOsFs(), Manifest: filepath.Join(dir, "espcompose.hcl"),
		Out: out, CacheDir: filepath.Join(dir, "cache"), ToolVersion: "batch-test"}, bo)
}

// nvsEntries decodes a device's factory NVS partition.
func nvsEntries(t *testing.T, out, id string) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(out, "devices", id, "partitions", "factory_nvs.bin"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := nvs.Decode(raw, nil)
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	got := map[string]string{}
	for _, ns := range d.Partition.Namespaces {
		for _, e := range ns.Entries {
			switch {
			case e.Blob != nil:
				got[e.Key] = string(e.Blob)
			case e.Str != "":
				got[e.Key] = e.Str
			case e.Uint != 0:
				got[e.Key] = fmt.Sprint(e.Uint)
			default:
				got[e.Key] = fmt.Sprint(e.Int)
			}
		}
	}
	return got
}

// stamp is what a rewrite of a file changes: its inode, modification time and size.
type stamp struct {
	ino   uint64
	mtime time.Time
	size  int64
}

// snapshot stamps every file and folder under root.
func snapshot(t *testing.T, root string) map[string]stamp {
	t.Helper()
	m := map[string]stamp{}
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		st := info.Sys().(*syscall.Stat_t)
		rel, _ := filepath.Rel(root, p)
		m[rel] = stamp{st.Ino, info.ModTime(), info.Size()}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// changed lists what differs between two snapshots.
func changed(a, b map[string]stamp) []string {
	var out []string
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k+" (new)")
		}
	}
	return out
}

func TestBatchFiftyDevicesEachOwnSerial(t *testing.T) {
	dir := batchProject(t, 50)
	out := filepath.Join(dir, "dist")
	res := runBatch(t, dir, out, BatchOptions{Jobs: 3})
	if res.Devices != 50 || res.Built != 50 || res.Skipped != 0 || res.UpToDate {
		t.Fatalf("result %+v", res)
	}
	for i := 1; i <= 50; i++ {
		id := serial(i)
		got := nvsEntries(t, out, id)
		if got["serial"] != id || got["hw_rev"] != fmt.Sprint(i%7) || !strings.Contains(got["cert"], id) {
			t.Errorf("%s decodes to %v", id, got)
		}
	}
	var idx struct {
		Devices []indexDevice `json:"devices"`
	}
	raw, _ := os.ReadFile(filepath.Join(out, "devices.json"))
	if err := json.Unmarshal(raw, &idx); err != nil || len(idx.Devices) != 50 {
		t.Fatalf("devices.json: %v, %d devices", err, len(idx.Devices))
	}
	for i, d := range idx.Devices {
		if d.ID != serial(i+1) || d.Row != i+1 {
			t.Errorf("devices.json entry %d is %s (row %d)", i, d.ID, d.Row)
		}
	}
	checkSums(t, out)
	// Building again with one worker makes the same bytes.
	other := filepath.Join(dir, "dist1")
	runBatch(t, dir, other, BatchOptions{Jobs: 1})
	if diff := diffTrees(t, out, other); len(diff) > 0 {
		t.Errorf("one worker and three made different trees: %v", diff)
	}
}

// checkSums: SHA256SUMS names every file of the tree but itself and the markers, each
// with its digest.
func checkSums(t *testing.T, out string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(out, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		sum, name, _ := strings.Cut(line, "  ")
		data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(name)))
		if err != nil || sha256hex(data) != sum {
			t.Errorf("SHA256SUMS: %s %s does not match (%v)", sum, name, err)
		}
		listed[name] = true
	}
	_ = filepath.Walk(out, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && !strings.HasPrefix(info.Name(), ".") && info.Name() != "SHA256SUMS" || err == nil && info.Name() == "SHA256SUMS" && filepath.Dir(p) != out {
			rel, _ := filepath.Rel(out, p)
			if !listed[filepath.ToSlash(rel)] {
				t.Errorf("SHA256SUMS does not list %s", rel)
			}
		}
		return err
	})
}

// diffTrees compares two trees file by file (names and bytes).
func diffTrees(t *testing.T, a, b string) []string {
	t.Helper()
	read := func(root string) map[string]string {
		m := map[string]string{}
		_ = filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				data, _ := os.ReadFile(p)
				rel, _ := filepath.Rel(root, p)
				m[rel] = sha256hex(data)
			}
			return err
		})
		return m
	}
	ma, mb := read(a), read(b)
	var diff []string
	for k, v := range ma {
		if mb[k] != v {
			diff = append(diff, k)
		}
	}
	for k := range mb {
		if _, ok := ma[k]; !ok {
			diff = append(diff, k+" (only in "+b+")")
		}
	}
	return diff
}

func TestBatchRebuildTouchesNothing(t *testing.T) {
	dir := batchProject(t, 12)
	out := filepath.Join(dir, "dist")
	runBatch(t, dir, out, BatchOptions{})
	before := snapshot(t, out)
	time.Sleep(20 * time.Millisecond) // a rewrite would show in the modification times
	res := runBatch(t, dir, out, BatchOptions{})
	if !res.UpToDate || res.Built != 0 || res.Skipped != 12 {
		t.Fatalf("rebuild: %+v", res)
	}
	if diff := changed(before, snapshot(t, out)); len(diff) > 0 {
		t.Errorf("a rebuild with nothing changed touched %v", diff)
	}
}

func TestBatchOneChangedRowRebuildsOneDevice(t *testing.T) {
	dir := batchProject(t, 12)
	out := filepath.Join(dir, "dist")
	runBatch(t, dir, out, BatchOptions{})
	before := snapshot(t, out)
	csvPath := filepath.Join(dir, "devices.csv")
	raw, _ := os.ReadFile(csvPath)
	edited := strings.Replace(string(raw), serial(7)+",0,eu868", serial(7)+",5,us915", 1)
	if edited == string(raw) {
		t.Fatal("row 7 not found")
	}
	if err := os.WriteFile(csvPath, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	res := runBatch(t, dir, out, BatchOptions{})
	if res.Built != 1 || res.Skipped != 11 {
		t.Fatalf("one changed row: %+v", res)
	}
	if got := nvsEntries(t, out, serial(7)); got["hw_rev"] != "5" || got["region"] != "us915" {
		t.Errorf("device 7 after the change: %v", got)
	}
	for _, k := range changed(before, snapshot(t, out)) {
		k = strings.TrimSuffix(k, " (new)")
		if !strings.HasPrefix(k, filepath.Join("devices", serial(7))) && k != "devices" &&
			k != "devices.json" && k != "devices.csv" && k != "SHA256SUMS" && k != "." {
			t.Errorf("changing device 7's row touched %s", k)
		}
	}
	// A changed input file (its certificate) rebuilds that device only, too.
	writeCert(t, dir, serial(3), " renewed")
	res = runBatch(t, dir, out, BatchOptions{})
	if res.Built != 1 || !strings.Contains(nvsEntries(t, out, serial(3))["cert"], "renewed") {
		t.Errorf("a changed certificate: %+v", res)
	}
	checkSums(t, out)
}

func TestBatchShardsMergeToOneRun(t *testing.T) {
	dir := batchProject(t, 30)
	whole := filepath.Join(dir, "whole")
	runBatch(t, dir, whole, BatchOptions{})
	seen := map[string]int{}
	var shards []string
	for k := 1; k <= 3; k++ {
		out := filepath.Join(dir, fmt.Sprintf("shard%d", k))
		res := runBatch(t, dir, out, BatchOptions{Shard: Shard{K: k, N: 3}})
		if res.Devices == 0 {
			t.Errorf("shard %d/3 is empty", k)
		}
		entries, _ := os.ReadDir(filepath.Join(out, "devices"))
		for _, e := range entries {
			seen[e.Name()]++
		}
		shards = append(shards, out)
	}
	for i := 1; i <= 30; i++ {
		if seen[serial(i)] != 1 {
			t.Errorf("%s is in %d shards", serial(i), seen[serial(i)])
		}
	}
	if len(seen) != 30 {
		t.Errorf("the shards hold %d devices", len(seen))
	}
	merged := filepath.Join(dir, "merged")
	res, err := MergeShards(afero.NewOsFs(), merged, shards, MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Devices != 30 || res.Copied != 30 {
		t.Errorf("merge: %+v", res)
	}
	if diff := diffTrees(t, whole, merged); len(diff) > 0 {
		t.Errorf("the merged shards differ from one run in %v", diff)
	}
	// Merging again changes nothing.
	before := snapshot(t, merged)
	if res, err := MergeShards(afero.NewOsFs(), merged, shards, MergeOptions{}); err != nil || res.Copied != 0 {
		t.Errorf("merge again: %+v %v", res, err)
	}
	if diff := changed(before, snapshot(t, merged)); len(diff) > 0 {
		t.Errorf("merging again touched %v", diff)
	}

	refuse := func(what string, dirs []string, want string) {
		t.Helper()
		_, err := MergeShards(afero.NewOsFs(), filepath.Join(dir, "refused"), dirs, MergeOptions{})
		var ue *UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", what, err, want)
		}
		if _, err := os.Stat(filepath.Join(dir, "refused")); err == nil {
			t.Errorf("%s: a refused merge wrote its output", what)
		}
	}
	refuse("a missing shard", shards[:2], "shard 3/3 is missing")
	refuse("a shard twice", []string{shards[0], shards[1], shards[1]}, "are both shard 2/3")
	refuse("not a shard", []string{whole}, "not a shard of a device batch")
	// A shard whose devices were removed after it was built: the batch is incomplete.
	victim := readIndexIDs(t, shards[2])[0]
	if err := os.RemoveAll(filepath.Join(shards[2], "devices", victim)); err != nil {
		t.Fatal(err)
	}
	idx := filepath.Join(shards[2], "devices.json")
	raw, _ := os.ReadFile(idx)
	var doc map[string]any
	_ = json.Unmarshal(raw, &doc)
	list := doc["devices"].([]any)
	doc["devices"] = list[1:]
	raw, _ = json.Marshal(doc)
	_ = os.WriteFile(idx, raw, 0o644)
	refuse("a device missing", shards, "the shards hold 29 devices; the batch has 30")
	// A shard of another batch (another devices file).
	other := batchProject(t, 31)
	otherShard := filepath.Join(other, "s3")
	runBatch(t, other, otherShard, BatchOptions{Shard: Shard{K: 3, N: 3}})
	refuse("another batch", []string{shards[0], shards[1], otherShard}, "are shards of different batches")
}

func readIndexIDs(t *testing.T, out string) []string {
	t.Helper()
	var idx struct {
		Devices []indexDevice `json:"devices"`
	}
	raw, _ := os.ReadFile(filepath.Join(out, "devices.json"))
	_ = json.Unmarshal(raw, &idx)
	var ids []string
	for _, d := range idx.Devices {
		ids = append(ids, d.ID)
	}
	return ids
}

// A device's shard depends on its id alone: these are pinned, so a change to the
// hashing (which would move every device of every running shard) fails here. The
// values are sha256(id)[:8] as a big-endian number mod 4, plus 1, computed in Python.
func TestShardIsStableByID(t *testing.T) {
	want := map[string]int{}
	for i := 1; i <= 200; i++ {
		for k := 1; k <= 4; k++ {
			if (Shard{K: k, N: 4}).Has(serial(i)) {
				want[serial(i)]++
			}
		}
	}
	for id, n := range want {
		if n != 1 {
			t.Errorf("%s is in %d of 4 shards", id, n)
		}
	}
	for id, k := range map[string]int{"MTR-000001": 1, "MTR-000002": 4, "MTR-000003": 2, "A": 2, "device-42": 1} {
		if !(Shard{K: k, N: 4}).Has(id) {
			t.Errorf("%s is not in shard %d/4 any more", id, k)
		}
	}
	for _, bad := range []string{"0/3", "4/3", "1/0", "x/3", "3", ""} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) accepted", bad)
		}
	}
}

func TestBatchOnlyAndStaleDevices(t *testing.T) {
	dir := batchProject(t, 6)
	out := filepath.Join(dir, "dist")
	runBatch(t, dir, out, BatchOptions{})
	res := runBatch(t, dir, out, BatchOptions{Only: []string{serial(2), serial(5)}})
	if res.Devices != 2 || res.Built != 0 || res.Removed != 4 {
		t.Errorf("--only: %+v", res)
	}
	if ids := readIndexIDs(t, out); strings.Join(ids, ",") != serial(2)+","+serial(5) {
		t.Errorf("--only: devices.json lists %v", ids)
	}
	if _, err := tryBatch(dir, out, BatchOptions{Only: []string{"MTR-999"}}); err == nil || !strings.Contains(err.Error(), `no device with id "MTR-999"`) {
		t.Errorf("unknown --only id: %v", err)
	}
}

func TestBatchBadInputWritesNothing(t *testing.T) {
	dir := batchProject(t, 40)
	out := filepath.Join(dir, "dist")
	csvPath := filepath.Join(dir, "devices.csv")
	raw, _ := os.ReadFile(csvPath)
	// The last row's hw_rev does not fit a u8: found before device 1 is written.
	bad := string(raw) + "MTR-000041,300,eu868\n"
	writeCert(t, dir, "MTR-000041", "")
	_ = os.WriteFile(csvPath, []byte(bad), 0o644)
	_, err := tryBatch(dir, out, BatchOptions{})
	var de *DiagnosticsError
	if !errors.As(err, &de) {
		t.Fatalf("bad last row: %v", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a bad row in the devices file left an output folder")
	}
	// A folder holding something espcompose did not write is refused before any build.
	_ = os.WriteFile(csvPath, raw, 0o644)
	runBatch(t, dir, out, BatchOptions{})
	stray := filepath.Join(out, "devices", serial(3), "notes.txt")
	_ = os.WriteFile(stray, []byte("mine"), 0o644)
	_, err = tryBatch(dir, out, BatchOptions{})
	var ge *guard.Error
	if !errors.As(err, &ge) || !strings.Contains(err.Error(), "notes.txt") {
		t.Errorf("foreign file in a device folder: %v", err)
	}
	if b, _ := os.ReadFile(stray); string(b) != "mine" {
		t.Error("the foreign file was touched")
	}
}

// A batch killed while it publishes a device leaves that device as it was or as
// rebuilt, and the next run finishes the job.
func TestBatchCrashLeavesOldOrNewDevice(t *testing.T) {
	dir := batchProject(t, 5)
	out := filepath.Join(dir, "dist")
	runBatch(t, dir, out, BatchOptions{})
	oldNVS, _ := os.ReadFile(filepath.Join(out, "devices", serial(4), "partitions", "factory_nvs.bin"))
	writeCert(t, dir, serial(4), " v2")
	for _, step := range []string{"written", "aside", "swapped"} {
		// The batch runs in a child process that SIGKILLs itself at that step.
		cmd := exec.Command(os.Args[0], "-test.run=^TestBatchCrashChild$")
		cmd.Env = append(os.Environ(), "BATCH_CRASH_DIR="+dir, "BATCH_CRASH_STEP="+step)
		if out, err := cmd.CombinedOutput(); err == nil && step == "written" {
			t.Fatalf("the child was not killed at %s:\n%s", step, out)
		}
		got, err := os.ReadFile(filepath.Join(out, "devices", serial(4), "partitions", "factory_nvs.bin"))
		if err != nil || !(string(got) == string(oldNVS) || strings.Contains(string(got), "v2")) {
			t.Errorf("crash at %s: device 4 is neither old nor new (%v)", step, err)
		}
	}
	res := runBatch(t, dir, out, BatchOptions{})
	if !strings.Contains(nvsEntries(t, out, serial(4))["cert"], "v2") || res.Devices != 5 {
		t.Errorf("after the crashes: %+v", res)
	}
	entries, _ := os.ReadDir(filepath.Join(out, "devices"))
	if len(entries) != 5 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("leftovers after recovery: %v", names)
	}
	checkSums(t, out)
}

// Per-device NVS encryption keys that the first build creates (as mfg_gen --keygen
// does): the second build is up to date, devices.json and devices.csv carry each
// key's fingerprint, and no output of the batch report holds the key's bytes.
func TestBatchCreatedKeysFingerprintsNoKeyBytes(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "batch-encrypted-nvs.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	_ = os.MkdirAll(filepath.Join(dir, "certs"), 0o755)
	_ = os.WriteFile(filepath.Join(dir, "espcompose.hcl"), src, 0o644)
	var csv strings.Builder
	csv.WriteString("serial,hw_rev,region\n")
	for i := 1; i <= 6; i++ {
		fmt.Fprintf(&csv, "%s,%d,eu868\n", serial(i), i)
		writeCert(t, dir, serial(i), "")
	}
	_ = os.WriteFile(filepath.Join(dir, "devices.csv"), []byte(csv.String()), 0o644)
	out := filepath.Join(dir, "dist")
	if res := runBatch(t, dir, out, BatchOptions{}); res.Built != 6 {
		t.Fatalf("first build: %+v", res)
	}
	if res := runBatch(t, dir, out, BatchOptions{}); !res.UpToDate {
		t.Errorf("second build after the keys were created: %+v", res)
	}
	idx, _ := os.ReadFile(filepath.Join(out, "devices.json"))
	var doc struct {
		Devices []indexDevice `json:"devices"`
	}
	_ = json.Unmarshal(idx, &doc)
	fps := map[string]bool{}
	for _, d := range doc.Devices {
		key, err := os.ReadFile(filepath.Join(dir, "keys", d.ID+".bin"))
		if err != nil {
			t.Fatal(err)
		}
		fp := d.Keys["nvs"]
		if len(fp) != 32 || fps[fp] {
			t.Errorf("%s: key fingerprint %q (each device has its own key)", d.ID, fp)
		}
		fps[fp] = true
		st, _ := os.Stat(filepath.Join(dir, "keys", d.ID+".bin"))
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: key file mode %o", d.ID, st.Mode().Perm())
		}
		// Neither the bytes nor their hex (in any 16-byte window) appear in the report.
		_ = filepath.Walk(out, func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() || strings.HasSuffix(p, ".bin") {
				return err
			}
			data, _ := os.ReadFile(p)
			for off := 0; off+16 <= 64; off += 16 {
				if strings.Contains(string(data), string(key[off:off+16])) || strings.Contains(string(data), fmt.Sprintf("%x", key[off:off+16])) {
					t.Errorf("%s holds bytes of %s's key", p, d.ID)
				}
			}
			return nil
		})
	}
	raw, _ := os.ReadFile(filepath.Join(out, "devices.csv"))
	if !strings.Contains(strings.SplitN(string(raw), "\n", 2)[0], "key_fingerprint:nvs") {
		t.Errorf("devices.csv header: %s", strings.SplitN(string(raw), "\n", 2)[0])
	}
}

// TestBatchCrashChild is the batch TestBatchCrashLeavesOldOrNewDevice kills.
func TestBatchCrashChild(t *testing.T) {
	dir, step := os.Getenv("BATCH_CRASH_DIR"), os.Getenv("BATCH_CRASH_STEP")
	if dir == "" {
		t.Skip("run by TestBatchCrashLeavesOldOrNewDevice")
	}
	_, _ = RunBatch(context.Background(), Options{FS: afero.NewOsFs(), Manifest: filepath.Join(dir, "espcompose.hcl"),
		Out: filepath.Join(dir, "dist"), CacheDir: filepath.Join(dir, "cache"), ToolVersion: "batch-test",
		CrashHook: func(s string) {
			if s == step {
				_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {}
			}
		}}, BatchOptions{Jobs: 2})
}
