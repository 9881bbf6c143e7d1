package graph

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

type edge struct{ id, dep string }

// build makes a graph from node IDs and edges, inserting both in the given
// order, so tests can vary insertion order.
func build(t testing.TB, ids []string, edges []edge) *Graph[int] {
	t.Helper()
	g := New[int]()
	for i, id := range ids {
		if err := g.Add(id, i); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range edges {
		if err := g.DependOn(e.id, e.dep); err != nil {
			t.Fatal(err)
		}
	}
	return g
}

func TestAddDuplicateAndUnknown(t *testing.T) {
	g := New[string]()
	if err := g.Add("a", "A"); err != nil {
		t.Fatal(err)
	}
	if err := g.Add("a", "again"); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("duplicate Add: %v", err)
	}
	if v, ok := g.Node("a"); !ok || v != "A" {
		t.Fatalf("Node(a) = %q, %v", v, ok)
	}
	if _, ok := g.Node("zz"); ok {
		t.Fatal("Node(zz) found")
	}
	if err := g.DependOn("a", "missing"); !errors.Is(err, ErrUnknown) {
		t.Fatalf("edge to missing node: %v", err)
	}
	if err := g.DependOn("missing", "a"); !errors.Is(err, ErrUnknown) {
		t.Fatalf("edge from missing node: %v", err)
	}
}

func TestDirectionAndQueries(t *testing.T) {
	// flash depends on merge, merge on app and parttable, app on elf.
	g := build(t, []string{"flash", "merge", "app", "parttable", "elf", "lonely"}, []edge{
		{"flash", "merge"}, {"merge", "parttable"}, {"merge", "app"}, {"app", "elf"},
	})
	if err := g.Connect("elf", "parttable"); err != nil { // parttable depends on elf
		t.Fatal(err)
	}
	check := func(name string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	check("IDs", g.IDs(), []string{"app", "elf", "flash", "lonely", "merge", "parttable"})
	check("Deps(merge)", g.Deps("merge"), []string{"app", "parttable"})
	check("Dependents(elf)", g.Dependents("elf"), []string{"app", "parttable"})
	check("Ancestors(flash)", g.Ancestors("flash"), []string{"app", "elf", "merge", "parttable"})
	check("Descendants(elf)", g.Descendants("elf"), []string{"app", "flash", "merge", "parttable"})
	check("Ancestors(lonely)", g.Ancestors("lonely"), nil)
	check("Deps(unknown)", g.Deps("unknown"), nil)
	order, err := g.TopoSort()
	if err != nil {
		t.Fatal(err)
	}
	check("TopoSort", order, []string{"elf", "app", "lonely", "parttable", "merge", "flash"})
	if g.Len() != 6 {
		t.Errorf("Len = %d", g.Len())
	}
}

func TestSubgraph(t *testing.T) {
	g := build(t, []string{"a", "b", "c", "d"}, []edge{{"a", "b"}, {"b", "c"}, {"a", "d"}})
	sub, err := g.Subgraph([]string{"a", "b", "b"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sub.IDs(), []string{"a", "b"}) || !slices.Equal(sub.Deps("a"), []string{"b"}) || sub.Deps("b") != nil {
		t.Fatalf("subgraph ids %v deps(a) %v deps(b) %v", sub.IDs(), sub.Deps("a"), sub.Deps("b"))
	}
	if v, _ := sub.Node("b"); v != 1 {
		t.Fatalf("value not carried: %d", v)
	}
	if _, err := g.Subgraph([]string{"a", "x"}); !errors.Is(err, ErrUnknown) {
		t.Fatalf("unknown id: %v", err)
	}
}

// randomDAG returns IDs and edges of a DAG where node i may depend on
// lower-numbered nodes, with names chosen so that lexical order differs
// from numeric order.
func randomDAG(rng *rand.Rand, n, maxDeps int) ([]string, []edge) {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("n%d", (i*7919)%n)
	}
	var edges []edge
	for i := 1; i < n; i++ {
		for k := rng.IntN(maxDeps + 1); k > 0; k-- {
			edges = append(edges, edge{ids[i], ids[rng.IntN(i)]})
		}
	}
	return ids, edges
}

func TestTopoSortStableUnderInsertionOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	ids, edges := randomDAG(rng, 300, 4)
	var first []string
	for round := 0; round < 25; round++ {
		sid, sedge := slices.Clone(ids), slices.Clone(edges)
		rng.Shuffle(len(sid), func(i, j int) { sid[i], sid[j] = sid[j], sid[i] })
		rng.Shuffle(len(sedge), func(i, j int) { sedge[i], sedge[j] = sedge[j], sedge[i] })
		g := build(t, sid, sedge)
		order, err := g.TopoSort()
		if err != nil {
			t.Fatal(err)
		}
		pos := make(map[string]int)
		for i, id := range order {
			pos[id] = i
		}
		for _, e := range edges {
			if pos[e.dep] >= pos[e.id] {
				t.Fatalf("%s placed before its dependency %s", e.id, e.dep)
			}
		}
		if round == 0 {
			first = order
		} else if !slices.Equal(order, first) {
			t.Fatalf("round %d: order differs", round)
		}
		if d := g.Dot(nil); d != build(t, ids, edges).Dot(nil) {
			t.Fatalf("round %d: Dot output differs", round)
		}
	}
}

