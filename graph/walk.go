package graph

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sort"
)

// NodeError attributes a Walk failure to the node whose callback failed.
type NodeError struct {
	ID  string
	Err error
}

func (e *NodeError) Error() string { return e.ID + ": " + e.Err.Error() }
func (e *NodeError) Unwrap() error { return e.Err }

// PanicError is a panic recovered from a Walk callback. The message holds
// only the panic value so error text stays deterministic; Stack has the
// goroutine stack for debugging.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// errGoexit reports a callback that ended its goroutine with
// runtime.Goexit (for example t.FailNow inside a test callback).
var errGoexit = errors.New("callback called runtime.Goexit")

// Walk runs fn for every node of g, each only after all of its dependencies
// succeeded, with at most workers callbacks in flight (workers <= 0 means
// GOMAXPROCS). When several nodes are ready, the smallest ID starts first.
//
// On the first failure (an error, a panic, or cancellation of ctx) Walk
// cancels the context passed to callbacks, starts nothing new, waits for
// the callbacks already running, and returns. It never returns while a
// callback is still running, so it leaks no goroutines.
//
// The result is nil when every node succeeded. Otherwise it holds every
// callback failure, each a *NodeError (panics as *PanicError inside), in
// TopoSort order, joined with errors.Join when there are several. If ctx was
// cancelled before any callback failed, the result is ctx.Err(). A cycle is
// reported as *CycleError before anything runs. g must not be modified while
// Walk runs.
func Walk[T any](ctx context.Context, g *Graph[T], workers int, fn func(ctx context.Context, id string, v T) error) error {
	order, err := g.TopoSort()
	if err != nil {
		return err
	}
	if len(order) == 0 {
		return ctx.Err()
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(order))

	rank := make(map[string]int, len(order))
	pending := make(map[string]int, len(order))
	ready := &minHeap{}
	for i, id := range order {
		rank[id] = i
		pending[id] = len(g.deps[id])
		if pending[id] == 0 {
			*ready = append(*ready, id)
		}
	}
	ready.init()

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()

	type result struct {
		id  string
		err error
	}
	// Capacity covers every callback that can be in flight, so a finishing
	// goroutine never blocks on the send even after Walk stops listening.
	results := make(chan result, workers)
	run := func(id string, v T) {
		var err error
		returned := false
		defer func() {
			if r := recover(); r != nil {
				err = &PanicError{Value: r, Stack: debug.Stack()}
			} else if !returned {
				err = errGoexit
			}
			results <- result{id: id, err: err}
		}()
		err = fn(runCtx, id, v)
		returned = true
	}

	var failed []*NodeError
	running, done := 0, 0
	stopped := false
	cancelled := runCtx.Done()
	for {
		for !stopped && running < workers && ready.Len() > 0 {
			if runCtx.Err() != nil {
				stopped = true
				break
			}
			id := ready.pop()
			running++
			go run(id, g.nodes[id])
		}
		if running == 0 {
			break
		}
		select {
		case r := <-results:
			running--
			if r.err != nil {
				failed = append(failed, &NodeError{ID: r.id, Err: r.err})
				stopped = true
				cancel()
				continue
			}
			done++
			if stopped {
				continue
			}
			for d := range g.dependents[r.id] {
				pending[d]--
				if pending[d] == 0 {
					ready.push(d)
				}
			}
		case <-cancelled:
			// The caller cancelled: stop starting nodes, keep collecting.
			stopped = true
			cancelled = nil
		}
	}

	switch {
	case len(failed) == 1:
		return failed[0]
	case len(failed) > 1:
		sort.Slice(failed, func(i, j int) bool { return rank[failed[i].ID] < rank[failed[j].ID] })
		errs := make([]error, len(failed))
		for i, e := range failed {
			errs[i] = e
		}
		return errors.Join(errs...)
	case done < len(order):
		return ctx.Err()
	}
	return nil
}
