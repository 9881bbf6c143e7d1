package compose

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"
)

// A key created unflushed on the output's filesystem is covered by the group's
// syncfs; one on another filesystem adds that filesystem to every later flush.
func TestGroupSyncCoversCreatedKeys(t *testing.T) {
	root := t.TempDir()
	g := newGroupSync(afero.NewOsFs(), root)
	if !g.deferKeys() {
		t.Skip("no syncfs here")
	}
	same := filepath.Join(root, "keys", "a.bin")
	_ = os.MkdirAll(filepath.Dir(same), 0o700)
	if err := g.keyCreated(same); err != nil || len(g.others) != 0 {
		t.Fatalf("a key beside the output: %v, others %v", err, g.others)
	}
	shm, err := os.MkdirTemp("/dev/shm", "keys")
	if err != nil {
		t.Skip("no /dev/shm")
	}
	defer os.RemoveAll(shm)
	a, _ := fsID(root)
	b, _ := fsID(shm)
	if a == b {
		t.Skip("/dev/shm is on the same filesystem")
	}
	if err := g.keyCreated(filepath.Join(shm, "b.bin")); err != nil || g.others[b] != shm {
		t.Fatalf("a key elsewhere: %v, others %v", err, g.others)
	}
	if err := g.flush(root); err != nil {
		t.Fatal(err)
	}
}
