package compose_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/compose"
	"github.com/espcompose/espcompose/internal/testfs"
)

func buildDisk(t *testing.T, opts compose.Options) *compose.Result {
	t.Helper()
	p, err := compose.Load(opts, false)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	res, err := p.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// recordedProject builds secure-production on the real disk three times: publish,
// a full rebuild that finds it up to date (and records so), then the record answers.
func recordedProject(t *testing.T) (compose.Options, int) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the up-to-date record reads change times on Linux only")
	}
	dir := t.TempDir()
	testfs.ToDir(t, filepath.Join(examplesDir, "secure-production"), dir)
	// Inputs changed less than the racy margin (50 ms) before a build are not recorded.
	time.Sleep(60 * time.Millisecond)
	opts := compose.Options{FS: afero.NewOsFs(), Manifest: filepath.Join(dir, "espcompose.hcl"),
		Out: filepath.Join(dir, "dist"), ToolVersion: "test", BuildID: "test-binary"}
	if res := buildDisk(t, opts); res.UpToDate {
		t.Fatal("first build up to date")
	}
	if _, ok := compose.QuickUpToDate(opts); ok {
		t.Fatal("a publish alone must not be recorded: the build is not yet known to reproduce its bytes")
	}
	res := buildDisk(t, opts)
	if !res.UpToDate {
		t.Fatal("second build not up to date")
	}
	n, ok := compose.QuickUpToDate(opts)
	if !ok || n != res.Files {
		t.Fatalf("QuickUpToDate after a confirmed rebuild: %v, %d files, want true, %d", ok, n, res.Files)
	}
	return opts, n
}

func TestQuickUpToDateReplaysWarnings(t *testing.T) {
	opts, _ := recordedProject(t)
	var got hcl.Diagnostics
	var files map[string]*hcl.File
	opts.OnDiagnostics = func(f map[string]*hcl.File, d hcl.Diagnostics) { files, got = f, append(got, d...) }
	if _, ok := compose.QuickUpToDate(opts); !ok {
		t.Fatal("not up to date")
	}
	// secure-production's bootloader says 8MB on a 4MB target: the full build warns.
	if len(got) != 1 || got[0].Severity != hcl.DiagWarning || got[0].Summary != "Bootloader flash size differs from target" ||
		got[0].Subject == nil || got[0].Subject.Start.Line == 0 || files[opts.Manifest] == nil {
		t.Fatalf("replayed diagnostics %v (files %v)", got, files)
	}
	// The quoted lines name their block as after a full load, without a parse: the
	// record keeps it.
	cs, ok := files[opts.Manifest].Nav.(interface{ ContextString(int) string })
	if !ok || cs.ContextString(got[0].Subject.Start.Byte) != `image "bootloader"` {
		t.Errorf("the replayed warning does not name its block: %v", files[opts.Manifest].Nav)
	}
}

// Each change the full build would notice sends QuickUpToDate to the full build.
func TestQuickUpToDateSeesChanges(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(t *testing.T, opts *compose.Options)
	}{
		{"output edited, same size", func(t *testing.T, o *compose.Options) { flipByte(t, filepath.Join(o.Out, "partition-table.bin")) }},
		{"output chmod-ed", func(t *testing.T, o *compose.Options) { chmod(t, filepath.Join(o.Out, "bootloader.bin"), 0o600) }},
		{"output removed", func(t *testing.T, o *compose.Options) { remove(t, filepath.Join(o.Out, "flash_args")) }},
		{"file added to the output", func(t *testing.T, o *compose.Options) { write(t, filepath.Join(o.Out, "notes.txt")) }},
		{"file added to an output subfolder", func(t *testing.T, o *compose.Options) { write(t, filepath.Join(o.Out, "partitions", "x")) }},
		{"leftover of a killed publish", func(t *testing.T, o *compose.Options) {
			if err := os.Mkdir(filepath.Join(filepath.Dir(o.Out), ".dist.tmp-123"), 0o755); err != nil {
				t.Fatal(err)
			}
		}},
		{"input image edited, same size", func(t *testing.T, o *compose.Options) {
			flipByte(t, filepath.Join(filepath.Dir(o.Manifest), "images", "app.bin"))
		}},
		{"NVS blob file edited", func(t *testing.T, o *compose.Options) {
			flipByte(t, filepath.Join(filepath.Dir(o.Manifest), "certs", "ca.crt"))
		}},
		{"manifest edited", func(t *testing.T, o *compose.Options) { appendTo(t, o.Manifest, "\n") }},
		{"key file rewritten with the same bytes", func(t *testing.T, o *compose.Options) {
			p := filepath.Join(filepath.Dir(o.Manifest), "keys", "flash_encryption_key.bin")
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"variable", func(t *testing.T, o *compose.Options) { o.Vars = map[string]string{"fw_version": "2.4.0"} }},
		{"SOURCE_DATE_EPOCH", func(t *testing.T, o *compose.Options) { o.SourceDateEpoch = "1" }},
		{"another binary", func(t *testing.T, o *compose.Options) { o.BuildID = "other" }},
		{"another tool version", func(t *testing.T, o *compose.Options) { o.ToolVersion = "other" }},
		{"no build id", func(t *testing.T, o *compose.Options) { o.BuildID = "" }},
		{"in-memory filesystem", func(t *testing.T, o *compose.Options) { o.FS = afero.NewMemMapFs() }},
	} {
		t.Run(c.name, func(t *testing.T) {
			opts, _ := recordedProject(t)
			c.change(t, &opts)
			if n, ok := compose.QuickUpToDate(opts); ok {
				t.Fatalf("still up to date (%d files) after: %s", n, c.name)
			}
		})
	}
}

