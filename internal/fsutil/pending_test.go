package fsutil

import (
	"path/filepath"
	"testing"

	"github.com/spf13/afero"
)

func TestPendingCommit(t *testing.T) {
	backends(t, func(t *testing.T, fs afero.Fs, root string) {
		p := filepath.Join(root, "out.bin")
		if err := WriteFileAtomic(fs, p, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		w, err := CreatePending(fs, p, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		// Written out of order, as pages become final.
		if err := w.WriteAt([]byte("world"), 6); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteAt([]byte("hello "), 0); err != nil {
			t.Fatal(err)
		}
		if got := readString(t, fs, p); got != "old" {
			t.Fatalf("before Commit the path holds %q", got)
		}
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		if got := readString(t, fs, p); got != "hello world" {
			t.Fatalf("content %q", got)
		}
		if st, err := fs.Stat(p); err != nil || st.Mode().Perm() != 0o644 {
			t.Fatalf("mode %v, %v; want 0644", st.Mode().Perm(), err)
		}
		if got := tree(t, fs, root); !equalStrings(got, []string{"out.bin"}) {
			t.Fatalf("leftovers: %v", got)
		}
	})
}

func TestPendingAbort(t *testing.T) {
	backends(t, func(t *testing.T, fs afero.Fs, root string) {
		p := filepath.Join(root, "out.bin")
		w, err := CreatePending(fs, p, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteAt([]byte("partial"), 0); err != nil {
			t.Fatal(err)
		}
		w.Abort()
		if got := tree(t, fs, root); len(got) != 0 {
			t.Fatalf("left behind: %v", got)
		}
		if _, err := CreatePending(fs, filepath.Join(root, "nope", "x"), 0o644); err == nil {
			t.Fatal("created in a missing folder")
		}
	})
}
