package outputs

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"sort"
	"strconv"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// SBOMSpec is the CycloneDX version of sbom.cdx.json: 1.6 is the first with
// cryptographic assets, which is how keys are listed (by fingerprint, never bytes).
const SBOMSpec = cdx.SpecVersion1_6

const sbomSchema = "http://cyclonedx.org/schema/bom-1.6.schema.json"

// Property names of the SBOM. The espcompose: namespace is ours; esp-idf: holds what
// the app image says of itself in its esp_app_desc_t.
const (
	propOffset        = "espcompose:offset"
	propSize          = "espcompose:size"
	propType          = "espcompose:type"
	propFile          = "espcompose:file"
	propSource        = "espcompose:source"
	propEncrypted     = "espcompose:encrypted"
	propSigned        = "espcompose:signed"
	propFingerprint   = "espcompose:fingerprint"
	propAlgorithm     = "espcompose:algorithm"
	propPublicKey     = "espcompose:public_key_file"
	propPublicKeySHA  = "espcompose:public_key_sha256"
	propIDFVersion    = "esp-idf:idf_version"
	propProject       = "esp-idf:project_name"
	propSecureVersion = "esp-idf:secure_version"
	propELFSHA256     = "esp-idf:app_elf_sha256"
	propNVSType       = "esp-idf:nvs_type"
)

// sbom renders dist/sbom.cdx.json. It holds no clock unless SOURCE_DATE_EPOCH gave
// one, and its serial number is derived from its own content, so two builds of the
// same inputs write the same bytes.
func sbom(b *Bundle, files []File) ([]byte, error) {
	hashes := fileHashes(files)
	fileComp := func(typ cdx.ComponentType, ref, name, file string) cdx.Component {
		c := cdx.Component{BOMRef: ref, Type: typ, Name: name}
		if h, ok := hashes[file]; ok {
			c.Hashes = &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: h}}
		}
		return c
	}
	var comps []cdx.Component
	var deps []cdx.Dependency
	idf := map[string]bool{}
	var regionRefs []string
	for _, r := range b.Regions {
		typ := cdx.ComponentTypeData
		if r.kind() == "bootloader" || r.App != nil {
			typ = cdx.ComponentTypeFirmware
		}
		ref := "region:" + r.Name
		c := fileComp(typ, ref, r.Name, r.File)
		props := []cdx.Property{
			{Name: propOffset, Value: hex32(r.Offset)}, {Name: propSize, Value: hex32(r.Size)},
			{Name: propType, Value: r.Type}, {Name: propSource, Value: r.Source},
			{Name: propEncrypted, Value: r.encryption()}, {Name: propSigned, Value: strconv.FormatBool(r.Signed)},
		}
		if r.File != "" {
			props = append(props, cdx.Property{Name: propFile, Value: r.File})
			regionRefs = append(regionRefs, ref)
		}
		if a := r.App; a != nil {
			c.Version = a.Version
			props = append(props, cdx.Property{Name: propIDFVersion, Value: a.IDFVersion})
			if !a.Bootloader {
				props = append(props, cdx.Property{Name: propProject, Value: a.Project},
					cdx.Property{Name: propSecureVersion, Value: strconv.FormatUint(uint64(a.SecureVersion), 10)},
					cdx.Property{Name: propELFSHA256, Value: a.ELFSHA256})
			}
			if a.IDFVersion != "" {
				idf[a.IDFVersion] = true
				deps = append(deps, cdx.Dependency{Ref: ref, Dependencies: &[]string{idfRef(a.IDFVersion)}})
			}
		}
		c.Properties = &props
		if len(r.NVS) > 0 {
			c.Components = nvsComponents(ref, r.NVS)
		}
		comps = append(comps, c)
	}
	for _, m := range b.Merged {
		c := fileComp(cdx.ComponentTypeFirmware, "file:"+m.File, m.File, m.File)
		c.Properties = &[]cdx.Property{{Name: propFile, Value: m.File}}
		comps = append(comps, c)
		refs := append([]string(nil), regionRefs...)
		deps = append(deps, cdx.Dependency{Ref: c.BOMRef, Dependencies: &refs})
	}
	for _, s := range b.OTA {
		c := fileComp(cdx.ComponentTypeFirmware, "file:"+s.File, s.OTA+" → "+s.Slot, s.File)
		c.Version = s.Version
		c.Properties = &[]cdx.Property{{Name: propFile, Value: s.File}, {Name: propOffset, Value: hex32(s.Offset)},
			{Name: propProject, Value: s.Project}, {Name: propEncrypted, Value: strconv.FormatBool(s.Encrypted)}}
		comps = append(comps, c)
	}
	for _, p := range b.Packages {
		c := fileComp(cdx.ComponentTypeFirmware, "file:"+p.File, p.OTA+" (esp_encrypted_img)", p.File)
		c.Version = p.Version
		c.Properties = &[]cdx.Property{{Name: propFile, Value: p.File}, {Name: propProject, Value: p.Project},
			{Name: propAlgorithm, Value: p.Scheme}}
		comps = append(comps, c)
	}
	versions := make([]string, 0, len(idf))
	for v := range idf {
		versions = append(versions, v)
	}
	sort.Strings(versions)
	for _, v := range versions {
		comps = append(comps, cdx.Component{BOMRef: idfRef(v), Type: cdx.ComponentTypeFramework,
			Supplier: &cdx.OrganizationalEntity{Name: "Espressif Systems"}, Name: "esp-idf", Version: v,
			PackageURL: "pkg:github/espressif/esp-idf@" + v})
	}
	keyFiles := map[string]bool{}
	for _, k := range keyViews(b, files) {
		keyFiles[k.File] = true
		props := []cdx.Property{{Name: propAlgorithm, Value: k.Algorithm}}
		if k.Fingerprint != "" {
			props = append(props, cdx.Property{Name: propFingerprint, Value: k.Fingerprint})
		}
		if k.PublicKey != "" {
			props = append(props, cdx.Property{Name: propPublicKey, Value: k.PublicKey}, cdx.Property{Name: propPublicKeySHA, Value: k.PublicKeySHA256})
		}
		// The fingerprint is espcompose's one-way, domain-separated identifier of the
		// key; neither the key nor a plain digest of it is written.
		comps = append(comps, cdx.Component{BOMRef: "key:" + k.Name, Type: cdx.ComponentTypeCryptographicAsset, Name: k.Name,
			CryptoProperties: &cdx.CryptoProperties{AssetType: cdx.CryptoAssetTypeRelatedCryptoMaterial,
				RelatedCryptoMaterialProperties: &cdx.RelatedCryptoMaterialProperties{Type: cdx.RelatedCryptoMaterialTypeKey}},
			Properties: &props})
	}
	for _, in := range b.Record.Inputs {
		if keyFiles[in.Path] {
			continue // a digest of a key file would identify the key material itself
		}
		comps = append(comps, cdx.Component{BOMRef: "input:" + in.Path, Type: cdx.ComponentTypeFile, Name: in.Path,
			Scope:  cdx.ScopeExcluded, // read by the build, not itself written to flash
			Hashes: &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: in.SHA256}}})
	}

	bom := cdx.NewBOM()
	bom.SpecVersion, bom.JSONSchema = SBOMSpec, sbomSchema
	meta := &cdx.Metadata{
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{
			Type: cdx.ComponentTypeApplication, Name: b.Record.toolName(), Version: b.Record.ToolVersion,
			PackageURL: "pkg:golang/github.com/espcompose/espcompose@" + b.Record.ToolVersion}}},
		Component: &cdx.Component{BOMRef: "build", Type: cdx.ComponentTypeFirmware, Name: buildName(b), Version: buildVersion(b),
			Properties: &[]cdx.Property{{Name: "espcompose:chip", Value: b.Chip}, {Name: "espcompose:flash_size", Value: b.FlashSize}}},
	}
	if e := b.Record.SourceDateEpoch; e != nil {
		meta.Timestamp = time.Unix(*e, 0).UTC().Format(time.RFC3339)
	}
	bom.Metadata = meta
	bom.Components = &comps
	all := make([]string, 0, len(comps))
	for _, c := range comps {
		if c.Scope != cdx.ScopeExcluded && c.Type != cdx.ComponentTypeFramework {
			all = append(all, c.BOMRef)
		}
	}
	deps = append([]cdx.Dependency{{Ref: "build", Dependencies: &all}}, deps...)
	bom.Dependencies = &deps

	first, err := encodeBOM(bom)
	if err != nil {
		return nil, err
	}
	bom.SerialNumber = contentUUID(first)
	return encodeBOM(bom)
}

