package stages

import (
	"context"
	"fmt"

	"github.com/espcompose/espcompose/internal/fsimage"
)

// Filesystem builds a SPIFFS, FAT or wear-levelled FAT partition image from a folder.
// Each file is a source stage of its own, so the cache key holds every file's digest
// and relative path: editing one file reruns this stage (and what uses its output),
// nothing else.
type Filesystem struct {
	Name      string // filesystem block name
	Partition string // partition it fills
	Spec      fsimage.Spec
	Entries   []FSEntry // the tree in path order; files take their bytes from Sources
	Sources   []string  // source stage of each file entry, in Entries order
}

// FSEntry is one path of the tree.
type FSEntry struct {
	Path string `json:"path"`
	Dir  bool   `json:"dir,omitempty"`
}

func (s *Filesystem) ID() string     { return "filesystem:" + s.Name + "@" + s.Partition }
func (s *Filesystem) Kind() string   { return "filesystem" }
func (s *Filesystem) Version() int   { return 1 }
func (s *Filesystem) Deps() []string { return s.Sources }
func (s *Filesystem) Params() any {
	return map[string]any{"spec": s.Spec, "entries": s.Entries}
}

func (s *Filesystem) Run(_ context.Context, _ *Env, in []Artifact) (Artifact, error) {
	entries := make([]fsimage.Entry, 0, len(s.Entries))
	next := 0
	for _, e := range s.Entries {
		if e.Dir {
			entries = append(entries, fsimage.Entry{Path: e.Path, Dir: true})
			continue
		}
		if next >= len(in) {
			return Artifact{}, fmt.Errorf("filesystem %s: internal: %d inputs for more files", s.Name, len(in))
		}
		entries = append(entries, fsimage.Entry{Path: e.Path, Data: in[next].Data})
		next++
	}
	if next != len(in) {
		return Artifact{}, fmt.Errorf("filesystem %s: internal: %d inputs for %d files", s.Name, len(in), next)
	}
	img, err := fsimage.Build(s.Spec, entries)
	if err != nil {
		return Artifact{}, fmt.Errorf("filesystem %s for partition %s: %w", s.Name, s.Partition, err)
	}
	if len(img) != s.Spec.Size {
		return Artifact{}, fmt.Errorf("filesystem %s for partition %s: the %s codec made %d bytes for a %d-byte partition",
			s.Name, s.Partition, s.Spec.Type, len(img), s.Spec.Size)
	}
	return NewArtifact(img), nil
}
