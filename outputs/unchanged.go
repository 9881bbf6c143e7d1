package outputs

import (
	"bytes"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/fsutil"
)

// Unchanged reports whether dir already holds exactly files, as a publish of them
// would leave it: its marker is the one they would get (so it lists the same names),
// and every file is on disk as a regular file with the same mode, size and bytes.
// The record (marker, SHA256SUMS, build.json) is never trusted alone: a published
// file edited, truncated, deleted or replaced by a link since is found here, and the
// caller publishes again. Sizes are checked for every file before any is read, so a
// changed tree usually costs no reads.
func Unchanged(fs afero.Fs, dir string, files []File) bool {
	marker, err := afero.ReadFile(fs, filepath.Join(dir, Marker))
	if err != nil || !bytes.Equal(marker, markerContent(files)) {
		return false
	}
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = filepath.Join(dir, filepath.FromSlash(f.Name))
		st, err := fsutil.Lstat(fs, paths[i])
		if err != nil || !st.Mode().IsRegular() || st.Size() != int64(len(f.Data)) ||
			st.Mode().Perm() != os.FileMode(f.Mode).Perm() {
			return false
		}
	}
	// The new build's bytes are in memory: comparing them is exact and cheaper than
	// hashing what is on disk against the digest. One buffer serves every file.
	var buf []byte
	for i, f := range files {
		if cap(buf) < len(f.Data)+1 {
			buf = make([]byte, len(f.Data)+1)
		}
		if !sameContent(fs, paths[i], f.Data, buf[:len(f.Data)+1]) {
			return false
		}
	}
	return true
}

// sameContent reads name into buf, one byte longer than want so a file that grew
// since it was measured is seen, and compares.
func sameContent(fs afero.Fs, name string, want, buf []byte) bool {
	fl, err := fs.Open(name)
	if err != nil {
		return false
	}
	defer fl.Close()
	n, err := io.ReadFull(fl, buf)
	if err != io.ErrUnexpectedEOF && !(err == io.EOF && len(want) == 0) {
		return false // an error, or more bytes than want
	}
	return n == len(want) && bytes.Equal(buf[:n], want)
}