func encodeBOM(bom *cdx.BOM) ([]byte, error) {
	var buf bytes.Buffer
	enc := cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON).SetPretty(true).SetEscapeHTML(false)
	// Encode, not EncodeVersion: cyclonedx-go v0.12's version conversion turns every
	// cryptographic-asset component into an application. The BOM is built with 1.6
	// fields only, so it needs no conversion.
	if err := enc.Encode(bom); err != nil {
		return nil, fmt.Errorf("sbom.cdx.json: %w", err)
	}
	return buf.Bytes(), nil
}

// contentUUID makes the BOM's serial number from its content: an RFC 9562 version 8
// (vendor-defined) UUID of its sha256, so the serial is unique per content yet the
// same for two builds of the same inputs.
func contentUUID(content []byte) string {
	u := sha256.Sum256(content)
	u[6] = u[6]&0x0f | 0x80
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

func idfRef(v string) string { return "esp-idf@" + v }

func (r Record) toolName() string {
	if r.Tool == "" {
		return "espcompose"
	}
	return r.Tool
}

// buildName names the whole build after its first app's project, as ESP-IDF names
// its build after the project.
func buildName(b *Bundle) string {
	if a := firstApp(b); a != nil && a.Project != "" {
		return a.Project
	}
	return b.Chip + "-firmware"
}

func buildVersion(b *Bundle) string {
	if a := firstApp(b); a != nil {
		return a.Version
	}
	return ""
}

func firstApp(b *Bundle) *AppInfo {
	for _, r := range b.Regions {
		if r.App != nil && !r.App.Bootloader {
			return r.App
		}
	}
	return nil
}

// nvsComponents lists an NVS partition's entries inside its component: each entry by
// namespace and key, with its type and size, and the hash of long values only.
func nvsComponents(parent string, entries []NVSItem) *[]cdx.Component {
	out := make([]cdx.Component, 0, len(entries))
	for _, e := range entries {
		c := cdx.Component{BOMRef: parent + "/" + e.Namespace + "/" + e.Key, Type: cdx.ComponentTypeData, Name: e.Namespace + "/" + e.Key,
			Properties: &[]cdx.Property{{Name: propNVSType, Value: e.Type}, {Name: propSize, Value: strconv.Itoa(e.Size)}}}
		if e.SHA256 != "" {
			c.Hashes = &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: e.SHA256}}
		}
		out = append(out, c)
	}
	return &out
}
