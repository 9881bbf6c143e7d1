package stages

import (
	"context"
	"fmt"

	"github.com/espcompose/espcompose/format/otadata"
)

// OTAData writes the otadata partition: blank, or selecting the boot slot.
type OTAData struct {
	Partition string
	Slot      int // -1: blank
	Slots     int // number of OTA app slots
	// State is the selected slot's ota_state by its esp_ota_img_states_t name
	// ("new", "pending_verify", "valid", "undefined"); "" is undefined.
	State string
}

func (s *OTAData) ID() string     { return "generate:otadata." + s.Partition }
func (s *OTAData) Kind() string   { return "otadata" }
func (s *OTAData) Version() int   { return 1 }
func (s *OTAData) Deps() []string { return nil }
func (s *OTAData) Params() any {
	if s.State == "" {
		return map[string]int{"slot": s.Slot, "slots": s.Slots}
	}
	return map[string]any{"slot": s.Slot, "slots": s.Slots, "state": s.State}
}

func (s *OTAData) Run(context.Context, *Env, []Artifact) (Artifact, error) {
	if s.Slot < 0 {
		return NewArtifact(otadata.Blank()), nil
	}
	state, err := otadataState(s.State)
	if err != nil {
		return Artifact{}, fmt.Errorf("otadata %s: %w", s.Partition, err)
	}
	b, err := otadata.SelectState(s.Slot, s.Slots, state)
	if err != nil {
		return Artifact{}, fmt.Errorf("otadata %s: %w", s.Partition, err)
	}
	return NewArtifact(b), nil
}
