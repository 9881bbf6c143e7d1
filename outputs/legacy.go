package outputs

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/afero"
)

// sumsList reads dir's SHA256SUMS: every file espcompose published there, by name,
// with its hash. ok is false when there is none or it is not one espcompose writes.
func sumsList(fsys afero.Fs, dir string) (map[string]string, bool) {
	sums, err := afero.ReadFile(fsys, filepath.Join(dir, "SHA256SUMS"))
	if err != nil || len(sums) > 16<<20 {
		return nil, false
	}
	listed := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(sums))
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 || name == "" || !fs.ValidPath(name) {
			return nil, false
		}
		listed[name] = sum
	}
	return listed, true
}

// foreign lists, sorted, what in dir espcompose did not publish: files SHA256SUMS does
// not name (besides SHA256SUMS and the marker), links, devices. Empty folders hold
// nothing to lose and are not listed. checkHashes also lists files whose content is
// not what SHA256SUMS says, and listed files that are missing.
func foreign(fsys afero.Fs, dir string, listed map[string]string, checkHashes bool) []string {
	var out []string
	seen := map[string]bool{}
	err := afero.Walk(fsys, dir, func(p string, info fs.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		switch {
		case info.IsDir():
			return nil
		case rel == "SHA256SUMS" || rel == Marker:
			return nil
		case !info.Mode().IsRegular():
			out = append(out, rel)
			return nil
		}
		want, ok := listed[rel]
		if !ok {
			out = append(out, rel)
			return nil
		}
		seen[rel] = true
		if checkHashes {
			if b, err := afero.ReadFile(fsys, p); err != nil || digest(b) != want {
				out = append(out, rel)
			}
		}
		return nil
	})
	if err != nil {
		return append(out, "(unreadable: "+err.Error()+")")
	}
	if checkHashes {
		for name := range listed {
			if !seen[name] {
				out = append(out, name)
			}
		}
	}
	sort.Strings(out)
	return out
}

// legacyOutput recognises an output folder published by espcompose before the marker
// existed, so upgrading does not make users delete their dist/ by hand. The proof is
// strict: SHA256SUMS lists every regular file in the folder but itself, each with its
// hash, nothing else is there (no links, no unlisted files), and the build record
// says espcompose made it. Then nothing in the folder can be anyone else's.
func legacyOutput(fsys afero.Fs, dir string) bool {
	listed, ok := sumsList(fsys, dir)
	return ok && madeByEspcompose(fsys, dir, listed) && len(foreign(fsys, dir, listed, true)) == 0
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