func TestCycles(t *testing.T) {
	cases := []struct {
		name  string
		ids   []string
		edges []edge
		want  string
	}{
		{"self", []string{"x", "a"}, []edge{{"a", "a"}, {"x", "a"}}, "a -> a"},
		{"two", []string{"b", "a", "z"}, []edge{{"a", "b"}, {"b", "a"}, {"z", "a"}}, "a -> b -> a"},
		{"three", []string{"c", "b", "a"}, []edge{{"a", "b"}, {"b", "c"}, {"c", "a"}}, "a -> b -> c -> a"},
		// The walk starts at "a", which is not on the cycle, and must still
		// report only the cycle, rotated to its smallest member.
		{"behind a tail", []string{"a", "m", "y", "x"}, []edge{{"a", "y"}, {"y", "x"}, {"x", "m"}, {"m", "y"}}, "m -> y -> x -> m"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 1))
			for round := 0; round < 10; round++ {
				ids, edges := slices.Clone(tc.ids), slices.Clone(tc.edges)
				rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
				rng.Shuffle(len(edges), func(i, j int) { edges[i], edges[j] = edges[j], edges[i] })
				_, err := build(t, ids, edges).TopoSort()
				var ce *CycleError
				if !errors.As(err, &ce) {
					t.Fatalf("err = %v, want *CycleError", err)
				}
				if got := strings.Join(ce.Path, " -> "); got != tc.want {
					t.Fatalf("cycle %q, want %q", got, tc.want)
				}
				if !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("message %q lacks %q", err.Error(), tc.want)
				}
			}
		})
	}
}

func TestDot(t *testing.T) {
	g := New[string]()
	_ = g.Add("b", "second")
	_ = g.Add("a", `first "quoted"`+"\nline")
	_ = g.DependOn("b", "a")
	got := g.Dot(func(id, v string) string { return id + ": " + v })
	want := "digraph {\n" +
		"\trankdir=LR;\n" +
		"\t\"a\" [label=\"a: first \\\"quoted\\\"\\nline\"];\n" +
		"\t\"b\" [label=\"b: second\"];\n" +
		"\t\"b\" -> \"a\";\n" +
		"}\n"
	if got != want {
		t.Fatalf("Dot:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(g.Dot(nil), `"a" [label="a"]`) {
		t.Fatal("nil label should use the ID")
	}
}

func TestMinHeap(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 3))
	for round := 0; round < 50; round++ {
		n := rng.IntN(40)
		var in []string
		for i := 0; i < n; i++ {
			in = append(in, fmt.Sprint(rng.IntN(30)))
		}
		h := minHeap(slices.Clone(in[:n/2]))
		h.init()
		for _, s := range in[n/2:] {
			h.push(s)
		}
		var out []string
		for h.Len() > 0 {
			out = append(out, h.pop())
		}
		slices.Sort(in)
		if !slices.Equal(out, in) {
			t.Fatalf("heap order %v, want %v", out, in)
		}
	}
}
