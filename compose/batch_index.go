package compose

import (
	"bufio"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/fsutil"
)

// batchEntry is one device of a batch, in devices-CSV order.
type batchEntry struct {
	ID  string
	Row int // 1-based data row of the devices CSV
}

// indexDevice is one entry of devices.json. id, dir, merged and sha256 are what
// devices.json always held; the rest is the batch report.
type indexDevice struct {
	ID     string            `json:"id"`
	Row    int               `json:"row"`
	Dir    string            `json:"dir"`
	Merged string            `json:"merged,omitempty"`
	SHA256 string            `json:"sha256,omitempty"`
	Inputs string            `json:"inputs_sha256"`
	Files  map[string]string `json:"files"`
	Keys   map[string]string `json:"key_fingerprints,omitempty"`
}

// ShardInfo is shard.json, the top of a shard's tree: which shard it is and of what
// batch, so `devices merge` can tell a complete set of shards from an incomplete one.
type ShardInfo struct {
	Format string `json:"format"`
	K      int    `json:"shard"`
	N      int    `json:"of"`
	// Devices and IDs describe the whole batch, every shard: how many devices and
	// the sha256 of their ids, sorted, one a line.
	Devices  int    `json:"batch_devices"`
	IDs      string `json:"batch_ids_sha256"`
	Manifest string `json:"manifest_sha256"`
}

const shardFormat = "espcompose-shard/1"

// idsHash is the sha256 of ids, sorted, one a line: what every shard of a batch
// records, and what the union of their devices must hash to when merged.
type idsHash struct{ ids []string }

func (h *idsHash) add(id string) { h.ids = append(h.ids, id) }
func (h *idsHash) sum() string {
	sort.Strings(h.ids)
	s := sha256.New()
	for _, id := range h.ids {
		fmt.Fprintf(s, "%s\n", id)
	}
	return hex.EncodeToString(s.Sum(nil))
}

// writeIndex writes devices.json, devices.csv, SHA256SUMS (and shard.json for a
// shard) from the devices' records, streaming: each record is read when its entry is
// written, so the index of any number of devices takes no memory to speak of. Each
// file is replaced atomically. The index is first rendered to hashes only: when
// every file already holds those bytes nothing is written, not even a temporary
// file, so a rerun that changed nothing leaves the folder untouched.
//
// unchanged says no device was written: only then can the index be the same, and
// only then is the dry rendering worth its cost.
func (t *tree) writeIndex(entries []batchEntry, shard *ShardInfo, unchanged bool) error {
	var shardData []byte
	if shard != nil {
		b, _ := json.MarshalIndent(shard, "", "  ")
		shardData = append(b, '\n')
	}
	if !unchanged {
		_, err := t.renderIndex(entries, shardData, false)
		return err
	}
	sums, err := t.renderIndex(entries, shardData, true)
	if err != nil {
		return err
	}
	same := true
	for name, want := range sums {
		if have, ok := fileSHA256(t.fs, filepath.Join(t.out, name)); !ok || have != want {
			same = false
		}
	}
	_, err = t.fs.Stat(filepath.Join(t.out, shardJSON))
	if haveShard := err == nil; haveShard != (shard != nil) {
		same = false
	} else if shard != nil {
		if have, _ := fileSHA256(t.fs, filepath.Join(t.out, shardJSON)); have != sha256hex(shardData) {
			same = false
		}
	}
	if same {
		return nil
	}
	_, err = t.renderIndex(entries, shardData, false)
	return err
}

