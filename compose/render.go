package compose

import (
	"context"

	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/outputs"
	"github.com/espcompose/espcompose/stages"
)

// Rendered is what a build of one configuration would publish, kept in memory.
type Rendered struct {
	// Config is the configuration that was rendered.
	Config *Configuration
	// Files are the output files, sorted by name, as Build would publish them.
	Files []outputs.File
	// Stages holds every stage's artifact, plaintext ones included, so a caller can
	// read a region before flash encryption.
	Stages *stages.Result
}

// Render runs the stages of the first configuration and returns the files a build
// would publish, without publishing them, verifying them, or using the stage cache:
// it writes nothing at all (`espcompose diff` reads a manifest this way). Load it
// with dryRun so that no key is created either.
func (p *Project) Render(ctx context.Context) (*Rendered, error) {
	c := p.Configs[0]
	runner := &stages.Runner{Env: c.env} // no cache: a cache write is a write
	res, err := runner.Run(ctx, c.Plan.Graph)
	if err != nil {
		return nil, err
	}
	bundle, err := c.Plan.Bundle(res, p.bundle)
	if err != nil {
		return nil, err
	}
	files, err := outputs.Files(bundle)
	if err != nil {
		return nil, err
	}
	return &Rendered{Config: c, Files: files, Stages: res}, nil
}

// Plaintext is the bytes a stage produced before flash encryption: for an encrypt
// stage, its input; for any other stage, its own output. ok is false for an unknown
// stage.
func (r *Rendered) Plaintext(stage string) (data []byte, ok bool) {
	s, found := r.Config.Plan.Graph.Node(stage)
	if !found {
		return nil, false
	}
	if enc, isEnc := s.(*stages.Encrypt); isEnc {
		stage = enc.Dep
	}
	a, found := r.Stages.Artifacts[stage]
	return a.Data, found
}

// NVSKeys are the XTS keys an NVS stage encrypted with, for reading its image back;
// ok is false when the stage is not an encrypted NVS partition. The keys are key
// material: the caller must not print or keep them.
func (r *Rendered) NVSKeys(stage string) (keys nvs.Keys, ok bool, err error) {
	s, found := r.Config.Plan.Graph.Node(stage)
	n, isNVS := s.(*stages.NVS)
	if !found || !isNVS || n.KeyName == "" {
		return nvs.Keys{}, false, nil
	}
	keys, err = stages.NVSKeys(r.Config.env, n.KeyName, n.KeyScheme)
	return keys, err == nil, err
}
