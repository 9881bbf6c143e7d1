package outputs

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/fsutil"
	"github.com/espcompose/espcompose/internal/guard"
)

func oneFile(name, data string) []File {
	return []File{{Name: name, Data: []byte(data), Mode: 0o644}}
}

func TestPublishWritesMarkerAndReplacesOwnDir(t *testing.T) {
	fs := afero.NewMemMapFs()
	if err := Publish(fs, "/w/dist", oneFile("a.bin", "1"), PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	if b, _ := afero.ReadFile(fs, "/w/dist/"+Marker); !strings.Contains(string(b), "made by espcompose") {
		t.Fatalf("marker %q", b)
	}
	if err := Publish(fs, "/w/dist", oneFile("b.bin", "2"), PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := afero.Exists(fs, "/w/dist/a.bin"); ok {
		t.Fatal("old file survived the replacement")
	}
	if b, _ := afero.ReadFile(fs, "/w/dist/b.bin"); string(b) != "2" {
		t.Fatalf("b.bin = %q", b)
	}
}

// A folder espcompose did not make is never replaced, even an empty one, and is left
// exactly as it was.
func TestPublishRefusesForeignDir(t *testing.T) {
	for _, files := range []map[string]string{{"notes.md": "mine"}, {}} {
		fs := afero.NewMemMapFs()
		_ = fs.MkdirAll("/w/dist", 0o755)
		for n, d := range files {
			_ = afero.WriteFile(fs, "/w/dist/"+n, []byte(d), 0o600)
		}
		err := Publish(fs, "/w/dist", oneFile("a.bin", "1"), PublishOptions{})
		if !errors.Is(err, guard.ErrRefused) || !strings.Contains(err.Error(), "espcompose did not make it") {
			t.Fatalf("got %v", err)
		}
		if b, _ := afero.ReadFile(fs, "/w/dist/notes.md"); len(files) > 0 && string(b) != "mine" {
			t.Fatal("foreign file changed")
		}
		if left, _ := fsutil.Leftovers(fs, "/w/dist"); len(left) != 0 {
			t.Fatalf("leftovers %v", left)
		}
	}
	fs := afero.NewMemMapFs()
	_ = afero.WriteFile(fs, "/w/notes.txt", []byte("mine"), 0o600)
	if err := Publish(fs, "/w/notes.txt", oneFile("a.bin", "1"), PublishOptions{}); !errors.Is(err, guard.ErrRefused) {
		t.Fatalf("file as output dir: %v", err)
	}
}

// Leftovers of killed publishes (a half-written temp dir, an old copy moved aside)
// are removed by the next publish; look-alikes without the marker are not.
func TestPublishCleansLeftoversOfKilledBuilds(t *testing.T) {
	fs := afero.NewMemMapFs()
	if err := Publish(fs, "/w/dist", oneFile("a.bin", "1"), PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	_ = afero.WriteFile(fs, "/w/.dist.tmp-111/"+Marker, []byte(markerText+markerFiles), 0o644)
	_ = afero.WriteFile(fs, "/w/.dist.tmp-111/half.bin", []byte("x"), 0o644)
	_ = afero.WriteFile(fs, "/w/.dist.tmp-222/."+Marker+".tmp-9", nil, 0o644) // killed writing the marker
	_ = afero.WriteFile(fs, "/w/.dist.old-abc/"+Marker, []byte(markerText+markerFiles), 0o644)
	_ = afero.WriteFile(fs, "/w/.dist.tmp-333/yours.txt", []byte("not ours"), 0o644)
	_ = afero.WriteFile(fs, "/w/.dist.tmp-444/"+Marker, []byte(markerText[:9]), 0o644) // killed writing the marker in place
	// Named like a cut marker but not one (or not alone): someone's, left alone.
	_ = afero.WriteFile(fs, "/w/.dist.tmp-555/"+Marker, []byte("my notes"), 0o644)
	_ = afero.WriteFile(fs, "/w/.dist.tmp-666/"+Marker, []byte(markerText[:9]), 0o644)
	_ = afero.WriteFile(fs, "/w/.dist.tmp-666/mine.txt", []byte("x"), 0o644)
	var recovered []string
	err := Publish(fs, "/w/dist", oneFile("a.bin", "2"), PublishOptions{OnRecovered: func(p []string) { recovered = p }})
	if err != nil {
		t.Fatal(err)
	}
	left, _ := fsutil.Leftovers(fs, "/w/dist")
	if len(left) != 3 || left[0] != "/w/.dist.tmp-333" || left[1] != "/w/.dist.tmp-555" || left[2] != "/w/.dist.tmp-666" {
		t.Fatalf("leftovers %v, want only the foreign ones", left)
	}
	if len(recovered) != 4 {
		t.Fatalf("recovered %v", recovered)
	}
}

// Concurrent builds into one folder take turns: every one succeeds and the folder
// always holds one complete build.
func TestPublishConcurrent(t *testing.T) {
	fs := afero.NewMemMapFs()
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = Publish(fs, "/w/dist", []File{
				{Name: "a.bin", Data: []byte(fmt.Sprint(i)), Mode: 0o644},
				{Name: "b.bin", Data: []byte(fmt.Sprint(i)), Mode: 0o644},
			}, PublishOptions{})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("build %d: %v", i, err)
		}
	}
	a, _ := afero.ReadFile(fs, "/w/dist/a.bin")
	b, _ := afero.ReadFile(fs, "/w/dist/b.bin")
	if string(a) != string(b) {
		t.Fatalf("mixed builds: a=%s b=%s", a, b)
	}
}

func TestPublishLockTimeoutNamesHolder(t *testing.T) {
	fs := afero.NewMemMapFs()
	unlock, err := fsutil.Lock(fs, LockPath("/w/dist"), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	waited := false
	err = Publish(fs, "/w/dist", oneFile("a", "1"), PublishOptions{LockTimeout: 100e6, OnWait: func(int) { waited = true }})
	if err == nil || !strings.Contains(err.Error(), "another build is writing /w/dist") || !waited {
		t.Fatalf("got %v (waited %v)", err, waited)
	}
	if ok, _ := afero.Exists(fs, "/w/dist"); ok {
		t.Fatal("published without the lock")
	}
}

func TestLockPath(t *testing.T) {
	if got := LockPath("/w/dist/"); got != filepath.FromSlash("/w/.dist.lock") {
		t.Fatal(got)
	}
}

// A dist/ from before the marker is recognised only when SHA256SUMS proves every file
// in it is espcompose's own; one foreign or altered file and it is refused.
func TestPublishRecognisesPreMarkerOutput(t *testing.T) {
	files, err := Files(sampleBundle())
	if err != nil {
		t.Fatal(err)
	}
	legacy := func() afero.Fs {
		fs := afero.NewMemMapFs()
		for _, f := range files {
			_ = afero.WriteFile(fs, filepath.Join("/w/dist", filepath.FromSlash(f.Name)), f.Data, 0o644)
		}
		return fs
	}
	if err := Publish(legacy(), "/w/dist", oneFile("a", "1"), PublishOptions{}); err != nil {
		t.Fatalf("pre-marker output refused: %v", err)
	}
	for name, spoil := range map[string]func(afero.Fs){
		"unlisted file": func(fs afero.Fs) { _ = afero.WriteFile(fs, "/w/dist/notes.txt", []byte("mine"), 0o600) },
		"altered file":  func(fs afero.Fs) { _ = afero.WriteFile(fs, "/w/dist/bootloader.bin", []byte("mine"), 0o600) },
		"missing file":  func(fs afero.Fs) { _ = fs.Remove("/w/dist/bootloader.bin") },
		"not espcompose's": func(fs afero.Fs) {
			// Consistent checksums, but the record names another tool.
			rec := []byte(`{"tool":"other"}`)
			_ = afero.WriteFile(fs, "/w/dist/build.json", rec, 0o644)
			sums, _ := afero.ReadFile(fs, "/w/dist/SHA256SUMS")
			var old string
			for _, f := range files {
				if f.Name == "build.json" {
					old = f.SHA256
				}
			}
			_ = afero.WriteFile(fs, "/w/dist/SHA256SUMS", []byte(strings.Replace(string(sums), old, digest(rec), 1)), 0o644)
		},
	} {
		fs := legacy()
		spoil(fs)
		if err := Publish(fs, "/w/dist", oneFile("a", "1"), PublishOptions{}); !errors.Is(err, guard.ErrRefused) {
			t.Errorf("%s: got %v, want a refusal", name, err)
		}
	}
}

// The marker lists what was published; anything added since blocks the next publish,
// which would delete it, until it is moved out.
func TestPublishRefusesFilesAddedSince(t *testing.T) {
	fs := afero.NewMemMapFs()
	if err := Publish(fs, "/w/dist", oneFile("sub/a.bin", "1"), PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		_ = afero.WriteFile(fs, fmt.Sprintf("/w/dist/sub/mine%d.txt", i), []byte("x"), 0o600)
	}
	err := Publish(fs, "/w/dist", oneFile("b.bin", "2"), PublishOptions{})
	want := "it holds sub/mine0.txt, sub/mine1.txt, sub/mine2.txt and 2 more, which espcompose did not write"
	if !errors.Is(err, guard.ErrRefused) || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v", err)
	}
	if ok, _ := afero.Exists(fs, "/w/dist/sub/a.bin"); !ok {
		t.Fatal("the refused publish touched the old tree")
	}
}

// What the folder holds is looked at once more where it is swapped: a dist/ that
// stopped being ours while the new tree was written (here its marker is replaced by a
// user's file once the tree is ready) is refused and kept, not swapped away.
func TestPublishLooksAgainAtTheSwap(t *testing.T) {
	fs := afero.NewMemMapFs()
	if err := Publish(fs, "/w/dist", oneFile("a.bin", "1"), PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	ready := func() error {
		if err := fs.Remove("/w/dist/" + Marker); err != nil {
			return err
		}
		return afero.WriteFile(fs, "/w/dist/mine.txt", []byte("theirs"), 0o600)
	}
	err := Publish(fs, "/w/dist", oneFile("a.bin", "2"), PublishOptions{Ready: ready})
	if !errors.Is(err, fsutil.ErrNotOurs) {
		t.Fatalf("publish over a folder that stopped being ours: %v", err)
	}
	if b, _ := afero.ReadFile(fs, "/w/dist/mine.txt"); string(b) != "theirs" {
		t.Fatalf("their file holds %q", b)
	}
	if b, _ := afero.ReadFile(fs, "/w/dist/a.bin"); string(b) != "1" {
		t.Fatalf("a.bin = %q: the folder was replaced", b)
	}
	if left, _ := fsutil.Leftovers(fs, "/w/dist"); len(left) != 0 {
		t.Fatalf("the refused publish left %v", left)
	}
}
