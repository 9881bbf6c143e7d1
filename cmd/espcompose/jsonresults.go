package main

import (
	"github.com/espcompose/espcompose/compose"
	"github.com/espcompose/espcompose/planner"
	"github.com/espcompose/espcompose/stages"
)

// The --json results of validate, plan and build, as docs/json.md documents them
// (inspect prints outputs.Inspection, diff diff.Report). Each is printed after the
// envelope's fields, in the same object.

// validateJSON is validate's result. Valid is false whenever the exit code is not 0.
type validateJSON struct {
	Valid          bool `json:"valid"`
	Configurations int  `json:"configurations"`
}

// planDoc is plan's result: the flash map and the stages of one configuration.
type planDoc struct {
	Device   string          `json:"device,omitempty"`
	Chip     string          `json:"chip"`
	FlashMap []planRegionDoc `json:"flash_map"`
	Stages   []planStageDoc  `json:"stages"`
}

type planRegionDoc struct {
	Name             string `json:"name"`
	Offset           uint32 `json:"offset"`
	Size             uint32 `json:"size"`
	Type             string `json:"type"`
	Source           string `json:"source"`
	Encrypted        bool   `json:"encrypted"`
	EncryptedBecause string `json:"encrypted_because"`
	Signed           bool   `json:"signed"`
	Depth            int    `json:"depth"`
}

type planStageDoc struct {
	ID     string        `json:"id"`
	Kind   string        `json:"kind"`
	Deps   []string      `json:"deps"`
	Status stages.Status `json:"status"`
}

func planJSON(device string, pl *planner.Plan, status map[string]stages.Status) planDoc {
	doc := planDoc{Device: device, Chip: pl.Chip.Name, FlashMap: []planRegionDoc{}, Stages: []planStageDoc{}}
	for _, r := range pl.Regions {
		doc.FlashMap = append(doc.FlashMap, planRegionDoc{Name: r.Name, Offset: r.Offset, Size: r.Size, Type: r.Type, Source: r.Source,
			Encrypted: r.Encrypted, EncryptedBecause: r.EncryptReason, Signed: r.Signed, Depth: r.Depth})
	}
	order, _ := pl.Graph.TopoSort()
	for _, id := range order {
		s, _ := pl.Graph.Node(id)
		deps := s.Deps()
		if deps == nil {
			deps = []string{}
		}
		doc.Stages = append(doc.Stages, planStageDoc{ID: id, Kind: s.Kind(), Deps: deps, Status: status[id]})
	}
	return doc
}

// buildJSON is build's result for a manifest without a devices block.
type buildJSON struct {
	Out      string                   `json:"out"`
	Stages   map[string]stages.Status `json:"stages"`
	Counts   map[stages.Status]int    `json:"counts"`
	Verify   compose.VerifySummary    `json:"verify"`
	UpToDate bool                     `json:"up_to_date"`
}

// buildDevicesJSON is build's result for a manifest with a devices block.
type buildDevicesJSON struct {
	Out      string                `json:"out"`
	Devices  []buildDeviceJSON     `json:"devices"`
	Verify   compose.VerifySummary `json:"verify"`
	UpToDate bool                  `json:"up_to_date"`
}

type buildDeviceJSON struct {
	ID     string                   `json:"id"`
	Stages map[string]stages.Status `json:"stages"`
	Counts map[stages.Status]int    `json:"counts"`
	Merged []string                 `json:"merged"`
}
