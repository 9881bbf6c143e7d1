package fsutil

import (
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/spf13/afero"
)

// ReadRecorder is an afero.Fs that remembers every path opened for reading: the
// files a command read and the folders it listed. The output guard checks write
// targets against this record, so "what is an input" is what was actually read, not
// a list each command must remember to keep.
type ReadRecorder struct {
	afero.Fs

	mu    sync.Mutex
	files map[string]bool
	dirs  map[string]bool
}

// NewReadRecorder wraps fs.
func NewReadRecorder(fs afero.Fs) *ReadRecorder {
	return &ReadRecorder{Fs: fs, files: map[string]bool{}, dirs: map[string]bool{}}
}

// Open records name and opens it.
func (r *ReadRecorder) Open(name string) (afero.File, error) {
	f, err := r.Fs.Open(name)
	if err == nil {
		r.note(name, f)
	}
	return f, err
}

// OpenFile records name when it is opened read-only.
func (r *ReadRecorder) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	f, err := r.Fs.OpenFile(name, flag, perm)
	if err == nil && flag&(os.O_WRONLY|os.O_RDWR|os.O_CREATE|os.O_TRUNC|os.O_APPEND) == 0 {
		r.note(name, f)
	}
	return f, err
}

func (r *ReadRecorder) note(name string, f afero.File) {
	isDir := false
	if st, err := f.Stat(); err == nil {
		isDir = st.IsDir()
	}
	p := Abs(name)
	r.mu.Lock()
	defer r.mu.Unlock()
	if isDir {
		r.dirs[p] = true
	} else {
		r.files[p] = true
	}
}

// NoteFile records the file at path as read, for a caller that read it with system
// calls of its own instead of through this Fs.
func (r *ReadRecorder) NoteFile(path string) {
	p := Abs(path)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.files[p] = true
}

// NoteDir records the folder at path as listed, as NoteFile records a file.
func (r *ReadRecorder) NoteDir(path string) {
	p := Abs(path)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dirs[p] = true
}

// Files returns the absolute paths of the files read so far, sorted.
func (r *ReadRecorder) Files() []string { return r.list(r.files) }

// Dirs returns the absolute paths of the folders listed so far, sorted.
func (r *ReadRecorder) Dirs() []string { return r.list(r.dirs) }

func (r *ReadRecorder) list(m map[string]bool) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(m))
	for p := range m {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Abs cleans p and makes it absolute against the working directory. It never fails:
// when the working directory is unknown the cleaned path is returned, which still
// compares correctly with other paths made the same way.
func Abs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}
