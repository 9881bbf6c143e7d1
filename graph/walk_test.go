package graph

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hangGuard bounds how long a test waits for a rendezvous that only a broken
// Walk would miss. It turns a deadlock into a readable failure; it is never
// used to measure or infer concurrency.
const hangGuard = 30 * time.Second

func waitOrFail(t *testing.T, ch <-chan struct{}, what string) bool {
	t.Helper()
	select {
	case <-ch:
		return true
	case <-time.After(hangGuard):
		t.Errorf("never observed: %s", what)
		return false
	}
}

func TestWalkRespectsDependencies(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	ids, edges := randomDAG(rng, 200, 4)
	g := build(t, ids, edges)
	var mu sync.Mutex
	finished := make(map[string]bool)
	calls := make(map[string]int)
	err := Walk(context.Background(), g, 4, func(_ context.Context, id string, v int) error {
		mu.Lock()
		defer mu.Unlock()
		calls[id]++
		for _, d := range g.Deps(id) {
			if !finished[d] {
				t.Errorf("%s started before dependency %s finished", id, d)
			}
		}
		if want, _ := g.Node(id); v != want {
			t.Errorf("%s got value %d, want %d", id, v, want)
		}
		finished[id] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if calls[id] != 1 {
			t.Fatalf("%s ran %d times", id, calls[id])
		}
	}
}

func TestWalkSingleWorkerFollowsTopoSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	ids, edges := randomDAG(rng, 100, 3)
	g := build(t, ids, edges)
	want, err := g.TopoSort()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	err = Walk(context.Background(), g, 1, func(_ context.Context, id string, _ int) error {
		got = append(got, id) // workers=1: callbacks never overlap
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("order %v\nwant %v", got, want)
	}
}

// Each independent node waits until the other has started: this can only
// complete if Walk runs them at the same time.
func TestWalkOverlapsIndependentNodes(t *testing.T) {
	g := build(t, []string{"a", "b", "after"}, []edge{{"after", "a"}, {"after", "b"}})
	started := map[string]chan struct{}{"a": make(chan struct{}), "b": make(chan struct{})}
	other := map[string]string{"a": "b", "b": "a"}
	err := Walk(context.Background(), g, 2, func(_ context.Context, id string, _ int) error {
		if id == "after" {
			return nil
		}
		close(started[id])
		if !waitOrFail(t, started[other[id]], other[id]+" running alongside "+id) {
			return errors.New("no overlap")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// With workers=3 the first three callbacks block until three are in flight
// (proving the limit is reached), and no callback ever sees a fourth.
func TestWalkWorkerLimit(t *testing.T) {
	ids := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	g := build(t, ids, nil)
	const workers = 3
	var inflight, peak atomic.Int32
	full := make(chan struct{})
	var once sync.Once
	err := Walk(context.Background(), g, workers, func(_ context.Context, id string, _ int) error {
		n := inflight.Add(1)
		defer inflight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		if n == workers {
			once.Do(func() { close(full) })
		}
		if !waitOrFail(t, full, "three callbacks in flight") {
			return errors.New("limit never reached")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if p := peak.Load(); p != workers {
		t.Fatalf("peak concurrency %d, want %d", p, workers)
	}
}

func TestWalkErrorCancelsAndStops(t *testing.T) {
	// z fails once b is running; b blocks until the walk context is
	// cancelled. c and d depend on the two and must never start, and
	// neither may zz, which is ready but queued behind the worker limit.
	g := build(t, []string{"b", "z", "c", "d", "zz"}, []edge{{"c", "z"}, {"d", "b"}})
	boom := errors.New("boom")
	bStarted := make(chan struct{})
	var mu sync.Mutex
	var ran []string
	var inflight atomic.Int32
	err := Walk(context.Background(), g, 2, func(ctx context.Context, id string, _ int) error {
		inflight.Add(1)
		defer inflight.Add(-1)
		mu.Lock()
		ran = append(ran, id)
		mu.Unlock()
		switch id {
		case "b":
			close(bStarted)
			if !waitOrFail(t, ctx.Done(), "walk context cancelled") {
				return nil
			}
			return ctx.Err()
		case "z":
			waitOrFail(t, bStarted, "b started")
			return boom
		}
		return nil
	})
	if n := inflight.Load(); n != 0 {
		t.Fatalf("Walk returned with %d callbacks still running", n)
	}
	slices.Sort(ran)
	if !slices.Equal(ran, []string{"b", "z"}) {
		t.Fatalf("ran %v, want [b z]", ran)
	}
	if !errors.Is(err, boom) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want boom and context.Canceled", err)
	}
	// Joined in topological order (b before z), not completion order.
	if got, want := err.Error(), "b: context canceled\nz: boom"; got != want {
		t.Fatalf("message %q, want %q", got, want)
	}
	var ne *NodeError
	if !errors.As(err, &ne) || ne.ID != "b" {
		t.Fatalf("errors.As NodeError = %+v", ne)
	}
}

func TestWalkPanicBecomesError(t *testing.T) {
	g := build(t, []string{"p", "child"}, []edge{{"child", "p"}})
	var childRan atomic.Bool
	err := Walk(context.Background(), g, 2, func(_ context.Context, id string, _ int) error {
		if id == "p" {
			panic("kaboom")
		}
		childRan.Store(true)
		return nil
	})
	var pe *PanicError
	if !errors.As(err, &pe) || pe.Value != "kaboom" || len(pe.Stack) == 0 {
		t.Fatalf("err = %#v, want PanicError(kaboom) with stack", err)
	}
	if got, want := err.Error(), "p: panic: kaboom"; got != want {
		t.Fatalf("message %q, want %q", got, want)
	}
	if childRan.Load() {
		t.Fatal("dependent of a panicking node ran")
	}
}

func TestWalkGoexitBecomesError(t *testing.T) {
	g := build(t, []string{"x"}, nil)
	err := Walk(context.Background(), g, 1, func(context.Context, string, int) error {
		runtime.Goexit()
		return nil
	})
	if !errors.Is(err, errGoexit) {
		t.Fatalf("err = %v, want errGoexit", err)
	}
}

func TestWalkParentCancellation(t *testing.T) {
	g := build(t, []string{"a", "b"}, []edge{{"b", "a"}})

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	err := Walk(ctx, g, 2, func(context.Context, string, int) error { called = true; return nil })
	if !errors.Is(err, context.Canceled) || called {
		t.Fatalf("pre-cancelled: err=%v called=%v", err, called)
	}

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	var ran []string
	err = Walk(ctx, g, 1, func(_ context.Context, id string, _ int) error {
		ran = append(ran, id)
		cancel() // a succeeds, but the caller gives up meanwhile
		return nil
	})
	if !errors.Is(err, context.Canceled) || !slices.Equal(ran, []string{"a"}) {
		t.Fatalf("mid-walk cancel: err=%v ran=%v", err, ran)
	}
}

func TestWalkCycleAndEmpty(t *testing.T) {
	g := build(t, []string{"a", "b"}, []edge{{"a", "b"}, {"b", "a"}})
	var ce *CycleError
	err := Walk(context.Background(), g, 2, func(context.Context, string, int) error {
		t.Error("callback ran on a cyclic graph")
		return nil
	})
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want CycleError", err)
	}
	if err := Walk(context.Background(), New[int](), 0, nil); err != nil {
		t.Fatalf("empty graph: %v", err)
	}
}

func TestWalkDefaultWorkers(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	ids, edges := randomDAG(rng, 50, 2)
	var n atomic.Int32
	err := Walk(context.Background(), build(t, ids, edges), 0, func(context.Context, string, int) error {
		n.Add(1)
		return nil
	})
	if err != nil || n.Load() != 50 {
		t.Fatalf("err=%v ran=%d", err, n.Load())
	}
}

// After Walk returns, its callback goroutines have at most their final
// channel send left to finish; they must all exit without further help.
func TestWalkLeavesNoGoroutines(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 11))
	ids, edges := randomDAG(rng, 200, 3)
	g := build(t, ids, edges)
	before := runtime.NumGoroutine()
	fail := errors.New("fail")
	for i := 0; i < 20; i++ {
		_ = Walk(context.Background(), g, 8, func(_ context.Context, id string, _ int) error {
			if id == ids[100] {
				return fail
			}
			return nil
		})
	}
	for i := 0; runtime.NumGoroutine() > before; i++ {
		if i == 100_000 {
			t.Fatalf("goroutines: %d before, %d after", before, runtime.NumGoroutine())
		}
		runtime.Gosched()
	}
}
