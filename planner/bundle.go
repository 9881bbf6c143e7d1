package planner

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/outputs"
	"github.com/espcompose/espcompose/stages"
)

// BundleOptions are the build facts from outside the plan.
type BundleOptions struct {
	ToolVersion     string
	ManifestPath    string // as shown to users
	ManifestSHA256  string
	SourceDateEpoch *int64
	// Timings puts each stage's time into report.html (build --report-timings). Off by
	// default: a report with timings differs on every build.
	Timings bool
}

// Bundle assembles the outputs of a finished build.
func (pl *Plan) Bundle(res *stages.Result, opts BundleOptions) (*outputs.Bundle, error) {
	cfg := pl.Config
	b := &outputs.Bundle{
		Chip: pl.Chip.Name, FlashMode: orKeep(cfg.Target.FlashMode), FlashFreq: orKeep(cfg.Target.FlashFreq),
		FlashSize: cfg.Target.FlashSizeName, FlashBytes: cfg.Target.FlashSize,
		NoReports: !cfg.Output.Reports,
	}
	// art is a stage's output with the digest it was given when made, which the
	// outputs reuse (SHA256SUMS, build.json, ota/manifest.json) instead of hashing again.
	art := func(id string) (stages.Artifact, error) {
		a, ok := res.Artifacts[id]
		if !ok {
			return stages.Artifact{}, fmt.Errorf("internal: stage %s produced nothing", id)
		}
		return a, nil
	}
	get := func(id string) ([]byte, error) {
		a, err := art(id)
		return a.Data, err
	}
	fe := pl.flashEncryption()
	for _, r := range pl.Regions {
		or := outputs.Region{
			Name: r.Name, Type: r.Type, Offset: r.Offset, Size: r.Size, Source: r.Source,
			Encrypted: r.Encrypted && fe != nil && !fe.DeviceEncrypts, EncryptReason: r.EncryptReason, Signed: r.Signed,
		}
		or.DeviceEncrypts = r.Encrypted && fe != nil && fe.DeviceEncrypts
		or.Kind, or.Depth, or.App, or.NVS = r.Kind, r.Depth, pl.appInfo(r), pl.nvsEntries(r)
		if r.Stage != "" {
			a, err := art(r.Stage)
			if err != nil {
				return nil, err
			}
			or.File, or.Data, or.SHA256 = r.File, a.Data, a.Digest
		}
		b.Regions = append(b.Regions, or)
	}
	for _, m := range pl.Merged {
		a, err := art(m.Stage)
		if err != nil {
			return nil, err
		}
		b.Merged = append(b.Merged, outputs.Merged{File: m.File, Data: a.Data, SHA256: a.Digest})
	}
	for _, s := range pl.OTA {
		a, err := art(s.Stage)
		if err != nil {
			return nil, err
		}
		slot := outputs.OTASlot{OTA: s.OTA, Slot: s.Slot, Offset: s.Offset, File: s.File, Data: a.Data,
			Encrypted: fe != nil && !fe.DeviceEncrypts, SHA256: a.Digest}
		for _, o := range cfg.OTAs {
			if o.Name == s.OTA {
				if info := pl.Images[o.Image.Name]; info != nil && info.Image.AppDesc != nil {
					slot.Project, slot.Version = info.Image.AppDesc.ProjectName, info.Image.AppDesc.Version
				}
			}
		}
		b.OTA = append(b.OTA, slot)
	}
	for _, pk := range pl.Packages {
		a, err := art(pk.Stage)
		if err != nil {
			return nil, err
		}
		data := a.Data
		key, err := get(pk.KeyStage)
		if err != nil {
			return nil, err
		}
		scheme, err := stages.PackageScheme(key)
		if err != nil {
			return nil, fmt.Errorf("ota %s: %w", pk.OTA, err)
		}
		op := outputs.OTAPackage{OTA: pk.OTA, File: pk.File, Data: data, Scheme: scheme, SHA256: a.Digest}
		for _, o := range cfg.OTAs {
			if o.Name == pk.OTA {
				if info := pl.Images[o.Image.Name]; info != nil && info.Image.AppDesc != nil {
					op.Project, op.Version = info.Image.AppDesc.ProjectName, info.Image.AppDesc.Version
				}
			}
		}
		b.Packages = append(b.Packages, op)
	}
	b.Record = pl.record(res, opts)
	if opts.Timings {
		b.Timings = map[string]outputs.StageTiming{}
		for id, took := range res.Durations {
			b.Timings[id] = outputs.StageTiming{Status: string(res.Status[id]), Took: took}
		}
	}
	if err := pl.efusePlan(b, res, opts); err != nil {
		return nil, err
	}
	return b, nil
}

