package outputs

import (
	"encoding/json"
	"fmt"
	"time"
)

// Record is build.json: every input and output by hash, the stages, the tool version.
// It holds nothing that varies between two builds of the same inputs: no clock (unless
// SOURCE_DATE_EPOCH is given), no absolute paths, no cache state.
type Record struct {
	Tool            string            `json:"tool"`
	ToolVersion     string            `json:"tool_version"`
	Manifest        Input             `json:"manifest"`
	Variables       map[string]string `json:"variables"`
	Target          map[string]string `json:"target"`
	Inputs          []Input           `json:"inputs"`
	Keys            []KeyRef          `json:"keys,omitempty"`
	Stages          []Stage           `json:"stages"`
	FlashMap        []MapRow          `json:"flash_map"`
	SourceDateEpoch *int64            `json:"source_date_epoch,omitempty"`
}

// Input is an input file.
type Input struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// KeyRef names a key by its file and a one-way fingerprint; never its bytes.
type KeyRef struct {
	Name        string `json:"name"`
	Algorithm   string `json:"algorithm"`
	File        string `json:"file,omitempty"`
	DerivedFrom string `json:"derived_from,omitempty"` // the master key of a per-device derived key
	Fingerprint string `json:"fingerprint,omitempty"`
}

// Stage is one stage of the build graph.
type Stage struct {
	ID       string   `json:"id"`
	Kind     string   `json:"kind"`
	Version  int      `json:"version"`
	Deps     []string `json:"deps,omitempty"`
	Output   string   `json:"output_sha256"`
	CacheKey string   `json:"cache_key,omitempty"`
}

// StageTiming is how a stage went in one build: its status (ran, cached, read...)
// and how long it took. Only report.html shows it, and only when asked.
type StageTiming struct {
	Status string
	Took   time.Duration
}

// MapRow is one row of the flash map.
type MapRow struct {
	Name          string `json:"name"`
	Offset        string `json:"offset"`
	Size          string `json:"size"`
	Type          string `json:"type"`
	Source        string `json:"source"`
	Encrypted     bool   `json:"encrypted"`
	EncryptReason string `json:"encrypted_because"`
	Signed        bool   `json:"signed"`
	File          string `json:"file,omitempty"`
}

type output struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int    `json:"size"`
}

func (r Record) render(files []File) ([]byte, error) {
	outs := make([]output, 0, len(files))
	for _, f := range files {
		outs = append(outs, output{Path: f.Name, SHA256: f.SHA256, Size: len(f.Data)})
	}
	doc := struct {
		Record
		Outputs []output `json:"outputs"`
	}{r, outs}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("build.json: %w", err)
	}
	return append(b, '\n'), nil
}
