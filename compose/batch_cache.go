package compose

import (
	"sync"

	"github.com/espcompose/espcompose/internal/cas"
	"github.com/espcompose/espcompose/stages"
)

// memoCache sits between a batch's runners and the stage cache. What does not
// depend on device.* (bootloader, app, signatures, tables) is the same cache entry
// for every device: it is read from disk once and then served from memory. Entries
// made once the first device is done are per-device (its NVS, its merged image): they
// are never read again, because a rerun skips an unchanged device by its record, so
// they are not written to disk, where 10,000 of them would only fill the cache.
// Memory is bounded: past maxBytes nothing more is kept.
type memoCache struct {
	disk     *cas.Store
	maxBytes int

	mu     sync.Mutex
	m      map[string]memoEntry
	bytes  int
	frozen bool // the first device is done: new entries are per-device
}

type memoEntry struct {
	blobs   map[string][]byte
	digests map[string]string
}

func newMemoCache(disk *cas.Store, maxBytes int) *memoCache {
	return &memoCache{disk: disk, maxBytes: maxBytes, m: map[string]memoEntry{}}
}

// freeze is called once the first device is built.
func (c *memoCache) freeze() {
	c.mu.Lock()
	c.frozen = true
	c.mu.Unlock()
}

func (c *memoCache) keep(key string, e memoEntry) {
	n := 0
	for _, b := range e.blobs {
		n += len(b)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[key]; ok || c.bytes+n > c.maxBytes {
		return
	}
	c.m[key] = e
	c.bytes += n
}

// GetVerified serves from memory, else from disk (and then remembers the entry, and
// marks it used, so the cache's size bound removes least recently used entries first).
func (c *memoCache) GetVerified(key string) (map[string][]byte, map[string]string, bool, error) {
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return e.blobs, e.digests, true, nil
	}
	blobs, digests, ok, err := c.disk.GetVerified(key)
	if err != nil || !ok {
		return nil, nil, ok, err
	}
	c.disk.Touch(key)
	c.keep(key, memoEntry{blobs, digests})
	return blobs, digests, true, nil
}

func (c *memoCache) Get(key string) (map[string][]byte, bool, error) {
	b, _, ok, err := c.GetVerified(key)
	return b, ok, err
}

func (c *memoCache) Put(key string, blobs map[string][]byte) error {
	c.mu.Lock()
	frozen := c.frozen
	c.mu.Unlock()
	if frozen {
		return nil
	}
	digests := make(map[string]string, len(blobs))
	for n, b := range blobs {
		digests[n] = cas.Digest(b)
	}
	c.keep(key, memoEntry{blobs, digests})
	return c.disk.Put(key, blobs)
}

// PruneCache bounds the project's stage cache at max bytes, least recently used
// entries first (see cas.Store.Prune); max ≤ 0 does nothing. Call it after Build
// (and Close): a cache in use by another build is left alone (cas.ErrBusy).
func (p *Project) PruneCache(max int64) (cas.PruneResult, error) {
	if max <= 0 {
		return cas.PruneResult{}, nil
	}
	return p.cache.Prune(cas.PruneOptions{MaxSize: max})
}

// Recall serves a stage the runner recomputes rather than stores (stages.MemoryCache)
// from memory: what the first device computed for every device.
func (c *memoCache) Recall(key string) (stages.Artifact, bool) {
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	b, found := e.blobs[stages.BlobName]
	if !ok || !found {
		return stages.Artifact{}, false
	}
	return stages.Artifact{Data: b, Digest: e.digests[stages.BlobName]}, true
}

// Remember keeps a recomputed stage's artifact in memory while the first device is
// built (the shared stages); later entries are per-device and never asked for again.
func (c *memoCache) Remember(key string, art stages.Artifact) {
	c.mu.Lock()
	frozen := c.frozen
	c.mu.Unlock()
	if frozen {
		return
	}
	c.keep(key, memoEntry{map[string][]byte{stages.BlobName: art.Data}, map[string]string{stages.BlobName: art.Digest}})
}
