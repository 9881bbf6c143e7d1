package stages

import (
	"context"
	"fmt"

	"github.com/espcompose/espcompose/format/appimage"
	"github.com/espcompose/espcompose/format/otadata"
)

// PatchSecureVersion writes the manifest's secure_version into an app image's
// esp_app_desc_t and recomputes its checksum and appended SHA-256. The planner puts
// it before signing, so the signature covers the patched description.
type PatchSecureVersion struct {
	Name          string // "image.app"
	Dep           string // stage producing the raw image
	SecureVersion uint32
}

func (s *PatchSecureVersion) ID() string     { return "secure-version:" + s.Name }
func (s *PatchSecureVersion) Kind() string   { return "secure-version" }
func (s *PatchSecureVersion) Version() int   { return 1 }
func (s *PatchSecureVersion) Deps() []string { return []string{s.Dep} }
func (s *PatchSecureVersion) Params() any {
	return map[string]uint32{"secure_version": s.SecureVersion}
}

func (s *PatchSecureVersion) Run(_ context.Context, _ *Env, in []Artifact) (Artifact, error) {
	out, err := appimage.SetSecureVersion(in[0].Data, s.SecureVersion)
	if err != nil {
		return Artifact{}, fmt.Errorf("set secure_version in %s: %w", s.Name, err)
	}
	return NewArtifact(out), nil
}

// otadataState maps a manifest boot_state to esp_ota_img_states_t
// (components/bootloader_support/include/esp_flash_partitions.h).
func otadataState(name string) (otadata.ImageState, error) {
	switch name {
	case "", "undefined":
		return otadata.StateUndefined, nil
	case "new":
		return otadata.StateNew, nil
	case "pending_verify":
		return otadata.StatePendingVerify, nil
	case "valid":
		return otadata.StateValid, nil
	}
	return 0, fmt.Errorf("unknown ota_state %q", name)
}
