package fsutil

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/spf13/afero"
)

// ReplaceDir is the last look before a folder is swapped away and deleted: a folder
// that does not hold the proof (or holds a folder or a link by that name) is refused,
// unchanged, whatever the caller checked before; without a proof nothing existing is
// replaced at all.
func TestReplaceDirRefusesFolderWithoutProof(t *testing.T) {
	for _, c := range []struct {
		name  string
		proof string
		setup func(t *testing.T, fs afero.Fs, final string)
	}{
		{"no proof asked, folder exists", "", func(t *testing.T, fs afero.Fs, final string) {}},
		{"empty folder exists, no proof asked", "", func(t *testing.T, fs afero.Fs, final string) {
			if err := fs.RemoveAll(filepath.Join(final, "theirs.txt")); err != nil {
				t.Fatal(err)
			}
		}},
		{"proof missing", "proof", func(t *testing.T, fs afero.Fs, final string) {}},
		{"proof is a folder", "proof", func(t *testing.T, fs afero.Fs, final string) {
			if err := fs.MkdirAll(filepath.Join(final, "proof"), 0o755); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			backends(t, func(t *testing.T, fs afero.Fs, root string) {
				final := filepath.Join(root, "build")
				writeTree(t, fs, final, map[string]string{"theirs.txt": "keep me"})
				c.setup(t, fs, final)
				before := tree(t, fs, root)
				tmp, err := TempDirFor(fs, final)
				if err != nil {
					t.Fatal(err)
				}
				writeTree(t, fs, tmp, map[string]string{"a.bin": "new", "proof": ""})
				err = ReplaceDirWith(fs, tmp, final, ReplaceOptions{Proof: c.proof})
				if !errors.Is(err, ErrNotOurs) {
					t.Fatalf("err = %v, want ErrNotOurs", err)
				}
				rel, _ := filepath.Rel(root, tmp)
				want := append(append([]string{}, before...), rel+"/", rel+"/a.bin", rel+"/proof")
				if got := tree(t, fs, root); !sameSet(got, want) {
					t.Fatalf("tree %v, want it unchanged with the caller's temp dir: %v", got, want)
				}
			})
		})
	}
}

// A proof that is a link to a file elsewhere is not the folder's own file.
func TestReplaceDirRefusesLinkedProof(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks")
	}
	root := t.TempDir()
	fs := afero.NewOsFs()
	final := filepath.Join(root, "build")
	writeTree(t, fs, final, map[string]string{"theirs.txt": "keep me"})
	writeTree(t, fs, root, map[string]string{"elsewhere": ""})
	if err := os.Symlink(filepath.Join(root, "elsewhere"), filepath.Join(final, "proof")); err != nil {
		t.Fatal(err)
	}
	tmp, err := TempDirFor(fs, final)
	if err != nil {
		t.Fatal(err)
	}
	if err := ReplaceDirWith(fs, tmp, final, ReplaceOptions{Proof: "proof"}); !errors.Is(err, ErrNotOurs) {
		t.Fatalf("err = %v, want ErrNotOurs", err)
	}
	if got := readString(t, fs, filepath.Join(final, "theirs.txt")); got != "keep me" {
		t.Fatalf("their file now holds %q", got)
	}
}

// On Linux a folder that appears at the final name after the caller looked is never
// replaced: the rename into place is renameat2(RENAME_NOREPLACE), which even an
// empty folder (which plain rename(2) would replace) stops.
func TestRenameNoReplaceKeepsWhatAppeared(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("renameat2 is Linux-only")
	}
	root := t.TempDir()
	src, dst := filepath.Join(root, "src"), filepath.Join(root, "dst")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dst, 0o700); err != nil {
		t.Fatal(err)
	}
	done, err := RenameNoReplace(src, dst)
	if !done {
		t.Skip("this filesystem cannot rename without replacing")
	}
	if !errors.Is(err, os.ErrExist) {
		t.Fatalf("err = %v, want os.ErrExist", err)
	}
	if fi, err := os.Stat(dst); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("the folder that appeared was replaced: %v %v", fi, err)
	}
	if _, err := os.Stat(src); err != nil {
		t.Fatalf("the new folder is gone: %v", err)
	}
	if err := RenameNew(afero.NewOsFs(), src, dst); !errors.Is(err, ErrNotOurs) {
		t.Fatalf("RenameNew over a folder that appeared: %v, want ErrNotOurs", err)
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}

// Owned, when given, is the caller's own test and decides alone: a folder it denies
// is refused even with the proof file in it, one it accepts is replaced without.
func TestReplaceDirOwnedDecides(t *testing.T) {
	backends(t, func(t *testing.T, fs afero.Fs, root string) {
		final := filepath.Join(root, "build")
		writeTree(t, fs, final, map[string]string{"a.bin": "old", "proof": ""})
		tmp, err := TempDirFor(fs, final)
		if err != nil {
			t.Fatal(err)
		}
		writeTree(t, fs, tmp, map[string]string{"a.bin": "new"})
		deny := ReplaceOptions{Proof: "proof", Owned: func(string) bool { return false }}
		if err := ReplaceDirWith(fs, tmp, final, deny); !errors.Is(err, ErrNotOurs) {
			t.Fatalf("denied by Owned: %v, want ErrNotOurs", err)
		}
		if err := fs.Remove(filepath.Join(final, "proof")); err != nil {
			t.Fatal(err)
		}
		var asked string
		allow := ReplaceOptions{Proof: "proof", Owned: func(d string) bool { asked = d; return true }}
		if err := ReplaceDirWith(fs, tmp, final, allow); err != nil || asked != final {
			t.Fatalf("accepted by Owned: %v (asked about %q)", err, asked)
		}
		if got := readString(t, fs, filepath.Join(final, "a.bin")); got != "new" {
			t.Fatalf("a.bin = %q", got)
		}
	})
}