// efusePlan adds the reviewed eFuse plan and the public keys it references.
func (pl *Plan) efusePlan(b *outputs.Bundle, res *stages.Result, opts BundleOptions) error {
	cfg := pl.Config
	sec := cfg.Security
	var hmacKey string
	for _, n := range cfg.NVS {
		if n.EncryptWith != nil {
			if k := cfg.Key(n.EncryptWith.Name); k.Algorithm == "nvs-hmac" {
				hmacKey = relTo(cfg.Dir, k.File)
			}
		}
	}
	fleet := pl.fleet()
	if sec == nil && hmacKey == "" && fleet == nil {
		return nil
	}
	plan := &outputs.EfusePlan{Chip: pl.Chip.Name, NVSHMACKeyFile: hmacKey, Hardening: pl.hardening(), Fleet: fleet}
	if sec != nil && sec.FlashEncryption != nil {
		fe := sec.FlashEncryption
		k := cfg.Key(fe.Key.Name)
		plan.FlashEncryption = &outputs.EfuseFlashEncryption{
			KeyFile: relTo(cfg.Dir, k.File), KeyBytes: keyBytes(k.Algorithm), CryptConfig: fe.CryptConfig,
			Release: fe.Mode == "release", DeviceEncrypts: fe.DeviceEncrypts,
		}
		if k.Derive != nil {
			plan.FlashEncryption.Derived = &outputs.EfuseDerivedKey{Manifest: opts.ManifestPath, Device: cfg.DeviceID, Key: k.Name, Vars: cfg.Variables}
		}
	}
	if sec != nil && sec.SecureBoot != nil {
		sb := sec.SecureBoot
		esb := &outputs.EfuseSecureBoot{Version: sb.Version}
		for _, ref := range sb.Keys {
			k := cfg.Key(ref.Name)
			esb.SHA384 = esb.SHA384 || k.Algorithm == "ecdsa-p384"
			if sb.Version == 1 {
				esb.SigningKey = relTo(cfg.Dir, k.File)
				continue
			}
			pem, ok := res.Artifacts["signer:"+ref.Name]
			if !ok {
				return fmt.Errorf("internal: no public key for key %q", ref.Name)
			}
			pub, err := secureboot.ParsePublicKeyPEM(pem.Data)
			if err != nil {
				return fmt.Errorf("key %q: %w", ref.Name, err)
			}
			digest, err := secureboot.DigestPublicKeyV2(pub)
			if err != nil {
				return fmt.Errorf("key %q: %w", ref.Name, err)
			}
			file := "keys/" + ref.Name + ".pub.pem"
			b.Extras = append(b.Extras, outputs.Extra{File: file, Data: pem.Data})
			esb.PublicKeys = append(esb.PublicKeys, file)
			esb.Digests = append(esb.Digests, fmt.Sprintf("%x", digest))
		}
		plan.SecureBoot = esb
	}
	b.Extras = append(b.Extras,
		outputs.Extra{File: "efuse-plan.md", Data: plan.Markdown()},
		outputs.Extra{File: "efuse-plan.sh", Data: plan.Script(), Mode: 0o755})
	return nil
}

func keyBytes(algorithm string) int {
	switch algorithm {
	case "xts-aes-256":
		return 64
	case "aes-128", "xts-aes-128-derived":
		return 16
	}
	return 32
}

func (pl *Plan) flashEncryption() *manifest.FlashEncryption {
	if pl.Config.Security == nil {
		return nil
	}
	return pl.Config.Security.FlashEncryption
}

func relTo(dir, path string) string {
	if path == "" {
		return ""
	}
	if r, err := filepath.Rel(dir, path); err == nil {
		return filepath.ToSlash(r)
	}
	return filepath.ToSlash(path)
}

func orKeep(s string) string {
	if s == "" {
		return "keep"
	}
	return s
}

