package fsutil

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"
)

func putTree(t *testing.T, fs afero.Fs, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := fs.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := afero.WriteFile(fs, p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func readOne(t *testing.T, fs afero.Fs, p string) string {
	t.Helper()
	b, err := afero.ReadFile(fs, p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// On Linux the swap is one renameat2(RENAME_EXCHANGE): at every instant the final
// name holds a complete tree, and right after the swap the old tree is at the
// temporary name (which is what a build killed there leaves behind).
func TestReplaceDirExchangesOnLinux(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("renameat2 is Linux-only")
	}
	fs := afero.NewOsFs()
	root := t.TempDir()
	final := filepath.Join(root, "dist")
	putTree(t, fs, final, map[string]string{"a": "old", ".mark": ""})
	tmp, err := TempDirFor(fs, final)
	if err != nil {
		t.Fatal(err)
	}
	putTree(t, fs, tmp, map[string]string{"a": "new", ".mark": ""})
	var steps []string
	err = ReplaceDirWith(fs, tmp, final, ReplaceOptions{Proof: ".mark", Hook: func(step string) {
		steps = append(steps, step)
		if got := readOne(t, fs, filepath.Join(final, "a")); got != "new" {
			t.Errorf("at %s final holds %q", step, got)
		}
		if got := readOne(t, fs, filepath.Join(tmp, "a")); got != "old" {
			t.Errorf("at %s the old tree is not at the temporary name: %q", step, got)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(steps, ",") != StepSwapped {
		t.Fatalf("steps %v: the exchange path was not taken", steps)
	}
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("old tree not removed: %v", err)
	}
}

// Without an exchange (the in-memory filesystem, other OSes) a crash between the two
// renames leaves no final directory; RecoverDir puts the old copy back.
func TestRecoverDirRestoresAsideCopy(t *testing.T) {
	fs := afero.NewMemMapFs()
	final := "/w/dist"
	putTree(t, fs, final, map[string]string{"a": "old", ".mark": ""})
	tmp, _ := TempDirFor(fs, final)
	putTree(t, fs, tmp, map[string]string{"a": "new", ".mark": ""})
	var aside string
	crash := errors.New("crash")
	func() {
		defer func() {
			if r := recover(); r != crash {
				panic(r)
			}
		}()
		_ = ReplaceDirWith(fs, tmp, final, ReplaceOptions{Proof: ".mark", Hook: func(step string) {
			if step == StepAside {
				left, _ := Leftovers(fs, final)
				for _, l := range left {
					if strings.Contains(l, ".old-") {
						aside = l
					}
				}
				panic(crash) // the process dies here
			}
		}})
	}()
	if aside == "" || !strings.HasPrefix(filepath.Base(aside), ".dist.old-") {
		t.Fatalf("aside copy %q", aside)
	}
	if ok, _ := exists(fs, final); ok {
		t.Fatal("final exists after a crash between the renames?")
	}
	owned := func(d string) bool { ok, _ := exists(fs, filepath.Join(d, ".mark")); return ok }
	removed, err := RecoverDir(fs, final, ".mark", owned)
	if err != nil {
		t.Fatal(err)
	}
	if got := readOne(t, fs, filepath.Join(final, "a")); got != "old" {
		t.Fatalf("recovered %q, want the old tree", got)
	}
	if len(removed) != 1 || removed[0] != tmp {
		t.Fatalf("removed %v, want the half-published %s", removed, tmp)
	}
	if left, _ := Leftovers(fs, final); len(left) != 0 {
		t.Fatalf("leftovers remain: %v", left)
	}
}

// RecoverDir never touches a look-alike it cannot prove it made.
func TestRecoverDirLeavesForeignDirs(t *testing.T) {
	fs := afero.NewMemMapFs()
	putTree(t, fs, "/w/.dist.tmp-123", map[string]string{"mine": "x"})
	putTree(t, fs, "/w/dist.old-abc", map[string]string{"mine": "x"})
	removed, err := RecoverDir(fs, "/w/dist", "", func(string) bool { return false })
	if err != nil || len(removed) != 0 {
		t.Fatalf("removed %v, %v", removed, err)
	}
	for _, d := range []string{"/w/.dist.tmp-123/mine", "/w/dist.old-abc/mine"} {
		if ok, _ := exists(fs, d); !ok {
			t.Fatalf("%s was removed", d)
		}
	}
	if ok, _ := exists(fs, "/w/dist"); ok {
		t.Fatal("a foreign folder was renamed into place")
	}
}

func TestLockOS(t *testing.T) {
	fs := afero.NewOsFs()
	p := filepath.Join(t.TempDir(), ".dist.lock")
	unlock, err := Lock(fs, p, time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	// flock is per open file: a second opener in this process is refused like another process.
	var waitedFor int
	_, err = Lock(fs, p, 120*time.Millisecond, func(pid int) { waitedFor = pid })
	var le *LockedError
	if !errors.As(err, &le) || !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock: %v", err)
	}
	if le.PID != os.Getpid() || waitedFor != os.Getpid() {
		t.Fatalf("holder pid %d / %d, want %d", le.PID, waitedFor, os.Getpid())
	}
	unlock()
	unlock2, err := Lock(fs, p, time.Second, nil)
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	unlock2()
}

func TestLockWaitsForHolder(t *testing.T) {
	fs := afero.NewMemMapFs()
	unlock, err := Lock(fs, "/w/.dist.lock", time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	go func() { time.Sleep(100 * time.Millisecond); unlock() }()
	waited := false
	unlock2, err := Lock(fs, "/w/.dist.lock", 5*time.Second, func(int) { waited = true })
	if err != nil || !waited {
		t.Fatalf("err %v waited %v", err, waited)
	}
	unlock2()
}

func TestSharedLockRunsAloneOnlyWhenAlone(t *testing.T) {
	fs := afero.NewOsFs()
	p := filepath.Join(t.TempDir(), ".lock")
	n := 0
	r1, err := SharedLock(fs, p, func() { n++ })
	if err != nil || n != 1 {
		t.Fatalf("first holder: n=%d err=%v", n, err)
	}
	r2, err := SharedLock(fs, p, func() { n++ })
	if err != nil || n != 1 {
		t.Fatalf("second holder ran the cleanup while the first is live: n=%d err=%v", n, err)
	}
	r1()
	r2()
	r3, _ := SharedLock(fs, p, func() { n++ })
	r3()
	if n != 2 {
		t.Fatalf("n=%d after all released", n)
	}
}

func TestReadRecorder(t *testing.T) {
	fs := afero.NewMemMapFs()
	putTree(t, fs, "/p", map[string]string{"a.bin": "a", "d/b.bin": "b"})
	r := NewReadRecorder(fs)
	_, _ = afero.ReadFile(r, "/p/a.bin")
	_, _ = afero.ReadDir(r, "/p/d")
	_ = afero.WriteFile(r, "/p/out.bin", []byte("x"), 0o644)
	_, _ = r.OpenFile("/p/d/b.bin", os.O_RDWR, 0)
	if got := strings.Join(r.Files(), ","); got != "/p/a.bin" {
		t.Fatalf("files %s", got)
	}
	if got := strings.Join(r.Dirs(), ","); got != "/p/d" {
		t.Fatalf("dirs %s", got)
	}
	if IsOS(r) || !IsOS(NewReadRecorder(afero.NewOsFs())) {
		t.Fatal("IsOS does not see through the recorder")
	}
}

// A removal of an old tree cut short by a crash leaves the proof file in place, so the
// next recovery still knows the half-removed folder is ours and finishes it.
func TestRemoveTreeKeepsProofLast(t *testing.T) {
	fs := afero.NewMemMapFs()
	putTree(t, fs, "/w/.dist.tmp-1", map[string]string{".mark": "", "a": "x", "z/b": "y"})
	var order []string
	rec := &removeRecorder{Fs: fs, order: &order}
	if err := removeTree(rec, "/w/.dist.tmp-1", ".mark"); err != nil {
		t.Fatal(err)
	}
	if n := len(order); n < 2 || order[n-2] != "/w/.dist.tmp-1/.mark" {
		t.Fatalf("removal order %v: the proof must go last, before its folder", order)
	}
}

type removeRecorder struct {
	afero.Fs
	order *[]string
}

func (r *removeRecorder) RemoveAll(p string) error {
	if st, err := r.Fs.Stat(p); err == nil && st.IsDir() {
		names, _ := afero.ReadDir(r.Fs, p)
		for _, n := range names {
			if err := r.RemoveAll(filepath.Join(p, n.Name())); err != nil {
				return err
			}
		}
	}
	*r.order = append(*r.order, p)
	return r.Fs.RemoveAll(p)
}
