package cas

import (
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/spf13/afero"
)

// syncCounter counts flushes of files it opened.
type syncCounter struct {
	afero.Fs
	n *atomic.Int64
}

func (s syncCounter) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	f, err := s.Fs.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return syncCounted{f, s.n}, nil
}

func (s syncCounter) Open(name string) (afero.File, error) {
	f, err := s.Fs.Open(name)
	if err != nil {
		return nil, err
	}
	return syncCounted{f, s.n}, nil
}

type syncCounted struct {
	afero.File
	n *atomic.Int64
}

func (f syncCounted) Sync() error { f.n.Add(1); return f.File.Sync() }

// Cache objects are recomputable and verified on read, so Put never waits for the
// disk; what a power loss can leave instead (an empty entry, an empty object) is a
// miss, and the next Put repairs it.
func TestPutDoesNotFlushAndPowerLossIsAMiss(t *testing.T) {
	var n atomic.Int64
	rec := &recorder{}
	fs := syncCounter{afero.NewOsFs(), &n}
	dir := t.TempDir()
	s := New(fs, dir, rec)
	key := Key("x", 1, nil)
	blobs := map[string][]byte{"a": []byte("A")}
	if err := s.Put(key, blobs); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 0 {
		t.Fatalf("Put flushed %d times", n.Load())
	}
	d := Digest([]byte("A"))
	for _, p := range []string{filepath.Join(dir, "objects", d[:2], d), filepath.Join(dir, "entries", key+".json")} {
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := s.Get(key); ok || err != nil {
			t.Fatalf("%s emptied: ok=%v err=%v", p, ok, err)
		}
		if err := s.Put(key, blobs); err != nil {
			t.Fatal(err)
		}
		if got, ok, err := s.Get(key); !ok || err != nil || string(got["a"]) != "A" {
			t.Fatalf("after repair: ok=%v err=%v", ok, err)
		}
	}
}

// GetVerified hands out the digest it checked, so the caller need not hash again.
func TestGetVerifiedReturnsTheCheckedDigests(t *testing.T) {
	s, _, _ := newStore(t)
	key := Key("x", 1, nil)
	blobs := sampleBlobs()
	if err := s.Put(key, blobs); err != nil {
		t.Fatal(err)
	}
	got, sums, ok, err := s.GetVerified(key)
	if err != nil || !ok || !equalBlobs(got, blobs) || len(sums) != len(blobs) {
		t.Fatalf("ok=%v err=%v sums=%v", ok, err, sums)
	}
	for name, data := range blobs {
		if sums[name] != Digest(data) {
			t.Errorf("%s: digest %s, want %s", name, sums[name], Digest(data))
		}
	}
}