func (pl *Plan) record(res *stages.Result, opts BundleOptions) outputs.Record {
	cfg := pl.Config
	rec := outputs.Record{
		Tool: "espcompose", ToolVersion: opts.ToolVersion,
		Manifest:  outputs.Input{Path: opts.ManifestPath, SHA256: opts.ManifestSHA256},
		Variables: cfg.Variables,
		Target: map[string]string{"chip": pl.Chip.Name, "flash_size": cfg.Target.FlashSizeName,
			"flash_mode": orKeep(cfg.Target.FlashMode), "flash_freq": orKeep(cfg.Target.FlashFreq)},
		SourceDateEpoch: opts.SourceDateEpoch,
	}
	ids := make([]string, 0, len(pl.Sources))
	for id := range pl.Sources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		rec.Inputs = append(rec.Inputs, outputs.Input{Path: pl.Sources[id], SHA256: res.Artifacts[id].Digest})
	}
	for _, k := range cfg.Keys {
		ref := outputs.KeyRef{Name: k.Name, Algorithm: k.Algorithm}
		switch {
		case k.Derive != nil:
			ref.DerivedFrom = k.Derive.Name
		case k.File != "":
			ref.File = relTo(cfg.Dir, k.File)
		default:
			ref.File = relTo(cfg.Dir, k.PublicKey)
		}
		if a, ok := res.Artifacts["key:"+k.Name]; ok {
			ref.Fingerprint = string(a.Data)
		}
		rec.Keys = append(rec.Keys, ref)
	}
	order, _ := pl.Graph.TopoSort()
	for _, id := range order {
		s, _ := pl.Graph.Node(id)
		rec.Stages = append(rec.Stages, outputs.Stage{
			ID: id, Kind: s.Kind(), Version: s.Version(), Deps: s.Deps(),
			Output: res.Artifacts[id].Digest, CacheKey: res.CacheKeys[id],
		})
	}
	for _, r := range pl.Regions {
		rec.FlashMap = append(rec.FlashMap, outputs.MapRow{
			Name: r.Name, Offset: fmt.Sprintf("0x%x", r.Offset), Size: fmt.Sprintf("0x%x", r.Size), Type: r.Type,
			Source: r.Source, Encrypted: r.Encrypted, EncryptReason: r.EncryptReason, Signed: r.Signed, File: fileIf(r),
		})
	}
	return rec
}

func fileIf(r *Region) string {
	if r.Stage == "" {
		return ""
	}
	return r.File
}

// appInfo describes the image a region holds, from its app description (or, for the
// bootloader, its bootloader description), for the SBOM and reports.
func (pl *Plan) appInfo(r *Region) *outputs.AppInfo {
	if r.Kind == "bootloader" && pl.Config.Bootloader != nil {
		info := pl.Images[pl.Config.Bootloader.Image.Name]
		if info == nil || info.Image == nil || info.Image.BootloaderDesc == nil {
			return nil
		}
		d := info.Image.BootloaderDesc
		return &outputs.AppInfo{Image: info.Name, Bootloader: true, Version: fmt.Sprint(d.Version), IDFVersion: d.IDFVersion}
	}
	if r.Partition == nil || r.Partition.Contents == nil || r.Partition.Contents.Kind != "image" {
		return nil
	}
	info := pl.Images[r.Partition.Contents.Name]
	if info == nil || info.Image == nil || info.Image.AppDesc == nil {
		return nil
	}
	d := info.Image.AppDesc
	return &outputs.AppInfo{Image: info.Name, Project: d.ProjectName, Version: d.Version, IDFVersion: d.IDFVersion,
		SecureVersion: d.SecureVersion, ELFSHA256: fmt.Sprintf("%x", d.ELFSHA256)}
}

// nvsEntries lists an NVS region's entries for the SBOM, values by hash (long ones
// only) or not at all.
func (pl *Plan) nvsEntries(r *Region) []outputs.NVSItem {
	if r.Stage == "" {
		return nil
	}
	st, _ := pl.Graph.Node(r.Stage)
	if e, ok := st.(*stages.Encrypt); ok {
		st, _ = pl.Graph.Node(e.Dep)
	}
	n, ok := st.(*stages.NVS)
	if !ok || n.Content == nil {
		return nil
	}
	var out []outputs.NVSItem
	for _, ns := range n.Content.Namespaces {
		for _, e := range ns.Entries {
			oe := outputs.NVSItem{Namespace: ns.Name, Key: e.Key, Type: e.Type.String()}
			var value []byte
			switch e.Type {
			case nvs.String:
				value = []byte(e.Str)
			case nvs.Blob:
				value = e.Blob
			default:
				oe.Size = int(e.Type & 0x0f) // an integer type code's low nibble is its width
			}
			if e.Type == nvs.String || e.Type == nvs.Blob {
				oe.Size = len(value)
				if len(value) >= outputs.NVSHashMin {
					sum := sha256.Sum256(value)
					oe.SHA256 = hex.EncodeToString(sum[:])
				}
			}
			out = append(out, oe)
		}
	}
	return out
}
