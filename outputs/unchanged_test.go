//go:build unix

package outputs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/fsutil"
	"github.com/espcompose/espcompose/internal/guard"
)

// spyFs records every call that could change the filesystem, and every flush.
type spyFs struct {
	afero.Fs
	mu      sync.Mutex
	changes []string
	synced  map[string]int
}

func newSpy(fs afero.Fs) *spyFs { return &spyFs{Fs: fs, synced: map[string]int{}} }

func (s *spyFs) note(op, name string) {
	s.mu.Lock()
	s.changes = append(s.changes, op+" "+name)
	s.mu.Unlock()
}

func (s *spyFs) Create(name string) (afero.File, error) {
	s.note("create", name)
	return s.Fs.Create(name)
}
func (s *spyFs) Mkdir(name string, perm os.FileMode) error {
	s.note("mkdir", name)
	return s.Fs.Mkdir(name, perm)
}
func (s *spyFs) Remove(name string) error    { s.note("remove", name); return s.Fs.Remove(name) }
func (s *spyFs) RemoveAll(name string) error { s.note("removeall", name); return s.Fs.RemoveAll(name) }
func (s *spyFs) Rename(a, b string) error    { s.note("rename", a+" "+b); return s.Fs.Rename(a, b) }
func (s *spyFs) Chmod(name string, m os.FileMode) error {
	s.note("chmod", name)
	return s.Fs.Chmod(name, m)
}
func (s *spyFs) Chtimes(name string, a, m time.Time) error {
	s.note("chtimes", name)
	return s.Fs.Chtimes(name, a, m)
}
func (s *spyFs) Open(name string) (afero.File, error) {
	f, err := s.Fs.Open(name)
	if err != nil {
		return nil, err
	}
	return &spyFile{File: f, fs: s}, nil
}
func (s *spyFs) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	if flag&(os.O_WRONLY|os.O_RDWR|os.O_CREATE|os.O_TRUNC) != 0 {
		s.note("open-write", name)
	}
	f, err := s.Fs.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &spyFile{File: f, fs: s}, nil
}

type spyFile struct {
	afero.File
	fs *spyFs
}

func (f *spyFile) Sync() error {
	f.fs.mu.Lock()
	f.fs.synced[f.Name()]++
	f.fs.mu.Unlock()
	return f.File.Sync()
}

// changesBesides lists the recorded changes, leaving out the lock file (a no-op build
// still takes the lock) and the creation of dist's existing parent.
func (s *spyFs) changesBesides(dir string) []string {
	var out []string
	for _, c := range s.changes {
		if strings.Contains(c, LockPath(dir)) {
			continue
		}
		out = append(out, c)
	}
	return out
}

func threeFiles() []File {
	return []File{
		{Name: "a.bin", Data: []byte("alpha"), Mode: 0o644},
		{Name: "sub/b.bin", Data: []byte("bravo"), Mode: 0o644},
		{Name: "run.sh", Data: []byte("#!/bin/sh\n"), Mode: 0o755},
		{Name: "empty", Data: []byte{}, Mode: 0o644},
	}
}

type dirStamp struct {
	ino   uint64
	mtime time.Time
}

func stamp(t *testing.T, p string) dirStamp {
	t.Helper()
	st, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	return dirStamp{st.Sys().(*syscall.Stat_t).Ino, st.ModTime()}
}

// A publish of exactly what dist already holds writes nothing: no temporary
// directory, no rename, no rewrite; dist keeps its inode and mtime, and so does every
// file in it.
func TestPublishUnchangedWritesNothing(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "dist")
	if err := Publish(afero.NewOsFs(), dir, threeFiles(), PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	paths := []string{dir, filepath.Join(dir, "a.bin"), filepath.Join(dir, "sub"), filepath.Join(dir, "sub/b.bin"), filepath.Join(dir, Marker)}
	before := map[string]dirStamp{}
	for _, p := range paths {
		before[p] = stamp(t, p)
	}
	spy := newSpy(afero.NewOsFs())
	hooked := false
	same, err := PublishChanged(spy, dir, threeFiles(), PublishOptions{Hook: func(string) { hooked = true }})
	if err != nil || !same {
		t.Fatalf("PublishChanged = %v, %v; want up to date", same, err)
	}
	if c := spy.changesBesides(dir); len(c) > 0 || hooked {
		t.Fatalf("an up-to-date publish changed the filesystem: %v (hook called: %v)", c, hooked)
	}
	for _, p := range paths {
		if got := stamp(t, p); got != before[p] {
			t.Errorf("%s: inode/mtime %v, was %v", p, got, before[p])
		}
	}
	if left, _ := fsutil.Leftovers(afero.NewOsFs(), dir); len(left) > 0 {
		t.Fatalf("leftovers %v", left)
	}
}

