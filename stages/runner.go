package stages

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/espcompose/espcompose/graph"
	"github.com/espcompose/espcompose/internal/cas"
)

// Cache is the content-addressed store a Runner reuses results from.
type Cache interface {
	Get(key string) (map[string][]byte, bool, error)
	Put(key string, blobs map[string][]byte) error
}

// Status says how a stage's artifact was obtained.
type Status string

const (
	StatusRead   Status = "read"   // a source file, read and hashed
	StatusRan    Status = "ran"    // computed in this build
	StatusCached Status = "cached" // reused from the cache
	// StatusRecomputed: computed in this build and never stored, because making it
	// costs less than reading it back from the cache (Recomputer).
	StatusRecomputed Status = "recomputed"
	// StatusSecret: computed in this build and never cached, because the artifact
	// holds key material in the clear (a device private key in its partition, and
	// everything made from that partition short of encryption).
	StatusSecret  Status = "secret"
	StatusWillRun Status = "will run" // plan only: not in the cache
)

// BlobName is the name a stage's artifact is stored under in its cache entry.
const BlobName = "out"

// Result holds every artifact of a build by stage id.
type Result struct {
	Artifacts map[string]Artifact
	Status    map[string]Status
	CacheKeys map[string]string
	// Durations is how long each stage took in this run (a cache hit: the read). It
	// varies between runs, so nothing deterministic is made from it; only a report
	// asked for with timings shows it.
	Durations map[string]time.Duration
}

// Runner executes a stage graph, independent stages concurrently.
type Runner struct {
	Env     *Env
	Cache   Cache // nil: no caching
	Workers int   // 0: GOMAXPROCS
	// OnDone, when set, is called as each stage finishes (from several goroutines).
	OnDone func(id string, st Status)
	// StoreLater lets Run return before the results it computed are in the cache:
	// they are stored in the background, overlapping whatever the caller does next
	// (verifying, publishing), and the caller must call Wait before it closes the
	// cache or lets the process end. Without it, Run waits for them itself.
	StoreLater bool

	stores sync.WaitGroup
}

// Wait returns once every result of earlier Runs is stored (see StoreLater).
func (r *Runner) Wait() { r.stores.Wait() }

// CacheKey is sha256(kind, version, params, input digests) as the cas package encodes it.
func CacheKey(s Stage, inputs []Artifact) string {
	digests := make([]string, len(inputs))
	for i, a := range inputs {
		digests[i] = a.Digest
	}
	return cas.Key(s.Kind(), s.Version(), s.Params(), digests...)
}

