package cas

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

// A build killed mid-write leaves fsutil temp files in the cache; the next build that
// has the cache to itself removes them, and nothing else.
func TestOpenSweepsTempFilesOfDeadBuilds(t *testing.T) {
	root := t.TempDir()
	fs := afero.NewOsFs()
	s := New(fs, root, nil)
	key := strings.Repeat("ab", 32)
	if err := s.Put(key, map[string][]byte{"out": []byte("data")}); err != nil {
		t.Fatal(err)
	}
	d := Digest([]byte("data"))
	dead := []string{
		filepath.Join(root, "objects", d[:2], "."+d+".tmp-12345"),
		filepath.Join(root, "entries", "."+key+".json.tmp-999"),
	}
	keep := []string{
		filepath.Join(root, "objects", d[:2], "notes.txt"),
		filepath.Join(root, "entries", ".something.tmp-1"),
	}
	for _, p := range append(append([]string{}, dead...), keep...) {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// While another build uses the cache, nothing is swept: its temp files are live.
	other, err := s.Open()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range dead {
		_ = os.Remove(p)
		_ = os.WriteFile(p, []byte("x"), 0o644)
	}
	second, err := s.Open()
	if err != nil {
		t.Fatal(err)
	}
	second()
	for _, p := range dead {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("swept %s while another build held the cache", p)
		}
	}
	other()
	release, err := s.Open()
	if err != nil {
		t.Fatal(err)
	}
	release()
	for _, p := range dead {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s not swept", p)
		}
	}
	for _, p := range keep {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s removed: %v", p, err)
		}
	}
	if _, ok, err := s.Get(key); !ok || err != nil {
		t.Fatalf("entry lost: %v %v", ok, err)
	}
}

func TestIsTempName(t *testing.T) {
	d := strings.Repeat("ab", 32)
	for name, want := range map[string]bool{
		"." + d + ".tmp-1": true, "." + d + ".json.tmp-123": true,
		d + ".tmp-1": false, "." + d + ".tmp-": false, "." + d + ".tmp-1x": false,
		"." + d[:63] + ".tmp-1": false, "." + strings.ToUpper(d) + ".tmp-1": false,
		"." + d + ".json": false, "." + d + ".jsn.tmp-1": false, "." + d + "0.tmp-1": false, ".lock": false,
	} {
		if got := isTempName(name); got != want {
			t.Errorf("isTempName(%q) = %v, want %v", name, got, want)
		}
	}
}
