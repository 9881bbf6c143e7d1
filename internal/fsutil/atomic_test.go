package fsutil

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"
)

func TestWriteFileAtomic(t *testing.T) {
	backends(t, func(t *testing.T, fs afero.Fs, root string) {
		p := filepath.Join(root, "out.bin")
		if err := WriteFileAtomic(fs, p, []byte("first"), 0o640); err != nil {
			t.Fatal(err)
		}
		if err := WriteFileAtomic(fs, p, []byte("second"), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := readString(t, fs, p); got != "second" {
			t.Fatalf("content %q", got)
		}
		st, err := fs.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o644 {
			t.Fatalf("mode %v, want 0644", st.Mode().Perm())
		}
		if got := tree(t, fs, root); !equalStrings(got, []string{"out.bin"}) {
			t.Fatalf("leftovers: %v", got)
		}
	})
}

func TestWriteFileAtomicMissingDir(t *testing.T) {
	backends(t, func(t *testing.T, fs afero.Fs, root string) {
		err := WriteFileAtomic(fs, filepath.Join(root, "nope", "x"), []byte("x"), 0o644)
		if err == nil {
			t.Fatal("expected error for missing parent directory")
		}
	})
}

func TestWriteFileAtomicFailuresLeaveOldContent(t *testing.T) {
	faults := map[string]func(*faultFs){
		"write":  func(f *faultFs) { f.failWrite = true },
		"sync":   func(f *faultFs) { f.failSync = true },
		"chmod":  func(f *faultFs) { f.failChmod = true },
		"rename": func(f *faultFs) { f.failRename = func(string, string) bool { return true } },
	}
	for _, name := range []string{"write", "sync", "chmod", "rename"} {
		t.Run(name, func(t *testing.T) {
			backends(t, func(t *testing.T, base afero.Fs, root string) {
				p := filepath.Join(root, "out.bin")
				if err := WriteFileAtomic(base, p, []byte("old complete content"), 0o644); err != nil {
					t.Fatal(err)
				}
				perm := os.FileMode(0o644)
				if name == "chmod" {
					// The temporary file is created with the mode asked for; chmod
					// runs only where the umask narrowed it, as 022 narrows 0666.
					perm = 0o666
					probe := filepath.Join(root, "probe")
					if f, err := base.OpenFile(probe, os.O_CREATE|os.O_WRONLY, perm); err == nil {
						st, _ := f.Stat()
						f.Close()
						_ = base.Remove(probe)
						if st != nil && st.Mode().Perm() == perm {
							t.Skip("this filesystem applies the mode as asked: no chmod to fail")
						}
					}
				}
				ffs := &faultFs{Fs: base}
				faults[name](ffs)
				err := WriteFileAtomic(ffs, p, []byte("new content that must not appear"), perm)
				if !errors.Is(err, errInjected) {
					t.Fatalf("err = %v, want injected fault", err)
				}
				if got := readString(t, base, p); got != "old complete content" {
					t.Fatalf("target changed to %q", got)
				}
				if got := tree(t, base, root); !equalStrings(got, []string{"out.bin"}) {
					t.Fatalf("leftovers after failed write: %v", got)
				}
			})
		})
	}
}

func TestCreateExclusive(t *testing.T) {
	backends(t, func(t *testing.T, fs afero.Fs, root string) {
		p := filepath.Join(root, "key.pem")
		if err := CreateExclusive(fs, p, []byte("secret"), 0o600); err != nil {
			t.Fatal(err)
		}
		st, err := fs.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Fatalf("mode %v, want 0600", st.Mode().Perm())
		}
		err = CreateExclusive(fs, p, []byte("other"), 0o600)
		if !errors.Is(err, os.ErrExist) {
			t.Fatalf("second create: err = %v, want os.ErrExist", err)
		}
		if got := readString(t, fs, p); got != "secret" {
			t.Fatalf("existing key overwritten: %q", got)
		}
	})
}

func TestCreateExclusiveFailureRemovesFile(t *testing.T) {
	for _, name := range []string{"write", "sync"} {
		t.Run(name, func(t *testing.T) {
			backends(t, func(t *testing.T, base afero.Fs, root string) {
				ffs := &faultFs{Fs: base, failWrite: name == "write", failSync: name == "sync"}
				err := CreateExclusive(ffs, filepath.Join(root, "key.pem"), []byte("secret"), 0o600)
				if !errors.Is(err, errInjected) {
					t.Fatalf("err = %v, want injected fault", err)
				}
				if got := tree(t, base, root); len(got) != 0 {
					t.Fatalf("leftovers: %v", got)
				}
			})
		})
	}
}

func TestCreateExclusiveMissingDir(t *testing.T) {
	backends(t, func(t *testing.T, fs afero.Fs, root string) {
		if err := CreateExclusive(fs, filepath.Join(root, "nope", "k"), []byte("x"), 0o600); err == nil {
			t.Fatal("expected error for missing parent directory")
		}
	})
}

// A file written with a mode the umask leaves alone needs no chmod after it is
// created; one the umask narrowed gets its mode set exactly.
func TestWriteFileAtomicModeWithoutChmod(t *testing.T) {
	backends(t, func(t *testing.T, base afero.Fs, root string) {
		ffs := &faultFs{Fs: base, failChmod: true}
		p := filepath.Join(root, "a")
		if err := WriteFileAtomic(ffs, p, []byte("x"), 0o600); err != nil {
			t.Fatalf("0600 needed a chmod: %v", err)
		}
		if st, err := base.Stat(p); err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("mode %v, %v", st.Mode(), err)
		}
		q := filepath.Join(root, "b")
		if err := WriteFileAtomic(base, q, []byte("x"), 0o666); err != nil {
			t.Fatal(err)
		}
		if st, err := base.Stat(q); err != nil || st.Mode().Perm() != 0o666 {
			t.Fatalf("mode %v, want 0666 whatever the umask", st.Mode())
		}
	})
}
