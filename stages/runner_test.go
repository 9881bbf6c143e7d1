package stages

import (
	"bytes"
	"context"
	"errors"
	"sort"
	"sync/atomic"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/graph"
	"github.com/espcompose/espcompose/internal/cas"
	"github.com/espcompose/espcompose/internal/logx"
)

// concat is a test stage that joins its inputs and counts its runs.
type concat struct {
	id   string
	deps []string
	runs *int32
}

func (c *concat) ID() string     { return c.id }
func (c *concat) Kind() string   { return "concat" }
func (c *concat) Version() int   { return 1 }
func (c *concat) Params() any    { return map[string]string{"id": c.id} }
func (c *concat) Deps() []string { return c.deps }
func (c *concat) Run(_ context.Context, _ *Env, in []Artifact) (Artifact, error) {
	atomic.AddInt32(c.runs, 1)
	var b bytes.Buffer
	for _, a := range in {
		b.Write(a.Data)
	}
	return NewArtifact(b.Bytes()), nil
}

func testGraph(t *testing.T, runs map[string]*int32) *graph.Graph[Stage] {
	g := graph.New[Stage]()
	add := func(s Stage) {
		if err := g.Add(s.ID(), s); err != nil {
			t.Fatal(err)
		}
		for _, d := range s.Deps() {
			if err := g.DependOn(s.ID(), d); err != nil {
				t.Fatal(err)
			}
		}
	}
	add(&Source{Name: "a", Path: "/in/a", Rel: "a"})
	add(&Source{Name: "b", Path: "/in/b", Rel: "b"})
	for _, n := range []struct {
		id   string
		deps []string
	}{{"left", []string{"source:a"}}, {"right", []string{"source:b"}}, {"top", []string{"left", "right"}}} {
		runs[n.id] = new(int32)
		add(&concat{id: n.id, deps: n.deps, runs: runs[n.id]})
	}
	return g
}

func TestRunnerCachesAndRerunsOnlyDependents(t *testing.T) {
	fs := afero.NewMemMapFs()
	_ = afero.WriteFile(fs, "/in/a", []byte("A"), 0o644)
	_ = afero.WriteFile(fs, "/in/b", []byte("B"), 0o644)
	runs := map[string]*int32{}
	g := testGraph(t, runs)
	r := &Runner{Env: &Env{FS: fs, Log: logx.Discard()}, Cache: cas.New(fs, "/cache", nil), Workers: 2}

	res, err := r.Run(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(res.Artifacts["top"].Data); got != "AB" {
		t.Fatalf("top = %q", got)
	}
	status, err := r.Probe(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"left", "right", "top"} {
		if status[id] != StatusCached {
			t.Errorf("probe after a build: %s is %s, want cached", id, status[id])
		}
	}
	res, _ = r.Run(context.Background(), g)
	for id, n := range runs {
		if *n != 1 || res.Status[id] != StatusCached {
			t.Errorf("second build: %s ran %d times, status %s", id, *n, res.Status[id])
		}
	}
	// Change one input: only the stages that depend on it run again.
	_ = afero.WriteFile(fs, "/in/b", []byte("b2"), 0o644)
	res, _ = r.Run(context.Background(), g)
	var reran []string
	for id, st := range res.Status {
		if st == StatusRan {
			reran = append(reran, id)
		}
	}
	sort.Strings(reran)
	if len(reran) != 2 || reran[0] != "right" || reran[1] != "top" {
		t.Errorf("after changing b, reran %v; want [right top]", reran)
	}
	if *runs["left"] != 1 {
		t.Errorf("left ran again although a did not change")
	}
	if got := string(res.Artifacts["top"].Data); got != "Ab2" {
		t.Errorf("top = %q", got)
	}
}

func TestRunnerCorruptCacheIsRecomputed(t *testing.T) {
	fs := afero.NewMemMapFs()
	_ = afero.WriteFile(fs, "/in/a", []byte("A"), 0o644)
	_ = afero.WriteFile(fs, "/in/b", []byte("B"), 0o644)
	runs := map[string]*int32{}
	g := testGraph(t, runs)
	r := &Runner{Env: &Env{FS: fs, Log: logx.Discard()}, Cache: cas.New(fs, "/cache", nil)}
	if _, err := r.Run(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	// Damage every cached object: reads must notice and rebuild, never return bad data.
	objects, _ := afero.Glob(fs, "/cache/objects/*/*")
	for _, o := range objects {
		_ = afero.WriteFile(fs, o, []byte("garbage"), 0o644)
	}
	res, err := r.Run(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Artifacts["top"].Data) != "AB" || res.Status["top"] != StatusRan {
		t.Errorf("corrupted cache: top = %q (%s)", res.Artifacts["top"].Data, res.Status["top"])
	}
}

func TestRunnerMissingSourceFails(t *testing.T) {
	fs := afero.NewMemMapFs()
	runs := map[string]*int32{}
	g := testGraph(t, runs)
	r := &Runner{Env: &Env{FS: fs, Log: logx.Discard()}}
	_, err := r.Run(context.Background(), g)
	var ne *graph.NodeError
	if !errors.As(err, &ne) || *runs["top"] != 0 {
		t.Errorf("err = %v; top ran %d times", err, *runs["top"])
	}
}

func TestEncodeRecord(t *testing.T) {
	b, err := EncodeRecord(16, 0xFF, []RecordField{
		{Name: "magic", Offset: 0, Type: "u16", Size: 2, Int: 0xFCFC},
		{Name: "ver", Offset: 2, Type: "u8", Size: 1, Int: 3},
		{Name: "neg", Offset: 4, Type: "i32", Size: 4, Int: -2},
		{Name: "cc", Offset: 8, Type: "string", Size: 4, Bytes: []byte("CN")},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0xFC, 0xFC, 3, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 'C', 'N', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF}
	if !bytes.Equal(b, want) {
		t.Errorf("record = % x\nwant     % x", b, want)
	}
	if _, err := EncodeRecord(4, 0, []RecordField{{Name: "x", Offset: 2, Type: "u32", Size: 4}}); err == nil {
		t.Error("field past the end accepted")
	}
}
