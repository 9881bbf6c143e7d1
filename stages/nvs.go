package stages

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/espcompose/espcompose/format/nvs"
)

// NVS encodes an NVS partition. The content model is built by the planner from the
// manifest, CSV imports and files; its digest stands for it in the cache key.
type NVS struct {
	Name      string // nvs block name
	Partition string // target partition
	Content   *nvs.Partition
	Size      uint32
	Format    int    // NVS format version 1 or 2
	KeyName   string // "" for plaintext
	KeyScheme string // "nvs-xts" (nvs_keys partition) or "nvs-hmac"
	// Certs fill placeholder entries of Content from cert stages at run time.
	Certs []NVSCert
}

func (s *NVS) ID() string   { return "nvs:" + s.Name + "@" + s.Partition }
func (s *NVS) Kind() string { return "nvs" }
func (s *NVS) Version() int { return 1 }
func (s *NVS) Deps() []string {
	var d []string
	if s.KeyName != "" {
		d = append(d, "key:"+s.KeyName)
	}
	for _, c := range s.Certs {
		if !containsString(d, c.Stage) {
			d = append(d, c.Stage)
		}
	}
	return d
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
func (s *NVS) Params() any {
	p := map[string]any{"size": s.Size, "format": s.Format, "content_sha256": contentDigest(s.Content),
		"key": s.KeyName, "scheme": s.KeyScheme}
	if len(s.Certs) > 0 {
		var items []string
		for _, c := range s.Certs {
			f := "der"
			if c.PEM {
				f = "pem"
			}
			items = append(items, c.Namespace+"/"+c.Key+"="+c.Stage+":"+c.Item+":"+f)
		}
		p["certs"] = items
	}
	return p
}

func contentDigest(p *nvs.Partition) string {
	b, err := json.Marshal(p)
	if err != nil {
		panic(err) // the model is plain data
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func (s *NVS) Run(_ context.Context, env *Env, in []Artifact) (Artifact, error) {
	content, err := s.fillCerts(env, in)
	if err != nil {
		return Artifact{}, err
	}
	opts := nvs.Options{Size: s.Size, Version: s.Format}
	if s.KeyName != "" {
		keys, err := NVSKeys(env, s.KeyName, s.KeyScheme)
		if err != nil {
			return Artifact{}, err
		}
		opts.Keys = &keys
	}
	b, err := nvs.Encode(content, opts)
	if err != nil {
		return Artifact{}, fmt.Errorf("nvs %s for partition %s: %w", s.Name, s.Partition, err)
	}
	return NewArtifact(b), nil
}

// NVSKeys returns the XTS key pair of an NVS-encryption key: read from its nvs_keys
// image, or derived from the HMAC key as the device derives it.
func NVSKeys(env *Env, name, scheme string) (nvs.Keys, error) {
	material, err := env.Keys.Secret(name)
	if err != nil {
		return nvs.Keys{}, err
	}
	if scheme == "nvs-hmac" {
		return nvs.DeriveHMACKeys(material)
	}
	return nvs.ParseKeyPartition(material)
}

// KeyPartition writes the nvs_keys partition image of an "nvs-xts" key. Its bytes are
// key material, so it is never cached, and the planner only lets it reach flash and
// dist/ flash-encrypted.
type KeyPartition struct {
	Partition string
	KeyName   string
}

func (s *KeyPartition) ID() string     { return "generate:nvs_keys." + s.Partition }
func (s *KeyPartition) Kind() string   { return "nvs-keys" }
func (s *KeyPartition) Version() int   { return 1 }
func (s *KeyPartition) Deps() []string { return []string{"key:" + s.KeyName} }
func (s *KeyPartition) Params() any    { return map[string]string{"key": s.KeyName} }
func (s *KeyPartition) Uncached()      {}

func (s *KeyPartition) Run(_ context.Context, env *Env, _ []Artifact) (Artifact, error) {
	keys, err := NVSKeys(env, s.KeyName, "nvs-xts")
	if err != nil {
		return Artifact{}, err
	}
	return NewArtifact(keys.MarshalPartition()), nil
}