// Run executes g and returns every artifact.
func (r *Runner) Run(ctx context.Context, g *graph.Graph[Stage]) (*Result, error) {
	res := &Result{Artifacts: map[string]Artifact{}, Status: map[string]Status{}, CacheKeys: map[string]string{}, Durations: map[string]time.Duration{}}
	var mu sync.Mutex
	workers := r.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	secret := map[string]bool{}
	err := graph.Walk(ctx, g, workers, func(ctx context.Context, id string, s Stage) error {
		mu.Lock()
		in := make([]Artifact, len(s.Deps()))
		for i, dep := range s.Deps() {
			in[i] = res.Artifacts[dep]
		}
		tainted := holdsSecret(s, secret)
		secret[id] = tainted
		mu.Unlock()
		var art Artifact
		var st Status
		var key string
		var err error
		start := time.Now()
		if tainted {
			art, err = s.Run(ctx, r.Env, in)
			st = StatusSecret
		} else {
			art, st, key, err = r.runOne(ctx, s, in)
		}
		if err != nil {
			return err
		}
		took := time.Since(start)
		mu.Lock()
		res.Artifacts[id], res.Status[id], res.Durations[id] = art, st, took
		if key != "" {
			res.CacheKeys[id] = key
		}
		mu.Unlock()
		if r.OnDone != nil {
			r.OnDone(id, st)
		}
		return nil
	})
	if !r.StoreLater {
		r.Wait()
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// verifiedCache is a Cache that returns the digest of each blob it checked on read.
type verifiedCache interface {
	GetVerified(key string) (map[string][]byte, map[string]string, bool, error)
}

// cached is the artifact stored under key. A cache that verified the blob's digest
// as it read it (cas.Store) hands that digest on, so a hit is hashed once, not twice.
func (r *Runner) cached(key string) (Artifact, bool) {
	if vc, ok := r.Cache.(verifiedCache); ok {
		blobs, sums, ok, err := vc.GetVerified(key)
		if data, found := blobs[BlobName]; err == nil && ok && found && sums[BlobName] != "" {
			return Artifact{Data: data, Digest: sums[BlobName]}, true
		}
		return Artifact{}, false
	}
	blobs, ok, err := r.Cache.Get(key)
	if data, found := blobs[BlobName]; err == nil && ok && found {
		return NewArtifact(data), true
	}
	return Artifact{}, false
}

// digestedCache is a Cache that takes the digest of what it stores from the caller.
type digestedCache interface {
	PutDigested(key string, blobs map[string][]byte, digests map[string]string) error
}

// put stores art under key. A cache that names objects by digest (cas.Store) gets the
// artifact's own, computed once when the stage made it, instead of hashing it again.
func (r *Runner) put(key string, art Artifact) error {
	blobs := map[string][]byte{BlobName: art.Data}
	if dc, ok := r.Cache.(digestedCache); ok {
		return dc.PutDigested(key, blobs, map[string]string{BlobName: art.Digest})
	}
	return r.Cache.Put(key, blobs)
}

func (r *Runner) runOne(ctx context.Context, s Stage, in []Artifact) (Artifact, Status, string, error) {
	if !cacheable(s) || r.Cache == nil {
		art, err := s.Run(ctx, r.Env, in)
		st := StatusRan
		switch s.Kind() {
		case "source", "key", "signer":
			st = StatusRead // inputs: read and fingerprinted every build, never cached
		}
		return art, st, "", err
	}
	key := CacheKey(s, in)
	if recomputed(s, in) {
		mc, memo := r.Cache.(MemoryCache)
		if memo {
			if art, ok := mc.Recall(key); ok {
				return art, StatusCached, key, nil
			}
		}
		art, err := s.Run(ctx, r.Env, in)
		if err == nil && memo {
			mc.Remember(key, art)
		}
		return art, StatusRecomputed, key, err
	}
	if art, ok := r.cached(key); ok {
		return art, StatusCached, key, nil
	}
	art, err := s.Run(ctx, r.Env, in)
	if err != nil {
		return Artifact{}, "", "", err
	}
	// Stored in the background: the artifact is never written to again, and the
	// stages after this one need it now, not its copy in the cache.
	r.stores.Add(1)
	go func() {
		defer r.stores.Done()
		if err := r.put(key, art); err != nil {
			// A cache that cannot be written slows the next build but must not fail this one.
			r.Env.Log.Warnf("cache: cannot store %s: %v", s.ID(), err)
		}
	}()
	return art, StatusRan, key, nil
}

// Probe predicts, without running any stage but the sources, which stages a build
// would take from the cache.
func (r *Runner) Probe(ctx context.Context, g *graph.Graph[Stage]) (map[string]Status, error) {
	order, err := g.TopoSort()
	if err != nil {
		return nil, err
	}
	known := map[string]Artifact{}
	status := map[string]Status{}
	for _, id := range order {
		s, _ := g.Node(id)
		switch s.Kind() {
		case "source":
			art, err := s.Run(ctx, r.Env, nil)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", id, err)
			}
			known[id], status[id] = art, StatusRead
			continue
		case "key", "signer":
			// Cheap and read-only under a dry-run key store; a key still to be created
			// simply leaves its dependents unknown.
			if art, err := s.Run(ctx, r.Env, nil); err == nil {
				known[id], status[id] = art, StatusRead
				continue
			}
		}
		status[id] = StatusWillRun
		if !cacheable(s) || r.Cache == nil {
			continue
		}
		in := make([]Artifact, 0, len(s.Deps()))
		complete := true
		for _, dep := range s.Deps() {
			a, ok := known[dep]
			if !ok {
				complete = false
				break
			}
			in = append(in, a)
		}
		if !complete {
			continue
		}
		if recomputed(s, in) {
			// Cheap by definition, and pure: run it, so that what depends on it can
			// be looked up too. A failure (a key the dry run cannot read) leaves it
			// and its dependents unknown; the build reports it.
			status[id] = StatusRecomputed
			if art, err := s.Run(ctx, r.Env, in); err == nil {
				known[id] = art
			}
			continue
		}
		if art, ok := r.cached(CacheKey(s, in)); ok {
			known[id], status[id] = art, StatusCached
		}
	}
	return status, nil
}
