package fsutil

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"github.com/spf13/afero"
)

// WriteFileAtomic replaces path with data and mode perm so that path never
// holds a partial write, even across a crash.
//
// Steps: create a unique temporary file in the same directory, write, Sync,
// Close, Chmod to perm (so the umask does not decide the final mode), then
// Rename over path. On any failure the temporary file is removed and path is
// left untouched. After the rename the directory itself is synced on a best
// effort basis; filesystems that cannot sync directories are not an error.
// The parent directory must already exist.
func WriteFileAtomic(fs afero.Fs, path string, data []byte, perm os.FileMode) error {
	if err := replaceFile(fs, path, data, perm, true); err != nil {
		return err
	}
	syncDir(fs, filepath.Dir(path))
	return nil
}

// replaceFile writes data to a unique temporary file beside path (flushed when sync),
// sets its mode and renames it over path; on failure the temporary file is removed
// and path is untouched. The parent directory must exist.
func replaceFile(fs afero.Fs, path string, data []byte, perm os.FileMode, sync bool) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	// Checked explicitly because MemMapFs would silently create it, and the
	// behaviour should not depend on the backend.
	if st, err := fs.Stat(dir); err != nil {
		return fmt.Errorf("fsutil: write %s: %w", path, err)
	} else if !st.IsDir() {
		return fmt.Errorf("fsutil: write %s: parent %s is not a directory", path, dir)
	}
	f, err := createTemp(fs, dir, "."+base+".tmp-", perm)
	if err != nil {
		return fmt.Errorf("fsutil: write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = fs.Remove(tmp)
			err = fmt.Errorf("fsutil: write %s: %w", path, err)
		}
	}()
	if err = writeClose(fs, f, tmp, data, perm, sync); err != nil {
		return err
	}
	return fs.Rename(tmp, path)
}

// CreateExclusive creates path with data and mode perm, failing with an error
// matching errors.Is(err, os.ErrExist) when path already exists. It is meant
// for secret key files, which must never be silently replaced.
//
// The file is opened with O_CREATE|O_EXCL and mode perm from the first
// instant, so it is never readable with a wider mode than requested (use
// 0600 for keys). Unlike WriteFileAtomic it cannot go through a rename
// (afero has no portable no-replace rename), so a crash mid-write can leave a
// short file; any failure seen by this process removes the file it created.
func CreateExclusive(fs afero.Fs, path string, data []byte, perm os.FileMode) (err error) {
	return createExclusive(fs, path, data, perm, true)
}

// CreateExclusiveNoSync is CreateExclusive without the flushes of the file and its
// folder: for a caller that makes the file durable itself (a device batch flushes
// the filesystem once per group of devices) before anything that depends on it is
// published.
func CreateExclusiveNoSync(fs afero.Fs, path string, data []byte, perm os.FileMode) error {
	return createExclusive(fs, path, data, perm, false)
}

func createExclusive(fs afero.Fs, path string, data []byte, perm os.FileMode, sync bool) (err error) {
	dir := filepath.Dir(path)
	if st, err := fs.Stat(dir); err != nil {
		return fmt.Errorf("fsutil: create %s: %w", path, err)
	} else if !st.IsDir() {
		return fmt.Errorf("fsutil: create %s: parent %s is not a directory", path, dir)
	}
	f, err := fs.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("fsutil: create %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = fs.Remove(path)
			err = fmt.Errorf("fsutil: create %s: %w", path, err)
		}
	}()
	if err = writeClose(fs, f, path, data, perm, sync); err != nil {
		return err
	}
	if sync {
		syncDir(fs, dir)
	}
	return nil
}

// createTemp creates a new file named prefix and nine random digits in dir, with
// mode perm from the start (afero.TempFile makes it 0600, which then costs a chmod,
// one more journalled change per file, to widen). The digits keep the names the
// cache's sweep and the publish's recovery look for.
func createTemp(fs afero.Fs, dir, prefix string, perm os.FileMode) (afero.File, error) {
	for range 10000 {
		name := filepath.Join(dir, prefix+strconv.Itoa(int(1e9 + rand.Uint32()%1e9))[1:])
		f, err := fs.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("cannot create a temporary file in %s", dir)
}

// writeClose writes data, flushes it to disk when sync, closes f (also on failure)
// and sets the exact mode where the umask narrowed it at creation; a file that
// already has it is not changed again.
func writeClose(fs afero.Fs, f afero.File, name string, data []byte, perm os.FileMode, sync bool) error {
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	if sync {
		if err := f.Sync(); err != nil {
			_ = f.Close()
			return err
		}
	}
	st, serr := f.Stat()
	if err := f.Close(); err != nil {
		return err
	}
	if serr == nil && perm&^os.ModePerm == 0 && st.Mode()&^os.ModeType == perm {
		return nil
	}
	return fs.Chmod(name, perm)
}

// syncDir flushes a directory entry change to disk where supported. Errors
// are ignored on purpose: some platforms (and afero backends) cannot open or
// sync directories, and the data itself is already synced.
func syncDir(fs afero.Fs, dir string) {
	d, err := fs.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}

// exists reports whether name exists; errors other than "not found" are
// returned so callers do not mistake a permission problem for absence.
func exists(fs afero.Fs, name string) (bool, error) {
	_, err := fs.Stat(name)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return false, err
}
