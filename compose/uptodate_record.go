package compose

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/fsutil"
	"github.com/espcompose/espcompose/outputs"
)

// The up-to-date record lets a rebuild with nothing changed skip parsing, planning,
// the stage cache, verification and the comparison of every output, which together
// cost several times the process start-up that `idf.py build` pays anyway.
//
// It is written only by a full build that found Out already holding, byte for byte,
// exactly what it had just rebuilt: so the build is known to reproduce these outputs
// from these inputs (a manifest whose outputs draw fresh randomness never gets one).
// It keeps what decides the output (every option, the binary, each input's content
// digest, a key file's stat identity rather than a digest of its secret bytes) and
// what the output tree looked like on disk, and lives in the stage cache, beside
// other recomputable data. QuickUpToDate trusts it only while every one of those is
// unchanged; anything else, or any doubt, takes the full build.
//
// The guarantees of a full build are kept: the record never writes, so the guard
// and the lock (which protect writes) have nothing to protect; a file added to the
// tree, a leftover of a killed publish beside it, an edited, chmod-ed, replaced or
// removed output each change a folder's or a file's stat identity, and a leftover of
// a killed publish beside the tree is looked for by name: each sends the build down
// the full path, which checks, cleans up and republishes as before.
// 2: warnings carry the block they are in (storedDiag.Where).
const upToDateFormat = 2

// racyMargin covers the coarse clock file times are stamped with (a scheduler tick,
// a few milliseconds on Linux) against the fine clock Load's start is read from.
const racyMargin = 50 * time.Millisecond

// statID identifies one file or folder as it is on disk (see statKey).
type statID struct {
	Dev   uint64 `json:"dev"`
	Ino   uint64 `json:"ino"`
	Mode  uint32 `json:"mode"`
	Size  int64  `json:"size"`
	Mtime int64  `json:"mtime_ns"`
	Ctime int64  `json:"ctime_ns"`
}

type upToDateRecord struct {
	Format  int    `json:"format"`
	Request string `json:"request"` // digest of the options that decide the output
	// Probe is the change time of a file the recording build wrote before it looked
	// at anything: an output or key changed at or after it may have changed after
	// it was looked at within the same clock tick, so such a record is not trusted
	// for it (git's "racily clean" rule).
	Probe    int64        `json:"probe_ns"`
	Tree     []treeEntry  `json:"tree"` // Out itself ("."), then everything under it
	Inputs   []inputEntry `json:"inputs"`
	Files    int          `json:"files"`
	Warnings []storedDiag `json:"warnings,omitempty"`
}

type treeEntry struct {
	Rel string `json:"rel"`
	ID  statID `json:"id"`
}

// inputEntry is one file or folder the build read: a file by content digest, a key
// file by stat identity (no digest of secret bytes is kept anywhere), a folder by
// the digest of its listing.
type inputEntry struct {
	Path   string  `json:"path"`
	Dir    bool    `json:"dir,omitempty"`
	SHA256 string  `json:"sha256,omitempty"`
	ID     *statID `json:"id,omitempty"`
}

// storedDiag is a warning of the recorded build, shown again by every build the
// record answers, as the full build would show it.
type storedDiag struct {
	Summary string     `json:"summary"`
	Detail  string     `json:"detail,omitempty"`
	Subject *hcl.Range `json:"subject,omitempty"`
	Context *hcl.Range `json:"context,omitempty"`
	// Where is the block the subject lies in, as a diagnostic names it ("image
	// \"bootloader\""): kept so that showing the warning again needs no parse.
	Where string `json:"where,omitempty"`
}

// storedNav answers what a parsed file's navigation would for the recorded
// warnings' subjects (hcl.File.Nav; the text writer asks it for "in ...").
type storedNav map[int]string

func (n storedNav) ContextString(offset int) string { return n[offset] }

// cacheDirOf is Project.cacheDir before anything is loaded.
func cacheDirOf(opts Options) string {
	if opts.CacheDir != "" {
		return opts.CacheDir
	}
	return filepath.Join(filepath.Dir(opts.Manifest), ".espcompose", "cache")
}

// recordPath is where the record for opts.Out lives: one per output folder.
func recordPath(opts Options) string {
	sum := sha256.Sum256([]byte(fsutil.Abs(opts.Out)))
	return filepath.Join(cacheDirOf(opts), "uptodate", hex.EncodeToString(sum[:16])+".json")
}

