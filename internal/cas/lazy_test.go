package cas

import (
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"
)

// A cache that is not there is made by the first Put, not by Open, and is in use
// (locked) from then until the build closes it.
func TestOpenMakesNothingUntilPut(t *testing.T) {
	osfs := afero.NewOsFs()
	root := filepath.Join(t.TempDir(), "cache")
	s := New(osfs, root, nil)
	closeCache, err := s.Open()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Get(Key("k", 1, nil)); ok || err != nil {
		t.Fatalf("a missing cache: hit %v, %v", ok, err)
	}
	if _, err := osfs.Stat(root); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open and Get made the cache folder: %v", err)
	}
	key := Key("k", 1, nil)
	if err := s.Put(key, map[string][]byte{"out": []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Get(key); !ok {
		t.Fatal("the stored entry is not found")
	}
	other := New(osfs, root, nil)
	if _, err := other.Prune(PruneOptions{MaxSize: 1}); !errors.Is(err, ErrBusy) {
		t.Fatalf("prune while the build holds the cache: %v, want ErrBusy", err)
	}
	closeCache()
	if _, err := other.Prune(PruneOptions{MaxSize: 1}); err != nil {
		t.Fatalf("prune after the build closed the cache: %v", err)
	}
	// Opened again, the cache exists: taken at once, as before.
	closeAgain, err := s.Open()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Prune(PruneOptions{MaxSize: 1}); !errors.Is(err, ErrBusy) {
		t.Fatalf("prune while an existing cache is open: %v, want ErrBusy", err)
	}
	closeAgain()
}
