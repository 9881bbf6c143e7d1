package stages

import (
	"context"
	"fmt"

	"github.com/espcompose/espcompose/format/merged"
)

// Merge places every region's final bytes at its flash offset, as esptool merge_bin
// does. Headers are already final, so it keeps them ("keep" for every flash option).
type Merge struct {
	Name      string
	Chip      string
	Format    merged.Format
	FillFlash string // "" or a flash size: pad the raw image with 0xFF
	Regions   []MergeRegion
}

// MergeRegion is one input of the merge.
type MergeRegion struct {
	Name   string
	Offset uint32
	Dep    string
}

func (s *Merge) ID() string   { return "merge:" + s.Name }
func (s *Merge) Kind() string { return "merge" }
func (s *Merge) Version() int { return 1 }
func (s *Merge) Deps() []string {
	deps := make([]string, len(s.Regions))
	for i, r := range s.Regions {
		deps[i] = r.Dep
	}
	return deps
}
func (s *Merge) Params() any {
	type region struct {
		Name   string
		Offset uint32
	}
	rs := make([]region, len(s.Regions))
	for i, r := range s.Regions {
		rs[i] = region{r.Name, r.Offset}
	}
	return map[string]any{"chip": s.Chip, "format": string(s.Format), "fill": s.FillFlash, "regions": rs}
}

// Recomputed: a raw merge is not stored in the cache. It is a copy of its inputs
// into one buffer, which costs less than writing that buffer (up to the whole flash,
// mostly padding) into the cache and reading and verifying it back on the next
// build. Intel HEX and UF2 renderings cost more to make than to read: stored.
func (s *Merge) Recomputed() bool {
	return s.Format != merged.FormatHex && s.Format != merged.FormatUF2
}

func (s *Merge) Run(_ context.Context, _ *Env, in []Artifact) (Artifact, error) {
	parts := make([]merged.Part, len(s.Regions))
	for i, r := range s.Regions {
		parts[i] = merged.Part{Addr: r.Offset, Data: in[i].Data, Name: r.Name}
	}
	opts := merged.Options{
		Chip: s.Chip, FlashMode: "keep", FlashFreq: "keep", FlashSize: "keep",
		Format: s.Format, FillFlashSize: s.FillFlash,
	}
	// A raw image (up to the whole flash) is hashed on a second goroutine while it
	// is laid out, each step as soon as it is final: the SHA-256 and the copying and
	// page faulting of a fresh buffer overlap instead of following one another.
	var h *pipelinedHash
	if s.Format == "" || s.Format == merged.FormatRaw {
		h = newPipelinedHash()
		opts.Written = h.upTo
	}
	out, err := merged.Merge(opts, parts)
	var sum string
	if h != nil {
		sum = h.close()
	}
	if err != nil {
		return Artifact{}, fmt.Errorf("merge %s: %w", s.Name, err)
	}
	if h != nil {
		return Artifact{Data: out, Digest: sum}, nil
	}
	return NewArtifact(out), nil
}
