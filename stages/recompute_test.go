package stages

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/espcompose/espcompose/graph"
)

func TestRecomputePolicy(t *testing.T) {
	sized := func(n int) []Artifact { return []Artifact{{Data: make([]byte, n)}, {}} }
	xts := &Encrypt{Chip: "esp32c3", Algorithm: "xts-aes-128"}
	esp32 := &Encrypt{Chip: "esp32", Algorithm: "aes-256"}
	for _, c := range []struct {
		name string
		s    Stage
		in   []Artifact
		want bool
	}{
		{"xts at the bound", xts, sized(xtsRecomputeMax), true},
		{"xts past the bound", xts, sized(xtsRecomputeMax + 1), false},
		{"esp32 aes at the bound", esp32, sized(esp32RecomputeMax), true},
		{"esp32 aes past the bound", esp32, sized(esp32RecomputeMax + 1), false},
		{"unknown scheme: stored, Run reports it", &Encrypt{Chip: "esp32", Algorithm: "nope"}, sized(16), false},
		{"partition table", &PartitionTable{}, nil, true},
		{"otadata", &OTAData{}, nil, true},
		{"patched header", &PatchHeader{}, nil, true},
		{"small nvs", &NVS{Size: nvsRecomputeMax}, nil, true},
		{"large nvs", &NVS{Size: nvsRecomputeMax + 4096}, nil, false},
		{"a stage without a policy", &concat{}, nil, false},
	} {
		if got := Recomputes(c.s, c.in); got != c.want {
			t.Errorf("%s: recomputed %v, want %v", c.name, got, c.want)
		}
	}
}

// cheap is a recomputed test stage that counts its runs.
type cheap struct {
	concat
}

func (c *cheap) Recomputed() bool { return true }

// memo is a Cache that stores nothing on disk but remembers recomputed artifacts.
type memo struct {
	mu         sync.Mutex
	m          map[string]Artifact
	puts, gets int
}

func (c *memo) Get(string) (map[string][]byte, bool, error) { c.gets++; return nil, false, nil }
func (c *memo) Put(string, map[string][]byte) error         { c.puts++; return nil }
func (c *memo) Recall(key string) (Artifact, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.m[key]
	return a, ok
}
func (c *memo) Remember(key string, a Artifact) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = a
}

// A recomputed stage never touches the cache's storage, but a cache that keeps
// artifacts in memory (a device batch) serves it to the next run: the shared
// stages of a batch run once.
func TestRecomputedStagesUseMemoryOnly(t *testing.T) {
	var runs int32
	g := graph.New[Stage]()
	s := &cheap{concat{id: "cheap", runs: &runs}}
	if err := g.Add(s.ID(), Stage(s)); err != nil {
		t.Fatal(err)
	}
	c := &memo{m: map[string]Artifact{}}
	r := &Runner{Env: &Env{}, Cache: c}
	for i := range 3 {
		res, err := r.Run(context.Background(), g)
		if err != nil {
			t.Fatal(err)
		}
		want := StatusRecomputed
		if i > 0 {
			want = StatusCached
		}
		if res.Status["cheap"] != want || res.CacheKeys["cheap"] == "" {
			t.Errorf("run %d: %s (key %q), want %s with a key", i, res.Status["cheap"], res.CacheKeys["cheap"], want)
		}
	}
	if n := atomic.LoadInt32(&runs); n != 1 {
		t.Errorf("ran %d times, want once", n)
	}
	if c.puts != 0 || c.gets != 0 {
		t.Errorf("the cache's storage was used: %d puts, %d gets", c.puts, c.gets)
	}
	// Without a memory, it runs every time and still stores nothing.
	plain := &Runner{Env: &Env{}, Cache: &onlyDisk{}}
	for range 2 {
		if _, err := plain.Run(context.Background(), g); err != nil {
			t.Fatal(err)
		}
	}
	if n := atomic.LoadInt32(&runs); n != 3 {
		t.Errorf("ran %d times in all, want 3", n)
	}
}

type onlyDisk struct{ memo }

func (*onlyDisk) Recall() {} // not a MemoryCache: a different method set

// A raw merge is hashed while it is laid out: its digest is that of its bytes.
func TestRawMergeDigest(t *testing.T) {
	m := &Merge{Name: "f.bin", Chip: "esp32c3", FillFlash: "4MB", Regions: []MergeRegion{{Name: "a", Offset: 0x10000}, {Name: "b", Offset: 0x9000}}}
	in := []Artifact{NewArtifact(make([]byte, 300<<10)), NewArtifact([]byte("nvs"))}
	art, err := m.Run(context.Background(), &Env{}, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(art.Data) != 4<<20 || art.Digest != NewArtifact(art.Data).Digest {
		t.Fatalf("%d bytes, digest %s, want 4 MiB and %s", len(art.Data), art.Digest, NewArtifact(art.Data).Digest)
	}
}
