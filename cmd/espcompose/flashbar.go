package main

import (
	"github.com/espcompose/espcompose/outputs"
	"github.com/espcompose/espcompose/planner"
)

// flashBarWidth is fixed, not the terminal's, so `plan` prints the same text in a
// terminal, a pipe and a CI log.
const flashBarWidth = 64

// flashBar is the plan's flash map to scale, as outputs draws it.
func flashBar(pl *planner.Plan) string {
	regions := make([]outputs.Region, 0, len(pl.Regions))
	for _, r := range pl.Regions {
		regions = append(regions, outputs.Region{Name: r.Name, Kind: r.Kind, Type: r.Type, Offset: r.Offset, Size: r.Size, Depth: r.Depth})
	}
	return outputs.FlashBar(regions, pl.Config.Target.FlashSize, flashBarWidth)
}
