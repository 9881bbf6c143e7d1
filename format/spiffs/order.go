package spiffs

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// walkOrder returns files in the order spiffsgen adds them: per directory, its
// files by name, then its subdirectories by name, each walked depth first (the
// sorted os.walk of the ESP-IDF build). Names compare by code point, which for
// valid UTF-8 is Go's byte order. It also refuses paths that cannot name an
// object: empty, absolute, with empty, "." or ".." parts, NUL, invalid UTF-8
// (spiffsgen could not encode the name), duplicates, and a path that is both a
// file and a directory.
func walkOrder(files []File) ([]File, error) {
	type dir struct {
		files   map[string]int // name -> index into files
		subdirs map[string]*dir
	}
	newDir := func() *dir { return &dir{files: map[string]int{}, subdirs: map[string]*dir{}} }
	root := newDir()
	for i, f := range files {
		if err := checkPath(f.Path); err != nil {
			return nil, err
		}
		parts := strings.Split(f.Path, "/")
		d := root
		for j, part := range parts[:len(parts)-1] {
			if _, isFile := d.files[part]; isFile {
				return nil, fmt.Errorf("%w: %q is both a file and a directory", ErrInvalid, strings.Join(parts[:j+1], "/"))
			}
			sub := d.subdirs[part]
			if sub == nil {
				sub = newDir()
				d.subdirs[part] = sub
			}
			d = sub
		}
		name := parts[len(parts)-1]
		if _, dup := d.files[name]; dup {
			return nil, fmt.Errorf("%w: %q is given twice", ErrInvalid, f.Path)
		}
		if _, isDir := d.subdirs[name]; isDir {
			return nil, fmt.Errorf("%w: %q is both a file and a directory", ErrInvalid, f.Path)
		}
		d.files[name] = i
	}
	out := make([]File, 0, len(files))
	var walk func(d *dir)
	walk = func(d *dir) {
		for _, name := range sortedKeys(d.files) {
			out = append(out, files[d.files[name]])
		}
		for _, name := range sortedKeys(d.subdirs) {
			walk(d.subdirs[name])
		}
	}
	walk(root)
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func checkPath(p string) error {
	switch {
	case p == "":
		return fmt.Errorf("%w: empty file path", ErrInvalid)
	case !utf8.ValidString(p):
		return fmt.Errorf("%w: path %q is not valid UTF-8", ErrInvalid, p)
	case strings.ContainsRune(p, 0):
		return fmt.Errorf("%w: path %q contains a NUL byte", ErrInvalid, p)
	}
	for _, part := range strings.Split(p, "/") {
		if part == "" || part == "." || part == ".." {
			return fmt.Errorf("%w: path %q must be relative, slash-separated, without empty, \".\" or \"..\" parts", ErrInvalid, p)
		}
	}
	return nil
}