// requestDigest covers every option that decides what Build publishes. BuildID
// stands for the code: another espcompose binary may make other bytes.
func requestDigest(opts Options) string {
	vars := make([]string, 0, len(opts.Vars))
	for k, v := range opts.Vars {
		vars = append(vars, k+"="+v)
	}
	sort.Strings(vars)
	b, _ := json.Marshal([]any{upToDateFormat, opts.BuildID, opts.ToolVersion, fsutil.Abs(opts.Manifest),
		fsutil.Abs(opts.Out), fsutil.Abs(cacheDirOf(opts)), vars, opts.Device, opts.SourceDateEpoch})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// recordable: only builds whose inputs are all files this process reads can be
// answered from a record. A key in a token or behind a signing command, or a
// signatures folder, may change where no file shows it.
func (p *Project) recordable() bool {
	if p.opts.BuildID == "" || p.opts.Out == "" || p.opts.Signatures != "" || !fsutil.IsOS(p.opts.FS) || p.opts.ReportTimings {
		return false
	}
	for _, c := range p.Configs {
		for _, k := range c.Config.Keys {
			if k.File == "" {
				return false
			}
		}
	}
	return true
}

// recordUpToDate is called after a build found Out up to date. It writes the probe,
// takes every stat identity, then compares the tree with files once more, so what
// it records was seen holding exactly these bytes after it was measured. Failing
// to record only costs the next rebuild its shortcut.
func (p *Project) recordUpToDate(files []outputs.File) {
	if !p.recordable() {
		return
	}
	fsys, path := p.opts.FS, recordPath(p.opts)
	if err := fsys.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return
	}
	// The probe is the record's own path: an invalid record until the real one
	// replaces it, so a build killed in between leaves nothing trusted.
	if err := fsutil.WriteFileNoSync(fsys, path, []byte("{}\n"), 0o644); err != nil {
		return
	}
	st, err := fsys.Stat(path)
	if err != nil {
		return
	}
	probe, ok := statKey(st)
	if !ok {
		return
	}
	rec := upToDateRecord{Format: upToDateFormat, Request: requestDigest(p.opts), Probe: probe.Ctime, Files: len(files),
		Warnings: p.warnings}
	out := fsutil.Abs(p.opts.Out)
	if rec.Tree, ok = treeIDs(fsys, out); !ok {
		return
	}
	if rec.Inputs, ok = p.inputEntries(out); !ok {
		return
	}
	if !outputs.Unchanged(fsys, p.opts.Out, files) {
		return
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return
	}
	_ = fsutil.WriteFileNoSync(fsys, path, append(data, '\n'), 0o644)
}

func lstatID(fsys afero.Fs, p string) (statID, bool) {
	fi, err := fsutil.Lstat(fsys, p)
	if err != nil {
		return statID{}, false
	}
	return statKey(fi)
}

// treeIDs lists root and everything under it, sorted, with stat identities.
func treeIDs(fsys afero.Fs, root string) ([]treeEntry, bool) {
	var tree []treeEntry
	err := afero.Walk(fsys, root, func(p string, _ fs.FileInfo, err error) error {
		if err != nil {
			return err
		}
		id, ok := lstatID(fsys, p)
		if !ok {
			return fs.ErrInvalid
		}
		rel, _ := filepath.Rel(root, p)
		tree = append(tree, treeEntry{Rel: filepath.ToSlash(rel), ID: id})
		return nil
	})
	return tree, err == nil
}

// inputEntries is everything the build read that is neither the cache nor the output
// folder (nor its lock, beside it): the manifest, its images, keys, CSVs, folders.
func (p *Project) inputEntries(out string) ([]inputEntry, bool) {
	cache := fsutil.Abs(p.cacheDir())
	lock := fsutil.Abs(outputs.LockPath(p.opts.Out))
	skip := func(path string) bool {
		return path == lock || within(path, cache) || within(path, out)
	}
	keys := map[string]bool{}
	for _, c := range p.Configs {
		for _, k := range c.Config.Keys {
			keys[fsutil.Abs(k.File)] = true
		}
	}
	// An input is digested here, after the build read it. Only one that has not
	// changed since before the build began was surely read as it is now: its change
	// time must be older than Load's start, less a margin for the coarse clock the
	// filesystem stamps times with. A newer one leaves no record this time.
	settled := p.started.UnixNano() - racyMargin.Nanoseconds()
	unchangedSince := func(path string) (statID, bool) {
		st, err := p.opts.FS.Stat(path)
		if err != nil {
			return statID{}, false
		}
		id, ok := statKey(st)
		return id, ok && id.Ctime < settled
	}
	var ins []inputEntry
	for _, path := range p.rec.Files() {
		if skip(path) {
			continue
		}
		id, ok := unchangedSince(path)
		if !ok {
			return nil, false
		}
		if keys[path] {
			ins = append(ins, inputEntry{Path: path, ID: &id})
			continue
		}
		sum, err := fileDigest(p.opts.FS, path)
		if err != nil {
			return nil, false
		}
		ins = append(ins, inputEntry{Path: path, SHA256: sum})
	}
	for _, path := range p.rec.Dirs() {
		// Out's folder is listed by the publish, looking for leftovers of killed
		// ones, not as an input: the guard refuses an output inside an input folder.
		if skip(path) || path == filepath.Dir(out) {
			continue
		}
		if _, ok := unchangedSince(path); !ok {
			return nil, false
		}
		sum, err := listingDigest(p.opts.FS, path)
		if err != nil {
			return nil, false
		}
		ins = append(ins, inputEntry{Path: path, Dir: true, SHA256: sum})
	}
	return ins, true
}

// within reports whether path is dir or inside it.
func within(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+string(filepath.Separator))
}

