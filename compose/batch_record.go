package compose

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/fsutil"
	"github.com/espcompose/espcompose/outputs"
)

// RecordName is the per-device record a batch writes into devices/<id>/: what the
// device was built from (the hash of its inputs and the files it read) and what it
// holds (every output with its digest). A rerun compares the hash of the same inputs
// now with it and skips the device when they match.
const RecordName = "record.json"

const recordFormat = "espcompose-device-record/1"

// deviceRecord is devices/<id>/record.json. It never holds key bytes: keys are read
// files like any other and only enter the one inputs hash, and key_fingerprints are
// stages.Fingerprint's one-way, domain-separated digests.
type deviceRecord struct {
	Format string `json:"format"`
	ID     string `json:"id"`
	// Inputs is the sha256 of everything the device's outputs depend on: the
	// build settings (tool version, manifest, variables, SOURCE_DATE_EPOCH), its CSV
	// row, and the name and content of every file it read.
	Inputs string `json:"inputs_sha256"`
	// Reads are the files the build read, relative to the manifest's folder when
	// inside it (slash-separated), sorted.
	Reads  []string      `json:"reads"`
	Merged string        `json:"merged"`
	Files  []recordFile  `json:"files"`
	Keys   []fingerprint `json:"key_fingerprints,omitempty"`
}

type recordFile struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	Mode   uint32 `json:"mode"`
}

type fingerprint struct {
	Name        string `json:"name"`
	Fingerprint string `json:"fingerprint"`
}

func (r *deviceRecord) encode() []byte {
	b, _ := json.MarshalIndent(r, "", "  ")
	return append(b, '\n')
}

// readRecord reads devices/<id>/record.json of out; nil when there is none or it is
// not one espcompose writes.
func readRecord(fsys afero.Fs, out, id string) *deviceRecord {
	b, err := readSmall(fsys, filepath.Join(out, "devices", id, RecordName), 4<<20)
	if err != nil {
		return nil
	}
	return decodeRecord(b, id)
}

// decodeRecord decodes a record read from devices/<id>/; nil when it is not one.
func decodeRecord(b []byte, id string) *deviceRecord {
	var r deviceRecord
	if json.Unmarshal(b, &r) != nil || r.Format != recordFormat || r.ID != id || len(r.Files) == 0 {
		return nil
	}
	return &r
}

func readSmallFS(fsys afero.Fs, name string, max int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err == nil && int64(len(b)) > max {
		err = fmt.Errorf("%s is larger than %d bytes", name, max)
	}
	return b, err
}

// inputHasher computes a device's inputs hash. The settings every device shares are
// hashed once; file digests of files many devices read (the app, the bootloader) are
// remembered, within a bound, so a rerun of 10,000 devices reads them once.
type inputHasher struct {
	fs      afero.Fs
	dir     string // the manifest's folder
	base    []byte // the shared settings, encoded
	mu      sync.Mutex
	digests map[string]string
}

func newInputHasher(fsys afero.Fs, dir string, settings []string) *inputHasher {
	h := sha256.New()
	for _, s := range settings {
		fmt.Fprintf(h, "%d:%s\n", len(s), s)
	}
	return &inputHasher{fs: fsys, dir: fsutil.Abs(dir), base: h.Sum(nil), digests: map[string]string{}}
}

// rel is how a record names a file read: relative to the manifest's folder when
// inside it, so a project moved to another folder or machine keeps its records.
func (ih *inputHasher) rel(p string) string {
	if r, err := filepath.Rel(ih.dir, p); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return filepath.ToSlash(p)
}

func (ih *inputHasher) abs(r string) string {
	p := filepath.FromSlash(r)
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(ih.dir, p)
}

