package graph

import (
	"container/heap"
	"strings"
)

// CycleError reports one dependency cycle. Path starts and ends with the
// same node, each element depending on the next, and is rotated to begin at
// the lexicographically smallest member, e.g. [a b c a] for a -> b -> c -> a.
type CycleError struct {
	Path []string
}

func (e *CycleError) Error() string {
	return "graph: dependency cycle: " + strings.Join(e.Path, " -> ")
}

// TopoSort returns all IDs so that every node comes after its dependencies.
// Among nodes that are ready at the same time the smallest ID goes first
// (Kahn's algorithm with a min-heap), so the order is a pure function of the
// graph's nodes and edges. On a cycle it returns a *CycleError naming one
// concrete cycle, chosen deterministically.
func (g *Graph[T]) TopoSort() ([]string, error) {
	pending := make(map[string]int, len(g.nodes))
	ready := &minHeap{}
	for id, deps := range g.deps {
		pending[id] = len(deps)
		if len(deps) == 0 {
			*ready = append(*ready, id)
		}
	}
	heap.Init(ready)
	order := make([]string, 0, len(g.nodes))
	for ready.Len() > 0 {
		id := heap.Pop(ready).(string)
		order = append(order, id)
		for d := range g.dependents[id] {
			pending[d]--
			if pending[d] == 0 {
				heap.Push(ready, d)
			}
		}
	}
	if len(order) == len(g.nodes) {
		return order, nil
	}
	return nil, g.findCycle(pending)
}

// findCycle extracts one cycle from the nodes Kahn's algorithm could not
// emit. Each of them still waits on at least one other unemitted node, so
// following the smallest such dependency from the smallest unemitted node
// must revisit a node; the revisited stretch is the cycle.
func (g *Graph[T]) findCycle(pending map[string]int) *CycleError {
	stuck := make(map[string]struct{})
	for id, n := range pending {
		if n > 0 {
			stuck[id] = struct{}{}
		}
	}
	start := sortedKeys(stuck)[0]
	pos := make(map[string]int)
	var path []string
	for n := start; ; {
		if i, ok := pos[n]; ok {
			path = path[i:]
			break
		}
		pos[n] = len(path)
		path = append(path, n)
		next, found := "", false
		for d := range g.deps[n] {
			if _, ok := stuck[d]; ok && (!found || d < next) {
				next, found = d, true
			}
		}
		n = next
	}
	// Rotate so the smallest member leads, then close the loop.
	lo := 0
	for i := range path {
		if path[i] < path[lo] {
			lo = i
		}
	}
	cycle := append(append([]string{}, path[lo:]...), path[:lo]...)
	cycle = append(cycle, cycle[0])
	return &CycleError{Path: cycle}
}

type minHeap []string

func (h minHeap) Len() int           { return len(h) }
func (h minHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h minHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(x any)        { *h = append(*h, x.(string)) }
func (h *minHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
