package outputs

import (
	"fmt"
	"strings"
	"sync"
)

// The reports (sbom.cdx.json, summary.md, flash-map.svg, report.html) are rendered
// from the bundle and the files already rendered, so every hash they show is the hash
// of a file in dist/, computed once.

// ReportFiles are the names of the report files every build writes.
var ReportFiles = []string{"flash-map.svg", "report.html", "sbom.cdx.json", "summary.md"}

// fileHashes maps each rendered file's name to its sha256.
func fileHashes(files []File) map[string]string {
	m := make(map[string]string, len(files))
	for _, f := range files {
		m[f.Name] = f.SHA256
	}
	return m
}

// kind is the region's kind; a bundle made without one (tests, older callers) reads
// as a partition.
func (r Region) kind() string {
	if r.Kind == "" {
		return "partition"
	}
	return r.Kind
}

// encryption says in a few words how the region reaches the device encrypted.
func (r Region) encryption() string {
	switch {
	case r.Encrypted:
		return "pre-encrypted"
	case r.DeviceEncrypts:
		return "device encrypts"
	}
	return "no"
}

// encrypted is whether the region is encrypted on the device, by espcompose or on
// first boot.
func (r Region) encrypted() bool { return r.Encrypted || r.DeviceEncrypts }

// signedWhy says why a region is signed: Secure Boot makes the bootloader check apps
// and the ROM check the bootloader.
func (r Region) signedWhy() string {
	if !r.Signed {
		return ""
	}
	if r.kind() == "bootloader" {
		return "Secure Boot: the ROM verifies the bootloader before it runs"
	}
	return "Secure Boot: the bootloader verifies the app before it runs"
}

// typeClass groups region types into the colours of the flash map.
func (r Region) typeClass() string {
	t := r.Type
	switch {
	case r.kind() == "bootloader":
		return "bootloader"
	case r.kind() != "partition" || t == "table":
		return "table"
	case t == "data/ota":
		return "otadata"
	case strings.HasPrefix(t, "app/"):
		return "app"
	case t == "data/nvs" || t == "data/nvs_keys":
		return "nvs"
	case t == "data/spiffs" || t == "data/fat" || t == "data/littlefs":
		return "fs"
	}
	return "other"
}

func hex32(v uint32) string { return fmt.Sprintf("0x%x", v) }

// sizeText shows a size the way partition tables are read: in K or M when exact.
func sizeText(v uint32) string {
	switch {
	case v >= 1<<20 && v%(1<<20) == 0:
		return fmt.Sprintf("%dM", v>>20)
	case v >= 1<<10 && v%(1<<10) == 0:
		return fmt.Sprintf("%dK", v>>10)
	}
	return fmt.Sprintf("%d", v)
}

// freeRange is flash no region covers.
type freeRange struct{ Offset, Size uint32 }

// freeSpace lists the gaps between top-level regions, and after the last one up to
// the end of flash when its size is known.
func freeSpace(b *Bundle) []freeRange {
	var out []freeRange
	var end uint32
	for _, r := range b.Regions {
		if r.Depth > 0 {
			continue
		}
		if r.Offset > end {
			out = append(out, freeRange{end, r.Offset - end})
		}
		if e := r.Offset + r.Size; e > end {
			end = e
		}
	}
	if b.FlashBytes > end {
		out = append(out, freeRange{end, b.FlashBytes - end})
	}
	return out
}

// securitySummary is the security section of summary.md and report.html: plain
// sentences, each a fact of this build.
func securitySummary(b *Bundle) []string {
	var pre, dev, signed []string
	for _, r := range b.Regions {
		switch {
		case r.Encrypted:
			pre = append(pre, r.Name)
		case r.DeviceEncrypts:
			dev = append(dev, r.Name)
		}
		if r.Signed {
			signed = append(signed, r.Name)
		}
	}
	var out []string
	switch {
	case len(pre) > 0:
		out = append(out, "Flash encryption: on; espcompose pre-encrypted "+strings.Join(pre, ", ")+".")
	case len(dev) > 0:
		out = append(out, "Flash encryption: on; the device encrypts "+strings.Join(dev, ", ")+" on first boot.")
	default:
		out = append(out, "Flash encryption: off.")
	}
	if len(signed) > 0 {
		out = append(out, "Secure Boot: signed "+strings.Join(signed, ", ")+".")
	} else {
		out = append(out, "Secure Boot: off (nothing is signed).")
	}
	if efusePlan(b) != nil {
		out = append(out, "eFuse plan: efuse-plan.md (review it before burning; burning is irreversible).")
	}
	return out
}

// efusePlan is the reviewed eFuse plan the build wrote, if any.
func efusePlan(b *Bundle) []byte {
	for _, e := range b.Extras {
		if e.File == "efuse-plan.md" {
			return e.Data
		}
	}
	return nil
}

// addReports renders the report files from the bundle and the files rendered so far.
func addReports(b *Bundle, files []File, add func(name string, data []byte, mode uint32) error) error {
	// The four reports read the bundle and files and write nothing shared, so they
	// render at once: the SBOM alone (CycloneDX through encoding/json's reflection)
	// is about as long as the other three, and a build has two cores to give them.
	reports := []struct {
		name   string
		render func() ([]byte, error)
	}{
		{"flash-map.svg", func() ([]byte, error) { return flashMapSVG(b), nil }},
		{"report.html", func() ([]byte, error) { return reportHTML(b, files) }},
		{"sbom.cdx.json", func() ([]byte, error) { return sbom(b, files) }},
		{"summary.md", func() ([]byte, error) { return summaryMarkdown(b, files), nil }},
	}
	data := make([][]byte, len(reports))
	errs := make([]error, len(reports))
	var wg sync.WaitGroup
	for i, r := range reports {
		wg.Add(1)
		go func() {
			defer wg.Done()
			data[i], errs[i] = r.render()
		}()
	}
	wg.Wait()
	for i, r := range reports {
		if errs[i] != nil {
			return errs[i]
		}
		if err := add(r.name, data[i], 0); err != nil {
			return err
		}
	}
	return nil
}

// keyView is how the reports name a key: by its fingerprint, or for a signing key
// (whose private half the build never reads when a signer holds it) by the public
// key the build wrote to dist/ and that file's sha256. Never by key bytes.
type keyView struct {
	KeyRef
	PublicKey       string // dist/ file of the public key, if any
	PublicKeySHA256 string
}

func keyViews(b *Bundle, files []File) []keyView {
	hashes := fileHashes(files)
	out := make([]keyView, 0, len(b.Record.Keys))
	for _, k := range b.Record.Keys {
		v := keyView{KeyRef: k}
		if f := "keys/" + k.Name + ".pub.pem"; hashes[f] != "" {
			v.PublicKey, v.PublicKeySHA256 = f, hashes[f]
		}
		out = append(out, v)
	}
	return out
}

// Text is the key's identity in one phrase.
func (k keyView) Text() string {
	var parts []string
	if k.Fingerprint != "" {
		parts = append(parts, "fingerprint "+k.Fingerprint)
	}
	if k.PublicKey != "" {
		parts = append(parts, "public key "+k.PublicKey+" (sha256 "+k.PublicKeySHA256+")")
	}
	if len(parts) == 0 {
		return "no fingerprint (the build did not read this key)"
	}
	return strings.Join(parts, ", ")
}
