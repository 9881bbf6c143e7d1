package cas

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/fsutil"
	"github.com/espcompose/espcompose/internal/logx"
)

// ErrInvalidKey is returned for keys that are not 64 lowercase hex digits.
// Keys become file names, so anything else is refused outright.
var ErrInvalidKey = errors.New("cas: invalid key")

// entryFormat versions the JSON record layout.
const entryFormat = 1

const (
	dirPerm  = 0o755
	filePerm = 0o644
)

// entry is the JSON record stored at entries/<key>.json.
type entry struct {
	Format int       `json:"format"`
	Key    string    `json:"key"`
	Blobs  []blobRef `json:"blobs"`
}

type blobRef struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Store is a cache rooted at one directory of an afero.Fs. It holds no
// mutable state, so it is safe for concurrent use when the Fs is.
type Store struct {
	fs   afero.Fs
	root string
	log  logx.Logger

	// A cache that did not exist when it was opened is made, and its lock taken,
	// by the first Put (see Open).
	lazyMu    sync.Mutex
	lazy      bool
	lazyClose func()
	lazyErr   error
}

// New returns a Store rooted at root (created lazily by Put). A nil log
// discards warnings.
func New(fs afero.Fs, root string, log logx.Logger) *Store {
	return &Store{fs: fs, root: root, log: logx.OrDiscard(log)}
}

// Get returns the blobs stored under key. ok is false on a miss, including
// a damaged entry or a blob whose content no longer matches its digest
// (those also log a warning). err is reserved for invalid keys and I/O
// failures other than "not found".
func (s *Store) Get(key string) (blobs map[string][]byte, ok bool, err error) {
	data, _, ok, err := s.GetVerified(key)
	return data, ok, err
}

// GetVerified is Get that also returns each blob's hex SHA-256, which Get has just
// checked against the content it read: a caller that needs the digest (an artifact,
// an output's SHA256SUMS line) takes it from here instead of hashing again.
func (s *Store) GetVerified(key string) (blobs map[string][]byte, digests map[string]string, ok bool, err error) {
	if !validHex(key) {
		return nil, nil, false, fmt.Errorf("%w: %q", ErrInvalidKey, key)
	}
	raw, err := afero.ReadFile(s.fs, s.entryPath(key))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, false, nil
	}
	if err != nil {
		return nil, nil, false, fmt.Errorf("cas: read entry %s: %w", key, err)
	}
	var e entry
	if err := json.Unmarshal(raw, &e); err != nil {
		s.log.Warnf("cas: entry %s is unreadable (%v); treating as a miss", key, err)
		return nil, nil, false, nil
	}
	if reason := e.check(key); reason != "" {
		s.log.Warnf("cas: entry %s is invalid (%s); treating as a miss", key, reason)
		return nil, nil, false, nil
	}
	out := make(map[string][]byte, len(e.Blobs))
	sums := make(map[string]string, len(e.Blobs))
	for _, b := range e.Blobs {
		data, err := readSized(s.fs, s.objectPath(b.SHA256), b.Size)
		if errors.Is(err, os.ErrNotExist) {
			s.log.Warnf("cas: entry %s: blob %q (object %s) is missing; treating as a miss", key, b.Name, b.SHA256)
			return nil, nil, false, nil
		}
		if err != nil && !errors.Is(err, errWrongSize) {
			return nil, nil, false, fmt.Errorf("cas: read object %s: %w", b.SHA256, err)
		}
		if err != nil || Digest(data) != b.SHA256 {
			s.log.Warnf("cas: entry %s: blob %q (object %s) is corrupted; treating as a miss", key, b.Name, b.SHA256)
			return nil, nil, false, nil
		}
		out[b.Name] = data
		sums[b.Name] = b.SHA256
	}
	return out, sums, true, nil
}

// errWrongSize: an object is shorter or longer than its entry records.
var errWrongSize = errors.New("object size differs from its entry")