// renderIndex renders the index files (dry: to hashes only) and returns their digests.
func (t *tree) renderIndex(entries []batchEntry, shardData []byte, dry bool) (map[string]string, error) {
	// The devices.csv columns: the output names of every device (nearly always the
	// same), then the key fingerprints; gathered from the records as devices were
	// built or skipped.
	t.colMu.Lock()
	fileCols := sortedKeys(t.fileCols)
	keyCols := sortedKeys(t.keyCols)
	t.colMu.Unlock()

	csvOut, err := t.create(indexCSV, dry)
	if err != nil {
		return nil, err
	}
	defer csvOut.abort()
	jsOut, err := t.create(indexJSON, dry)
	if err != nil {
		return nil, err
	}
	defer jsOut.abort()
	js := jsOut.w
	js.WriteString("{\n  \"format\": \"espcompose-devices/1\",\n  \"devices\": [")
	cw := csv.NewWriter(csvOut.w)
	head := []string{"id", "merged_sha256"}
	for _, c := range fileCols {
		head = append(head, "sha256:"+c)
	}
	for _, k := range keyCols {
		head = append(head, "key_fingerprint:"+k)
	}
	_ = cw.Write(head)
	// Each device's entry is made on the batch's workers (reading and decoding its
	// record is most of the work) and written in order.
	type entry struct {
		json []byte
		row  []string
	}
	err = orderedMap(len(entries), t.jobs, indexWindow, func(i int) (entry, error) {
		e := entries[i]
		r := readRecord(t.fs, t.out, e.ID)
		if r == nil {
			return entry{}, fmt.Errorf("device %s: its record is missing", e.ID)
		}
		d := indexDevice{ID: e.ID, Row: e.Row, Dir: "devices/" + e.ID, Inputs: r.Inputs, Files: map[string]string{}}
		if r.Merged != "" { // output { merged = false } writes none
			d.Merged = "devices/" + e.ID + "/" + r.Merged
		}
		for _, f := range r.Files {
			d.Files[f.Name] = f.SHA256
			if f.Name == r.Merged {
				d.SHA256 = f.SHA256
			}
		}
		if len(r.Keys) > 0 {
			d.Keys = map[string]string{}
			for _, k := range r.Keys {
				d.Keys[k.Name] = k.Fingerprint
			}
		}
		b, _ := json.MarshalIndent(d, "    ", "  ")
		row := []string{e.ID, d.SHA256}
		for _, c := range fileCols {
			row = append(row, d.Files[c])
		}
		for _, k := range keyCols {
			row = append(row, d.Keys[k])
		}
		return entry{b, row}, nil
	}, func(i int, en entry) error {
		if i > 0 {
			js.WriteString(",")
		}
		js.WriteString("\n    ")
		js.Write(en.json)
		return cw.Write(en.row)
	})
	if err != nil {
		return nil, err
	}
	if len(entries) > 0 {
		js.WriteString("\n  ")
	}
	js.WriteString("]\n}\n")
	cw.Flush()
	if err := cw.Error(); err != nil {
		return nil, err
	}

	// SHA256SUMS over the whole tree, sorted by path as a single build writes it.
	sorted := make([]string, len(entries))
	for i, e := range entries {
		sorted[i] = e.ID + "/"
	}
	sort.Strings(sorted)
	sumsOut, err := t.create(sumsName, dry)
	if err != nil {
		return nil, err
	}
	defer sumsOut.abort()
	sw := sumsOut.w
	fmt.Fprintf(sw, "%s  %s\n", csvOut.sum(), indexCSV)
	fmt.Fprintf(sw, "%s  %s\n", jsOut.sum(), indexJSON)
	err = orderedMap(len(sorted), t.jobs, indexWindow, func(i int) (string, error) {
		id := sorted[i][:len(sorted[i])-1]
		rec, err := readSmall(t.fs, filepath.Join(t.out, "devices", id, RecordName), 4<<20)
		if err != nil {
			return "", err
		}
		r := decodeRecord(rec, id)
		if r == nil {
			return "", fmt.Errorf("device %s: its record is missing", id)
		}
		names := append([]recordFile{{Name: RecordName, SHA256: sha256hex(rec)}}, r.Files...)
		sort.Slice(names, func(i, j int) bool { return names[i].Name < names[j].Name })
		var sb strings.Builder
		for _, f := range names {
			fmt.Fprintf(&sb, "%s  %s\n", f.SHA256, devicePath(id, f.Name))
		}
		return sb.String(), nil
	}, func(_ int, lines string) error {
		_, err := sw.WriteString(lines)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := csvOut.commit(); err != nil {
		return nil, err
	}
	if err := jsOut.commit(); err != nil {
		return nil, err
	}
	digests := map[string]string{indexCSV: csvOut.sum(), indexJSON: jsOut.sum(), sumsName: sumsOut.sum()}
	if dry {
		return digests, nil
	}
	if shardData != nil {
		if err := fsutil.WriteFileAtomic(t.fs, filepath.Join(t.out, shardJSON), shardData, 0o644); err != nil {
			return nil, err
		}
	} else if _, err := t.fs.Stat(filepath.Join(t.out, shardJSON)); err == nil {
		if err := t.fs.Remove(filepath.Join(t.out, shardJSON)); err != nil {
			return nil, err
		}
	}
	return digests, sumsOut.commit()
}

// indexWindow is how many devices' index entries are made ahead of the one written.
const indexWindow = 64

// streamFile is a top-level file written through a temporary name and renamed over
// the old one when complete, hashed as it is written (for SHA256SUMS).
type streamFile struct {
	t    *tree
	name string
	tmp  string
	f    afero.File
	h    hash.Hash
	w    *bufio.Writer
	done bool
	dry  bool // only hashed, never written
}

func (t *tree) create(name string, dry bool) (*streamFile, error) {
	if dry {
		s := &streamFile{t: t, name: name, h: sha256.New(), dry: true}
		s.w = bufio.NewWriterSize(s.h, 64<<10)
		return s, nil
	}
	tmp := filepath.Join(t.out, "."+name+".tmp-"+strconv.Itoa(os.Getpid()))
	f, err := t.fs.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	s := &streamFile{t: t, name: name, tmp: tmp, f: f, h: sha256.New()}
	s.w = bufio.NewWriterSize(io.MultiWriter(f, s.h), 64<<10)
	return s, nil
}

func (s *streamFile) sum() string {
	_ = s.w.Flush()
	return hex.EncodeToString(s.h.Sum(nil))
}

// commit replaces the file, unless it already holds these bytes: then the new copy
// is dropped and the old one is not touched (a rerun that changed nothing writes
// nothing).
func (s *streamFile) commit() error {
	if err := s.w.Flush(); err != nil {
		return err
	}
	if s.dry {
		s.done = true
		return nil
	}
	if old, ok := fileSHA256(s.t.fs, filepath.Join(s.t.out, s.name)); ok && old == hex.EncodeToString(s.h.Sum(nil)) {
		s.abort()
		s.done = true
		return nil
	}
	if err := s.f.Sync(); err != nil {
		return err
	}
	if err := s.f.Close(); err != nil {
		return err
	}
	if err := s.t.fs.Chmod(s.tmp, 0o644); err != nil {
		return err
	}
	if err := s.t.fs.Rename(s.tmp, filepath.Join(s.t.out, s.name)); err != nil {
		return err
	}
	s.done = true
	return nil
}

func (s *streamFile) abort() {
	if !s.done && !s.dry {
		s.f.Close()
		_ = s.t.fs.Remove(s.tmp)
	}
}

// fileSHA256FS is fileSHA256 through afero.
func fileSHA256FS(fsys afero.Fs, name string) (string, bool) {
	f, err := fsys.Open(name)
	if err != nil {
		return "", false
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", false
	}
	return hex.EncodeToString(h.Sum(nil)), true
}

// addColumns notes the output and key names of a device's record, for devices.csv.
func (t *tree) addColumns(r *deviceRecord) {
	t.colMu.Lock()
	defer t.colMu.Unlock()
	if t.fileCols == nil {
		t.fileCols, t.keyCols = map[string]bool{}, map[string]bool{}
	}
	for _, f := range r.Files {
		t.fileCols[f.Name] = true
	}
	for _, k := range r.Keys {
		t.keyCols[k.Name] = true
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
