package cas

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/afero"
)

func TestPruneOldestFirstAndUnreferencedObjects(t *testing.T) {
	fs := afero.NewMemMapFs()
	s := New(fs, "/c", nil)
	now := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	key := func(i byte) string { return Key("t", 1, map[string]int{"i": int(i)}) }
	shared := bytes.Repeat([]byte{7}, 1000)
	for i := byte(0); i < 5; i++ {
		// Each entry: one object of its own (1000 bytes) and one shared with the others.
		if err := s.Put(key(i), map[string][]byte{"own": bytes.Repeat([]byte{i}, 1000), "shared": shared}); err != nil {
			t.Fatal(err)
		}
		used := now.Add(-time.Duration(5-i) * 24 * time.Hour) // entry 0 is the oldest
		_ = fs.Chtimes(s.entryPath(key(i)), used, used)
	}
	// Entry 0 is read now: it becomes the most recently used.
	s.Touch(key(0))
	_ = fs.Chtimes(s.entryPath(key(0)), now, now)

	// Older than 3.5 days: only entry 1 (4 days unused) goes; 0 (5 days) was just used.
	res, err := s.Prune(PruneOptions{OlderThan: 84 * time.Hour, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if res.Entries != 1 || res.Objects != 1 {
		t.Errorf("older-than: %+v", res)
	}
	if _, ok, _ := s.Get(key(1)); ok {
		t.Error("entry 1 (4 days unused) survived --older-than 84h")
	}
	for _, i := range []byte{0, 2, 3, 4} {
		if b, ok, _ := s.Get(key(i)); !ok || !bytes.Equal(b["shared"], shared) || b["own"][0] != i {
			t.Errorf("entry %d lost", i)
		}
	}
	// A size bound keeps the most recently used entries that fit: 0 (now), then 4, 3.
	res, err = s.Prune(PruneOptions{MaxSize: 3000 + 3*400, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range map[byte]bool{0: true, 4: true, 2: false} {
		if _, ok, _ := s.Get(key(i)); ok != want {
			t.Errorf("after max-size: entry %d kept=%v, want %v (%+v)", i, ok, want, res)
		}
	}
	if res.Size > 3000+3*400 {
		t.Errorf("left %d bytes, bound %d", res.Size, 3000+3*400)
	}
	// Every object left is referred to; an object nothing refers to is removed.
	orphan := s.objectPath(Digest([]byte("orphan")))
	_ = fs.MkdirAll(filepath.Dir(orphan), 0o755)
	_ = afero.WriteFile(fs, orphan, []byte("orphan"), 0o644)
	stray := "/c/objects/notes.txt"
	_ = afero.WriteFile(fs, stray, []byte("mine"), 0o644)
	if res, _ := s.Prune(PruneOptions{}); res.Objects != 1 || res.Entries != 0 {
		t.Errorf("plain prune: %+v", res)
	}
	if ok, _ := afero.Exists(fs, orphan); ok {
		t.Error("an unreferenced object survived")
	}
	if ok, _ := afero.Exists(fs, stray); !ok {
		t.Error("prune removed a file that is not the cache's")
	}
}
