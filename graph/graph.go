package graph

import (
	"errors"
	"fmt"
	"sort"
)

var (
	// ErrDuplicate is returned by Add for an ID that is already present.
	ErrDuplicate = errors.New("graph: duplicate node")
	// ErrUnknown is returned when an edge or subgraph names a missing node.
	ErrUnknown = errors.New("graph: unknown node")
)

// Graph is a set of nodes with values of type T, keyed by string IDs, and
// "depends on" edges between them. The zero value is not usable; call New.
type Graph[T any] struct {
	nodes      map[string]T
	deps       map[string]map[string]struct{} // id -> what id depends on
	dependents map[string]map[string]struct{} // id -> what depends on id
}

// New returns an empty graph.
func New[T any]() *Graph[T] {
	return &Graph[T]{
		nodes:      make(map[string]T),
		deps:       make(map[string]map[string]struct{}),
		dependents: make(map[string]map[string]struct{}),
	}
}

// Add inserts node id with value v; a duplicate id is an error wrapping
// ErrDuplicate.
func (g *Graph[T]) Add(id string, v T) error {
	if _, ok := g.nodes[id]; ok {
		return fmt.Errorf("%w %q", ErrDuplicate, id)
	}
	g.nodes[id] = v
	g.deps[id] = make(map[string]struct{})
	g.dependents[id] = make(map[string]struct{})
	return nil
}

// DependOn records that id depends on dep (dep must complete before id).
// Both nodes must exist. Repeating an edge is harmless. A self-dependency is
// accepted here and reported as a cycle by TopoSort and Walk.
func (g *Graph[T]) DependOn(id, dep string) error {
	if _, ok := g.nodes[id]; !ok {
		return fmt.Errorf("%w %q (depending on %q)", ErrUnknown, id, dep)
	}
	if _, ok := g.nodes[dep]; !ok {
		return fmt.Errorf("%w %q (dependency of %q)", ErrUnknown, dep, id)
	}
	g.deps[id][dep] = struct{}{}
	g.dependents[dep][id] = struct{}{}
	return nil
}

// Connect adds an edge in data-flow direction: from must complete before to,
// i.e. Connect(from, to) is DependOn(to, from).
func (g *Graph[T]) Connect(from, to string) error { return g.DependOn(to, from) }

// Node returns the value stored for id.
func (g *Graph[T]) Node(id string) (T, bool) {
	v, ok := g.nodes[id]
	return v, ok
}

// Len returns the number of nodes.
func (g *Graph[T]) Len() int { return len(g.nodes) }

// IDs returns every node ID, sorted.
func (g *Graph[T]) IDs() []string {
	out := make([]string, 0, len(g.nodes))
	for id := range g.nodes {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Deps returns the direct dependencies of id, sorted; nil when there are
// none or id is unknown.
func (g *Graph[T]) Deps(id string) []string { return sortedKeys(g.deps[id]) }

// Dependents returns the nodes directly depending on id, sorted; nil when
// there are none or id is unknown.
func (g *Graph[T]) Dependents(id string) []string { return sortedKeys(g.dependents[id]) }

// Ancestors returns every node id transitively depends on, sorted, not
// including id itself unless id lies on a cycle.
func (g *Graph[T]) Ancestors(id string) []string { return reach(id, g.deps) }

// Descendants returns every node transitively depending on id, sorted, not
// including id itself unless id lies on a cycle.
func (g *Graph[T]) Descendants(id string) []string { return reach(id, g.dependents) }

// Subgraph returns the graph induced by ids: those nodes (sharing values
// with g) and the edges of g between them. Edges to nodes outside ids are
// dropped, so pass Ancestors as well when the subgraph must be runnable on
// its own. Unknown ids are an error wrapping ErrUnknown.
func (g *Graph[T]) Subgraph(ids []string) (*Graph[T], error) {
	sub := New[T]()
	for _, id := range ids {
		v, ok := g.nodes[id]
		if !ok {
			return nil, fmt.Errorf("%w %q", ErrUnknown, id)
		}
		if _, dup := sub.nodes[id]; !dup {
			_ = sub.Add(id, v)
		}
	}
	for id := range sub.nodes {
		for dep := range g.deps[id] {
			if _, ok := sub.nodes[dep]; ok {
				_ = sub.DependOn(id, dep)
			}
		}
	}
	return sub, nil
}

func reach(start string, edges map[string]map[string]struct{}) []string {
	seen := make(map[string]struct{})
	stack := []string{start}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for next := range edges[n] {
			if _, ok := seen[next]; !ok {
				seen[next] = struct{}{}
				stack = append(stack, next)
			}
		}
	}
	return sortedKeys(seen)
}

func sortedKeys(m map[string]struct{}) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