// Whatever happened to a published file since (edited in place at the same size,
// truncated, deleted, chmod-ed), the record alone is not trusted: the files are compared on disk and the tree is published again.
func TestPublishRepublishesWhenAPublishedFileChanged(t *testing.T) {
	for name, damage := range map[string]func(dir string) error{
		"edited, same size": func(d string) error { return os.WriteFile(filepath.Join(d, "sub/b.bin"), []byte("BRAVO"), 0o644) },
		"truncated":         func(d string) error { return os.Truncate(filepath.Join(d, "a.bin"), 2) },
		"deleted":           func(d string) error { return os.Remove(filepath.Join(d, "a.bin")) },
		"empty file grew":   func(d string) error { return os.WriteFile(filepath.Join(d, "empty"), []byte("x"), 0o644) },
		"mode":              func(d string) error { return os.Chmod(filepath.Join(d, "run.sh"), 0o644) },
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "dist")
			if err := Publish(afero.NewOsFs(), dir, threeFiles(), PublishOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := damage(dir); err != nil {
				t.Fatal(err)
			}
			steps := 0
			same, err := PublishChanged(afero.NewOsFs(), dir, threeFiles(), PublishOptions{Hook: func(string) { steps++ }})
			if err != nil || same {
				t.Fatalf("PublishChanged = %v, %v; want a republish", same, err)
			}
			if steps == 0 {
				t.Fatal("nothing was swapped in")
			}
			if !Unchanged(afero.NewOsFs(), dir, threeFiles()) {
				t.Fatal("the republished tree does not hold the files")
			}
		})
	}
}

// Files added to dist since it was published are refused as before, even when every
// published file is unchanged: an up-to-date answer would hide them from the user. So
// is a published file replaced by a link, even to the same bytes.
func TestPublishUnchangedStillRefusesForeignFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dist")
	if err := Publish(afero.NewOsFs(), dir, threeFiles(), PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	elsewhere := filepath.Join(filepath.Dir(dir), "elsewhere")
	if err := os.Rename(filepath.Join(dir, "a.bin"), elsewhere); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(dir, "a.bin")); err != nil {
		t.Fatal(err)
	}
	same, err := PublishChanged(afero.NewOsFs(), dir, threeFiles(), PublishOptions{})
	if same || !errors.Is(err, guard.ErrRefused) || !strings.Contains(err.Error(), "a.bin") {
		t.Fatalf("link: PublishChanged = %v, %v; want it refused", same, err)
	}

	fs := afero.NewMemMapFs()
	if err := Publish(fs, "/w/dist", threeFiles(), PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	_ = afero.WriteFile(fs, "/w/dist/notes.md", []byte("mine"), 0o644)
	same, err = PublishChanged(fs, "/w/dist", threeFiles(), PublishOptions{})
	if same || !errors.Is(err, guard.ErrRefused) || !strings.Contains(err.Error(), "notes.md") {
		t.Fatalf("PublishChanged = %v, %v; want the foreign file refused", same, err)
	}
	if b, _ := afero.ReadFile(fs, "/w/dist/notes.md"); string(b) != "mine" {
		t.Fatal("foreign file changed")
	}
}

// A different set of files (one more, one fewer, other bytes) is published.
func TestPublishChangedOutputsArePublished(t *testing.T) {
	fs := afero.NewMemMapFs()
	if err := Publish(fs, "/w/dist", threeFiles(), PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	next := append(threeFiles(), File{Name: "c.bin", Data: []byte("charlie"), Mode: 0o644})
	for _, files := range [][]File{next, threeFiles()[:2], oneFile("a.bin", "ALPHA")} {
		same, err := PublishChanged(fs, "/w/dist", files, PublishOptions{})
		if err != nil || same {
			t.Fatalf("PublishChanged = %v, %v; want a publish", same, err)
		}
		if !Unchanged(fs, "/w/dist", files) {
			t.Fatal("dist does not hold what was published")
		}
	}
}

// The tree is durable before it is visible: when the swap is about to happen, every
// file and directory of the new tree has been flushed, each exactly once, and no
// file was flushed while it was being written.
func TestPublishFlushesTheTreeOnceBeforeTheSwap(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dist")
	spy := newSpy(afero.NewOsFs())
	var tmp string
	err := Publish(spy, dir, threeFiles(), PublishOptions{Hook: func(step string) {
		if step != StepWritten {
			return
		}
		left, _ := fsutil.Leftovers(afero.NewOsFs(), dir)
		if len(left) != 1 {
			t.Fatalf("want the one temporary tree, got %v", left)
		}
		tmp = left[0]
		spy.mu.Lock()
		defer spy.mu.Unlock()
		want := []string{tmp, filepath.Join(tmp, Marker), filepath.Join(tmp, "a.bin"), filepath.Join(tmp, "run.sh"), filepath.Join(tmp, "empty"),
			filepath.Join(tmp, "sub"), filepath.Join(tmp, "sub", "b.bin")}
		for _, p := range want {
			if spy.synced[p] != 1 {
				t.Errorf("%s flushed %d times before the swap, want 1", p, spy.synced[p])
			}
		}
		if len(spy.synced) != len(want) {
			t.Errorf("flushed %v, want exactly %v", spy.synced, want)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if tmp == "" {
		t.Fatal("the written step was never reached")
	}
}
