package stages

import (
	"context"
	"sync"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/merged"
	"github.com/espcompose/espcompose/graph"
	"github.com/espcompose/espcompose/internal/cas"
	"github.com/espcompose/espcompose/internal/logx"
)

// A cache hit carries the digest the cache checked as it read the blob; it is the
// artifact's digest, exactly as a run computes it.
func TestCachedArtifactsCarryTheirDigest(t *testing.T) {
	fs := afero.NewMemMapFs()
	_ = afero.WriteFile(fs, "/in/a", []byte("A"), 0o644)
	_ = afero.WriteFile(fs, "/in/b", []byte("B"), 0o644)
	g := testGraph(t, map[string]*int32{})
	r := &Runner{Env: &Env{FS: fs, Log: logx.Discard()}, Cache: cas.New(fs, "/cache", nil)}
	first, err := r.Run(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	again, err := r.Run(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"left", "right", "top"} {
		a := again.Artifacts[id]
		if again.Status[id] != StatusCached || a.Digest != first.Artifacts[id].Digest || a.Digest != NewArtifact(a.Data).Digest {
			t.Errorf("%s: %s, digest %q, want %q", id, again.Status[id], a.Digest, NewArtifact(a.Data).Digest)
		}
	}
}

// digestCache records what the runner stores and with which digest.
type digestCache struct {
	Cache
	mu  sync.Mutex        // the runner stores in the background, from several goroutines
	got map[string]string // blob digest handed over, by the sha256 of the blob
}

func (c *digestCache) PutDigested(key string, blobs map[string][]byte, digests map[string]string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for name, b := range blobs {
		c.got[NewArtifact(b).Digest] = digests[name]
	}
	return c.Cache.Put(key, blobs)
}

// A stage's output is hashed once, when it is made: the cache is handed that digest
// instead of hashing the blob again, and it is the blob's true digest.
func TestRunnerHandsTheCacheTheArtifactDigest(t *testing.T) {
	fs := afero.NewMemMapFs()
	_ = afero.WriteFile(fs, "/in/a", []byte("A"), 0o644)
	_ = afero.WriteFile(fs, "/in/b", []byte("B"), 0o644)
	c := &digestCache{Cache: cas.New(fs, "/cache", nil), got: map[string]string{}}
	r := &Runner{Env: &Env{FS: fs, Log: logx.Discard()}, Cache: c}
	res, err := r.Run(context.Background(), testGraph(t, map[string]*int32{}))
	if err != nil {
		t.Fatal(err)
	}
	stored := 0
	for id, st := range res.Status {
		if st != StatusRan {
			continue
		}
		d := res.Artifacts[id].Digest
		if got, ok := c.got[d]; !ok || got != d {
			t.Errorf("%s: cache was handed digest %q for a blob whose digest is %s", id, got, d)
		}
		stored++
	}
	if stored == 0 {
		t.Fatal("no stage ran")
	}
}

// A raw merge is keyed like any stage (its key is in build.json) but runs every
// build and is never stored: copying cached inputs costs less than storing the image.
func TestRawMergeIsRecomputedNotStored(t *testing.T) {
	fs := afero.NewMemMapFs()
	_ = afero.WriteFile(fs, "/in/a", []byte("AAAA"), 0o644)
	c := &digestCache{Cache: cas.New(fs, "/cache", nil), got: map[string]string{}}
	r := &Runner{Env: &Env{FS: fs, Log: logx.Discard()}, Cache: c}
	src := &Source{Name: "a", Path: "/in/a", Rel: "a"}
	for _, format := range []merged.Format{merged.FormatRaw, merged.FormatHex} {
		m := &Merge{Name: "x-" + string(format), Chip: "esp32c3", Format: format,
			Regions: []MergeRegion{{Name: "a", Offset: 0x1000, Dep: src.ID()}}}
		g := graph.New[Stage]()
		for _, s := range []Stage{src, m} {
			if err := g.Add(s.ID(), s); err != nil {
				t.Fatal(err)
			}
			for _, d := range s.Deps() {
				if err := g.DependOn(s.ID(), d); err != nil {
					t.Fatal(err)
				}
			}
		}
		for run := range 2 {
			res, err := r.Run(context.Background(), g)
			if err != nil {
				t.Fatal(err)
			}
			want := StatusRecomputed
			if format == merged.FormatHex {
				want = StatusRan
				if run == 1 {
					want = StatusCached
				}
			}
			if st, key := res.Status[m.ID()], res.CacheKeys[m.ID()]; st != want || key == "" {
				t.Errorf("%s run %d: %s (key %q), want %s with a key", format, run, st, key, want)
			}
			_, stored := c.got[res.Artifacts[m.ID()].Digest]
			if stored != (format == merged.FormatHex) {
				t.Errorf("%s run %d: stored in the cache: %v", format, run, stored)
			}
		}
	}
}
