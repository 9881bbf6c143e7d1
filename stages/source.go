package stages

import (
	"context"
	"fmt"

	"github.com/espcompose/espcompose/internal/fsutil"
)

// Source reads an input file. It is never cached: the file is re-read and re-hashed on
// every build, and its digest decides whether the stages that use it can be reused.
type Source struct {
	Name string // e.g. "image.app"
	Path string // as the manifest resolved it
	Rel  string // path shown to users and recorded in build.json
	// Data, when set, is the content the planner already read and checked: the build
	// uses exactly what was validated, even if the file changes meanwhile.
	Data []byte
}

func (s *Source) ID() string     { return "source:" + s.Name }
func (s *Source) Kind() string   { return "source" }
func (s *Source) Version() int   { return 1 }
func (s *Source) Params() any    { return map[string]string{"path": s.Rel} }
func (s *Source) Deps() []string { return nil }
func (s *Source) Uncached()      {}

func (s *Source) Run(_ context.Context, env *Env, _ []Artifact) (Artifact, error) {
	if s.Data != nil {
		return NewArtifact(s.Data), nil
	}
	b, err := fsutil.ReadFile(env.FS, s.Path)
	if err != nil {
		return Artifact{}, fmt.Errorf("read %s: %w", s.Rel, err)
	}
	return NewArtifact(b), nil
}
