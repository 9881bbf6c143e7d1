// Package graph is a small generic dependency graph (DAG) with a
// deterministic topological sort and a bounded parallel executor.
//
// Direction: DependOn(id, dep) records that id depends on dep, so dep runs
// first. Deps(id) are the direct prerequisites of id; Dependents(id) are the
// nodes that directly need id. Ancestors are transitive dependencies (what
// must run before), Descendants transitive dependents (what is invalidated
// after). Arrows printed by CycleError and Dot point from a node to what it
// depends on.
//
// Every listing is sorted and TopoSort breaks ties lexicographically, so
// results never depend on insertion order or map iteration order. A Graph is
// not safe for concurrent mutation; Walk only reads it.
package graph