// Activity beside the output folder that is not a leftover of its publish (another
// output folder, an editor's file in the project) leaves the record valid.
func TestQuickUpToDateIgnoresUnrelatedSiblings(t *testing.T) {
	opts, n := recordedProject(t)
	parent := filepath.Dir(opts.Out)
	write(t, filepath.Join(parent, "notes.txt"))
	if err := os.Mkdir(filepath.Join(parent, ".other.tmp-1"), 0o755); err != nil {
		t.Fatal(err)
	}
	if m, ok := compose.QuickUpToDate(opts); !ok || m != n {
		t.Fatalf("after unrelated siblings: %v %d", ok, m)
	}
}

// An output changed after the record looked at it, within the same clock tick, has
// the same stat identity; the probe's time catches it (git's racily-clean rule): a
// record whose probe is not newer than every output's change time is not trusted.
func TestQuickUpToDateRacyOutput(t *testing.T) {
	opts, _ := recordedProject(t)
	recs, _ := filepath.Glob(filepath.Join(filepath.Dir(opts.Manifest), ".espcompose", "cache", "uptodate", "*.json"))
	if len(recs) != 1 {
		t.Fatalf("want one record, found %v", recs)
	}
	raw, err := os.ReadFile(recs[0])
	if err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // nanosecond times do not fit a float64
	if err := dec.Decode(&rec); err != nil {
		t.Fatal(err)
	}
	// The newest change time of any published file.
	var ctime int64
	err = filepath.Walk(opts.Out, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			ctime = max(ctime, fi.Sys().(*syscall.Stat_t).Ctim.Nano())
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		probe int64
		want  bool
	}{{ctime, false}, {ctime + 1, true}} {
		rec["probe_ns"] = json.Number(strconv.FormatInt(c.probe, 10))
		b, _ := json.Marshal(rec)
		if err := os.WriteFile(recs[0], b, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, ok := compose.QuickUpToDate(opts); ok != c.want {
			t.Errorf("probe %d, newest output changed at %d: up to date %v, want %v", c.probe, ctime, ok, c.want)
		}
	}
}

// The full build after a change republishes and, once confirmed again, records anew.
func TestQuickUpToDateRecoversAfterChange(t *testing.T) {
	opts, n := recordedProject(t)
	flipByte(t, filepath.Join(opts.Out, "partition-table.bin"))
	if res := buildDisk(t, opts); res.UpToDate {
		t.Fatal("edited output not republished")
	}
	if res := buildDisk(t, opts); !res.UpToDate {
		t.Fatal("rebuild after republish not up to date")
	}
	if m, ok := compose.QuickUpToDate(opts); !ok || m != n {
		t.Fatalf("after recovery: %v %d", ok, m)
	}
}

func flipByte(t *testing.T, p string) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	st, _ := os.Stat(p)
	if err := os.WriteFile(p, b, st.Mode().Perm()); err != nil {
		t.Fatal(err)
	}
}

func chmod(t *testing.T, p string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

func remove(t *testing.T, p string) {
	t.Helper()
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, p string) {
	t.Helper()
	if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendTo(t *testing.T, p, s string) {
	t.Helper()
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// An input that changed just before (or while) the confirming build read it may not
// be what the build used: no record is written then; the next build records.
func TestQuickUpToDateWaitsForSettledInputs(t *testing.T) {
	opts, n := recordedProject(t)
	app := filepath.Join(filepath.Dir(opts.Manifest), "images", "app.bin")
	b, err := os.ReadFile(app)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(app, b, 0o644); err != nil { // same bytes, new change time
		t.Fatal(err)
	}
	if res := buildDisk(t, opts); !res.UpToDate {
		t.Fatal("same bytes: not up to date")
	}
	if _, ok := compose.QuickUpToDate(opts); ok {
		t.Fatal("recorded an input that changed within the margin before the build")
	}
	time.Sleep(100 * time.Millisecond)
	if res := buildDisk(t, opts); !res.UpToDate {
		t.Fatal("not up to date")
	}
	if m, ok := compose.QuickUpToDate(opts); !ok || m != n {
		t.Fatalf("settled input: %v %d", ok, m)
	}
}
