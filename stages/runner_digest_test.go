package stages

import (
	"context"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/cas"
	"github.com/espcompose/espcompose/internal/logx"
)

// A cache hit carries the digest the cache checked as it read the blob; it is the
// artifact's digest, exactly as a run computes it.
func TestCachedArtifactsCarryTheirDigest(t *testing.T) {
	fs := afero.NewMemMapFs()
	_ = afero.WriteFile(fs, "/in/a", []byte("A"), 0o644)
	_ = afero.WriteFile(fs, "/in/b", []byte("B"), 0o644)
	g := testGraph(t, map[string]*int32{})
	r := &Runner{Env: &Env{FS: fs, Log: logx.Discard()}, Cache: cas.New(fs, "/cache", nil)}
	first, err := r.Run(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	again, err := r.Run(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"left", "right", "top"} {
		a := again.Artifacts[id]
		if again.Status[id] != StatusCached || a.Digest != first.Artifacts[id].Digest || a.Digest != NewArtifact(a.Data).Digest {
			t.Errorf("%s: %s, digest %q, want %q", id, again.Status[id], a.Digest, NewArtifact(a.Data).Digest)
		}
	}
}