// fileDigest hashes one file read by a device; a missing file hashes as "missing",
// so a file that appears later changes the hash.
func (ih *inputHasher) fileDigest(abs string, remember bool) string {
	if remember {
		ih.mu.Lock()
		d, ok := ih.digests[abs]
		ih.mu.Unlock()
		if ok {
			return d
		}
	}
	d, ok := "", false
	if isOS, recs := osBelow(ih.fs); isOS {
		// A regular file in four system calls; the recorders note it as afero's
		// Open would have.
		var opened bool
		d, opened, ok = digestOS(abs)
		if ok && opened {
			for _, r := range recs {
				r.NoteFile(abs)
			}
		}
	}
	if !ok {
		d = ih.digestFS(abs)
	}
	if remember {
		ih.mu.Lock()
		if len(ih.digests) > 4096 { // bounded: per-device files would otherwise pile up
			clear(ih.digests)
		}
		ih.digests[abs] = d
		ih.mu.Unlock()
	}
	return d
}

// digestFS is fileDigest's reading through afero: a regular file's content or a
// folder's listing.
func (ih *inputHasher) digestFS(abs string) string {
	f, err := ih.fs.Open(abs)
	if err != nil {
		return "missing"
	}
	defer f.Close()
	h := sha256.New()
	st, err := f.Stat()
	switch {
	case err != nil:
	case st.Mode().IsRegular():
		if _, err := io.Copy(h, f); err == nil {
			return hex.EncodeToString(h.Sum(nil))
		}
	case st.IsDir():
		if names, err := f.Readdirnames(-1); err == nil {
			sort.Strings(names)
			for _, n := range names {
				fmt.Fprintf(h, "%d:%s\n", len(n), n)
			}
			return "dir:" + hex.EncodeToString(h.Sum(nil))
		}
	}
	return "missing"
}

// hash is the inputs hash of a device with this row that read these files (record
// names). shared are files known to be read by many devices (worth remembering).
func (ih *inputHasher) hash(row map[string]string, reads []string, shared func(string) bool) string {
	h := sha256.New()
	h.Write(ih.base)
	cols := make([]string, 0, len(row))
	for c := range row {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	for _, c := range cols {
		fmt.Fprintf(h, "col %d:%s=%d:%s\n", len(c), c, len(row[c]), row[c])
	}
	for _, r := range reads {
		fmt.Fprintf(h, "file %d:%s=%s\n", len(r), r, ih.fileDigest(ih.abs(r), shared(r)))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// intact reports whether devices/<id>/ still holds the record's files as published:
// the marker a publish of them writes, and each file regular, of its size and mode,
// with the content the record's sha256 names. The content is read and hashed: a
// published file edited since, even to the same size, is found, and the device is
// built again. Sizes and modes are checked for every file before any is read, so a
// changed folder usually costs no reads.
func intact(fsys afero.Fs, dir string, r *deviceRecord) bool {
	files := make([]outputs.File, 0, len(r.Files)+1)
	for _, f := range r.Files {
		files = append(files, outputs.File{Name: f.Name})
	}
	files = append(files, outputs.File{Name: RecordName})
	marker, err := readSmall(fsys, filepath.Join(dir, outputs.Marker), 16<<20)
	if err != nil || string(marker) != string(outputs.MarkerFor(files)) {
		return false
	}
	for _, f := range r.Files {
		st, err := fsutil.Lstat(fsys, filepath.Join(dir, filepath.FromSlash(f.Name)))
		if err != nil || !st.Mode().IsRegular() || st.Size() != f.Size || st.Mode().Perm() != os.FileMode(f.Mode).Perm() {
			return false
		}
	}
	for _, f := range r.Files {
		if d, ok := fileSHA256(fsys, filepath.Join(dir, filepath.FromSlash(f.Name))); !ok || d != f.SHA256 {
			return false
		}
	}
	return true
}

// recordFiles lists files for a record, sorted by name.
func recordFiles(files []outputs.File) []recordFile {
	out := make([]recordFile, 0, len(files))
	for _, f := range files {
		out = append(out, recordFile{Name: f.Name, SHA256: f.SHA256, Size: int64(len(f.Data)), Mode: f.Mode})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// devicePath is where a record's file lives in the tree.
func devicePath(id, name string) string { return path.Join("devices", id, name) }
