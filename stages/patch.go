package stages

import (
	"context"
	"fmt"

	"github.com/espcompose/espcompose/format/appimage"
)

// PatchHeader writes the target's flash mode, frequency and size into an image header
// and recomputes the appended SHA-256. It is the first stage an image passes through:
// anything that hashes or signs the image depends on it, so nothing ever patches an
// image after it was signed (seed 004).
type PatchHeader struct {
	Name string // "bootloader"
	Dep  string // stage producing the raw image
	Chip string
	Mode string // "" keeps
	Freq string
	Size string
}

func (s *PatchHeader) ID() string     { return "patch:" + s.Name }
func (s *PatchHeader) Kind() string   { return "patch" }
func (s *PatchHeader) Version() int   { return 1 }
func (s *PatchHeader) Deps() []string { return []string{s.Dep} }
func (s *PatchHeader) Params() any {
	return map[string]string{"chip": s.Chip, "flash_mode": keepIfEmpty(s.Mode), "flash_freq": keepIfEmpty(s.Freq), "flash_size": keepIfEmpty(s.Size)}
}

func (s *PatchHeader) Run(_ context.Context, _ *Env, in []Artifact) (Artifact, error) {
	out, err := appimage.SetFlashParams(in[0].Data, s.Chip, keepIfEmpty(s.Mode), keepIfEmpty(s.Freq), keepIfEmpty(s.Size))
	if err != nil {
		return Artifact{}, fmt.Errorf("set flash parameters in %s: %w", s.Name, err)
	}
	return NewArtifact(out), nil
}

func keepIfEmpty(s string) string {
	if s == "" {
		return appimage.Keep
	}
	return s
}