// readSized reads an object whose size the entry records into a buffer of exactly
// that size, instead of growing one as it reads; a file of another size is
// errWrongSize, found without reading past one extra byte.
func readSized(fs afero.Fs, name string, size int64) ([]byte, error) {
	f, err := fs.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil {
		return nil, err
	} else if st.Size() != size {
		return nil, errWrongSize
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(f, data); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, errWrongSize
		}
		return nil, err
	}
	var one [1]byte
	if n, _ := f.Read(one[:]); n != 0 {
		return nil, errWrongSize
	}
	return data, nil
}

// Put stores blobs under key, replacing any previous entry for key. Objects
// already present with the right content are not rewritten; damaged ones
// are repaired. Never pass key material (see the package documentation).
func (s *Store) Put(key string, blobs map[string][]byte) error {
	return s.PutDigested(key, blobs, nil)
}

// PutDigested is Put for blobs whose hex SHA-256 the caller already has (an
// artifact's digest, computed once when it was made): digests[name] is used as the
// object's name instead of hashing the blob again; a missing one is computed. A
// wrong digest stores nothing harmful: Get checks every blob against its digest and
// treats a mismatch as a miss.
func (s *Store) PutDigested(key string, blobs map[string][]byte, digests map[string]string) error {
	if !validHex(key) {
		return fmt.Errorf("%w: %q", ErrInvalidKey, key)
	}
	if err := s.openLazily(); err != nil {
		return err
	}
	names := make([]string, 0, len(blobs))
	for name := range blobs {
		names = append(names, name)
	}
	sort.Strings(names)

	e := entry{Format: entryFormat, Key: key, Blobs: make([]blobRef, 0, len(names))}
	for _, name := range names {
		data := blobs[name]
		d := digests[name]
		if !validHex(d) {
			d = Digest(data)
		}
		if err := s.putObject(d, data); err != nil {
			return err
		}
		e.Blobs = append(e.Blobs, blobRef{Name: name, SHA256: d, Size: int64(len(data))})
	}
	raw, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return fmt.Errorf("cas: encode entry %s: %w", key, err)
	}
	raw = append(raw, '\n')
	if err := s.fs.MkdirAll(filepath.Join(s.root, "entries"), dirPerm); err != nil {
		return fmt.Errorf("cas: %w", err)
	}
	if err := fsutil.WriteFileNoSync(s.fs, s.entryPath(key), raw, filePerm); err != nil {
		return fmt.Errorf("cas: %w", err)
	}
	return nil
}

func (s *Store) putObject(digest string, data []byte) error {
	p := s.objectPath(digest)
	if old, err := readSized(s.fs, p, int64(len(data))); err == nil && bytes.Equal(old, data) {
		return nil
	}
	if err := s.fs.MkdirAll(filepath.Dir(p), dirPerm); err != nil {
		return fmt.Errorf("cas: %w", err)
	}
	if err := fsutil.WriteFileNoSync(s.fs, p, data, filePerm); err != nil {
		return fmt.Errorf("cas: %w", err)
	}
	return nil
}

func (s *Store) entryPath(key string) string {
	return filepath.Join(s.root, "entries", key+".json")
}

func (s *Store) objectPath(digest string) string {
	return filepath.Join(s.root, "objects", digest[:2], digest)
}

// check validates a decoded entry against the key it was read for; it
// returns a reason when the entry must not be trusted.
func (e *entry) check(key string) string {
	if e.Format != entryFormat {
		return fmt.Sprintf("format %d, want %d", e.Format, entryFormat)
	}
	if e.Key != key {
		return fmt.Sprintf("records key %q", e.Key)
	}
	seen := make(map[string]bool, len(e.Blobs))
	for _, b := range e.Blobs {
		if seen[b.Name] {
			return fmt.Sprintf("duplicate blob name %q", b.Name)
		}
		seen[b.Name] = true
		if !validHex(b.SHA256) {
			return fmt.Sprintf("blob %q has bad digest %q", b.Name, b.SHA256)
		}
		if b.Size < 0 {
			return fmt.Sprintf("blob %q has negative size", b.Name)
		}
	}
	return ""
}

// validHex reports whether s is a lowercase hex sha256 (64 digits).
func validHex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
