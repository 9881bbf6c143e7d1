package graph

import "strings"

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
	ready.init()
	order := make([]string, 0, len(g.nodes))
	for ready.Len() > 0 {
		id := ready.pop()
		order = append(order, id)
		for d := range g.dependents[id] {
			pending[d]--
			if pending[d] == 0 {
				ready.push(d)
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

// minHeap is a binary min-heap of IDs. It is hand-rolled rather than
// container/heap so pushes and pops do not box every string in an interface.
type minHeap []string

func (h minHeap) Len() int { return len(h) }

func (h *minHeap) init() {
	for i := len(*h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h *minHeap) push(s string) {
	*h = append(*h, s)
	a := *h
	for i := len(a) - 1; i > 0; {
		p := (i - 1) / 2
		if a[p] <= a[i] {
			break
		}
		a[p], a[i] = a[i], a[p]
		i = p
	}
}

func (h *minHeap) pop() string {
	a := *h
	top := a[0]
	last := len(a) - 1
	a[0] = a[last]
	*h = a[:last]
	h.down(0)
	return top
}

func (h minHeap) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && h[r] < h[l] {
			m = r
		}
		if h[i] <= h[m] {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}
