package outputs

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io/fs"
	"path"
	"path/filepath"
	"strings"

	"github.com/spf13/afero"
)

// legacyOutput recognises an output folder published by espcompose before the marker
// existed, so upgrading does not make users delete their dist/ by hand. The proof is
// strict: SHA256SUMS lists every regular file in the folder but itself, each with its
// hash, nothing else is there (no links, no unlisted files), and the build record
// says espcompose made it. Then nothing in the folder can be anyone else's.
func legacyOutput(fsys afero.Fs, dir string) bool {
	sums, err := afero.ReadFile(fsys, filepath.Join(dir, "SHA256SUMS"))
	if err != nil || len(sums) > 16<<20 {
		return false
	}
	listed := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(sums))
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 || name == "" || !fs.ValidPath(name) {
			return false
		}
		listed[name] = sum
	}
	if !madeByEspcompose(fsys, dir, listed) {
		return false
	}
	seen := 0
	err = afero.Walk(fsys, dir, func(p string, info fs.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		switch {
		case info.IsDir():
			return nil
		case !info.Mode().IsRegular():
			return fs.ErrInvalid
		case rel == "SHA256SUMS":
			return nil
		}
		want, ok := listed[rel]
		if !ok {
			return fs.ErrInvalid
		}
		b, err := afero.ReadFile(fsys, p)
		if err != nil || digest(b) != want {
			return fs.ErrInvalid
		}
		seen++
		return nil
	})
	return err == nil && seen == len(listed)
}

// madeByEspcompose checks the build record (build.json, or each device's for a
// devices build) names espcompose as its tool.
func madeByEspcompose(fsys afero.Fs, dir string, listed map[string]string) bool {
	found := false
	for name := range listed {
		if path.Base(name) != "build.json" {
			continue
		}
		b, err := afero.ReadFile(fsys, filepath.Join(dir, filepath.FromSlash(name)))
		var rec struct {
			Tool string `json:"tool"`
		}
		if err != nil || json.Unmarshal(b, &rec) != nil || rec.Tool != "espcompose" {
			return false
		}
		found = true
	}
	return found
}
