package fsutil

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

func writeTree(t *testing.T, fs afero.Fs, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := fs.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := afero.WriteFile(fs, p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// replaceOwned replaces final, which holds the proof file "proof".
func replaceOwned(fs afero.Fs, tmp, final string) error {
	return ReplaceDirWith(fs, tmp, final, ReplaceOptions{Proof: "proof"})
}

func TestReplaceDirFresh(t *testing.T) {
	backends(t, func(t *testing.T, fs afero.Fs, root string) {
		final := filepath.Join(root, "build")
		tmp, err := TempDirFor(fs, final)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Dir(tmp) != root {
			t.Fatalf("temp dir %s not beside %s", tmp, final)
		}
		writeTree(t, fs, tmp, map[string]string{"a.bin": "A", "sub/b.bin": "B"})
		if err := ReplaceDir(fs, tmp, final); err != nil {
			t.Fatal(err)
		}
		want := []string{"build/", "build/a.bin", "build/sub/", "build/sub/b.bin"}
		if got := tree(t, fs, root); !equalStrings(got, want) {
			t.Fatalf("tree %v, want %v", got, want)
		}
	})
}

func TestReplaceDirExisting(t *testing.T) {
	backends(t, func(t *testing.T, fs afero.Fs, root string) {
		final := filepath.Join(root, "build")
		writeTree(t, fs, final, map[string]string{"stale.bin": "old", "a.bin": "old A", "proof": ""})
		tmp, err := TempDirFor(fs, final)
		if err != nil {
			t.Fatal(err)
		}
		writeTree(t, fs, tmp, map[string]string{"a.bin": "new A", "proof": ""})
		if err := replaceOwned(fs, tmp, final); err != nil {
			t.Fatal(err)
		}
		if got := tree(t, fs, root); !equalStrings(got, []string{"build/", "build/a.bin", "build/proof"}) {
			t.Fatalf("tree %v", got)
		}
		if got := readString(t, fs, filepath.Join(final, "a.bin")); got != "new A" {
			t.Fatalf("a.bin = %q", got)
		}
	})
}

func TestReplaceDirPublishFailureRestoresOld(t *testing.T) {
	backends(t, func(t *testing.T, base afero.Fs, root string) {
		final := filepath.Join(root, "build")
		writeTree(t, base, final, map[string]string{"a.bin": "old A", "proof": ""})
		tmp, err := TempDirFor(base, final)
		if err != nil {
			t.Fatal(err)
		}
		writeTree(t, base, tmp, map[string]string{"a.bin": "new A"})
		ffs := &faultFs{Fs: base, failRename: func(oldname, newname string) bool {
			return oldname == tmp // only the publish step fails
		}}
		if err := replaceOwned(ffs, tmp, final); !errors.Is(err, errInjected) {
			t.Fatalf("err = %v, want injected fault", err)
		}
		if got := readString(t, base, filepath.Join(final, "a.bin")); got != "old A" {
			t.Fatalf("old content not restored: %q", got)
		}
		// Only the old build and the caller's untouched temp dir remain.
		rel, _ := filepath.Rel(root, tmp)
		want := []string{rel + "/", rel + "/a.bin", "build/", "build/a.bin", "build/proof"}
		if got := tree(t, base, root); !equalStrings(got, want) {
			t.Fatalf("tree %v, want %v", got, want)
		}
	})
}

func TestReplaceDirMoveAsideFailure(t *testing.T) {
	backends(t, func(t *testing.T, base afero.Fs, root string) {
		final := filepath.Join(root, "build")
		writeTree(t, base, final, map[string]string{"a.bin": "old A", "proof": ""})
		tmp, err := TempDirFor(base, final)
		if err != nil {
			t.Fatal(err)
		}
		ffs := &faultFs{Fs: base, failRename: func(oldname, _ string) bool { return oldname == final }}
		if err := replaceOwned(ffs, tmp, final); !errors.Is(err, errInjected) {
			t.Fatalf("err = %v, want injected fault", err)
		}
		if got := readString(t, base, filepath.Join(final, "a.bin")); got != "old A" {
			t.Fatalf("old content changed: %q", got)
		}
	})
}

func TestReplaceDirCleanupFailureIsLeftover(t *testing.T) {
	backends(t, func(t *testing.T, base afero.Fs, root string) {
		final := filepath.Join(root, "build")
		writeTree(t, base, final, map[string]string{"a.bin": "old A", "proof": ""})
		tmp, err := TempDirFor(base, final)
		if err != nil {
			t.Fatal(err)
		}
		writeTree(t, base, tmp, map[string]string{"a.bin": "new A"})
		err = replaceOwned(&faultFs{Fs: base, failRemoveAll: true}, tmp, final)
		if !errors.Is(err, ErrLeftover) {
			t.Fatalf("err = %v, want ErrLeftover", err)
		}
		if got := readString(t, base, filepath.Join(final, "a.bin")); got != "new A" {
			t.Fatalf("new content not published: %q", got)
		}
		var leftover bool
		for _, p := range tree(t, base, root) {
			if strings.HasPrefix(p, ".build.old-") {
				leftover = true
			}
		}
		if !leftover {
			t.Fatal("expected the aside copy to remain")
		}
	})
}

func TestReplaceDirRejectsNonDir(t *testing.T) {
	backends(t, func(t *testing.T, fs afero.Fs, root string) {
		f := filepath.Join(root, "file")
		if err := afero.WriteFile(fs, f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := ReplaceDir(fs, f, filepath.Join(root, "build")); err == nil {
			t.Fatal("expected error for non-directory source")
		}
		if err := ReplaceDir(fs, filepath.Join(root, "missing"), filepath.Join(root, "build")); err == nil {
			t.Fatal("expected error for missing source")
		}
	})
}
