package graph

import (
	"context"
	"math/rand/v2"
	"testing"
)

func bigGraph(b *testing.B) *Graph[int] {
	rng := rand.New(rand.NewPCG(42, 42))
	ids, edges := randomDAG(rng, 10_000, 3)
	return build(b, ids, edges)
}

func BenchmarkTopoSort10k(b *testing.B) {
	g := bigGraph(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.TopoSort(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWalk10k(b *testing.B) {
	g := bigGraph(b)
	ctx := context.Background()
	noop := func(context.Context, string, int) error { return nil }
	b.ReportAllocs()
	for b.Loop() {
		if err := Walk(ctx, g, 8, noop); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuild10k(b *testing.B) {
	rng := rand.New(rand.NewPCG(42, 42))
	ids, edges := randomDAG(rng, 10_000, 3)
	b.ReportAllocs()
	for b.Loop() {
		build(b, ids, edges)
	}
}