func fileDigest(fsys afero.Fs, path string) (string, error) {
	f, err := fsys.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// listingDigest digests a folder's entries: names and types, sorted.
func listingDigest(fsys afero.Fs, dir string) (string, error) {
	f, err := fsys.Open(dir)
	if err != nil {
		return "", err
	}
	defer f.Close()
	infos, err := f.Readdir(-1)
	if err != nil {
		return "", err
	}
	sort.Slice(infos, func(i, j int) bool { return infos[i].Name() < infos[j].Name() })
	h := sha256.New()
	for _, fi := range infos {
		io.WriteString(h, fi.Name())
		h.Write([]byte{0, byte(fi.Mode().Type() >> 24), '\n'})
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// QuickUpToDate answers a rebuild from the up-to-date record, without parsing or
// planning: ok when opts.Out still holds exactly what the last build that checked
// it found there, every input still has the content (a key file the stat identity)
// it had then, and the options and binary (Options.BuildID) are the same. Then it
// hands the recorded warnings to OnDiagnostics, as a full build would, and returns
// how many files the tree holds. Any difference, or no record, is !ok: call Load
// and Build, which check everything and record again. It never writes.
func QuickUpToDate(opts Options) (files int, ok bool) {
	// A report with timings is new on every build: never answered from a record.
	if opts.BuildID == "" || opts.Out == "" || opts.FS == nil || !fsutil.IsOS(opts.FS) || opts.ReportTimings {
		return 0, false
	}
	fsys := opts.FS
	data, err := afero.ReadFile(fsys, recordPath(opts))
	if err != nil {
		return 0, false
	}
	var rec upToDateRecord
	if json.Unmarshal(data, &rec) != nil || rec.Format != upToDateFormat || rec.Request != requestDigest(opts) {
		return 0, false
	}
	out := fsutil.Abs(opts.Out)
	// What a killed publish of Out left beside it is cleaned up by the full build.
	if left, err := fsutil.Leftovers(fsys, out); err != nil || len(left) > 0 {
		return 0, false
	}
	if len(rec.Tree) == 0 || rec.Tree[0].Rel != "." {
		return 0, false
	}
	for _, e := range rec.Tree {
		id, ok := lstatID(fsys, filepath.Join(out, filepath.FromSlash(e.Rel)))
		if !ok || id != e.ID || (fs.FileMode(id.Mode).IsRegular() && id.Ctime >= rec.Probe) {
			return 0, false
		}
	}
	var src []byte // the manifest, as read for its digest
	abs := fsutil.Abs(opts.Manifest)
	for _, in := range rec.Inputs {
		switch {
		case in.ID != nil:
			st, err := fsys.Stat(in.Path)
			if err != nil {
				return 0, false
			}
			if id, ok := statKey(st); !ok || id != *in.ID || id.Ctime >= rec.Probe {
				return 0, false
			}
		case in.Dir:
			if sum, err := listingDigest(fsys, in.Path); err != nil || sum != in.SHA256 {
				return 0, false
			}
		default:
			b, err := afero.ReadFile(fsys, in.Path)
			if err != nil {
				return 0, false
			}
			if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != in.SHA256 {
				return 0, false
			}
			if in.Path == abs {
				src = b
			}
		}
	}
	if len(rec.Warnings) > 0 && opts.OnDiagnostics != nil {
		if src == nil {
			return 0, false // the warnings quote the manifest, which was read
		}
		diags := make(hcl.Diagnostics, len(rec.Warnings))
		files := map[string]*hcl.File{}
		for i, w := range rec.Warnings {
			diags[i] = &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: w.Summary, Detail: w.Detail,
				Subject: w.Subject, Context: w.Context}
			// Only the manifest is read here (its digest is checked above): a warning
			// about another file takes the full build.
			if w.Subject == nil || fsutil.Abs(w.Subject.Filename) != abs {
				return 0, false
			}
			f := files[w.Subject.Filename]
			if f == nil {
				f = &hcl.File{Bytes: src, Nav: storedNav{}}
				files[w.Subject.Filename] = f
			}
			f.Nav.(storedNav)[w.Subject.Start.Byte] = w.Where
		}
		// The quoted lines name their block from the record (Where), as they do after
		// a full load, without parsing the manifest again.
		opts.OnDiagnostics(files, diags)
	}
	return rec.Files, true
}

// storeWarnings keeps what the loader reported, for the record; a batch holding
// errors ends the load, so only warnings of a successful one are ever recorded.
func storeWarnings(diags hcl.Diagnostics, files map[string]*hcl.File) []storedDiag {
	var out []storedDiag
	for _, d := range diags {
		sd := storedDiag{Summary: d.Summary, Detail: d.Detail, Subject: d.Subject, Context: d.Context}
		if d.Subject != nil {
			if f := files[d.Subject.Filename]; f != nil {
				if cs, ok := f.Nav.(interface{ ContextString(int) string }); ok {
					sd.Where = cs.ContextString(d.Subject.Start.Byte)
				}
			}
		}
		out = append(out, sd)
	}
	return out
}
