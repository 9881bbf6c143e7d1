// Package outputs turns a finished build into the files of dist/: the merged factory
// image, each region's image, per-OTA-slot artifacts, esptool arguments, SHA256SUMS and
// the build record. Every file is a pure function of the build, and the directory is
// published atomically.
package outputs

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
)

// Region is one flashed (or reserved) range.
type Region struct {
	Name           string
	Type           string
	Offset         uint32
	Size           uint32
	File           string // path inside dist/; "" when nothing is written
	Data           []byte
	Encrypted      bool // pre-encrypted by espcompose
	DeviceEncrypts bool // plaintext; the device encrypts it on first boot
	EncryptReason  string
	Signed         bool
	Source         string
	// Kind is "bootloader", "partition-table", "secondary-table" or "partition"; Depth
	// is how deep a nested table puts it (0 in the primary table). The reports use them
	// to draw nested tables; an empty Kind reads as "partition".
	Kind  string
	Depth int
	// App describes the image the region holds, from its app or bootloader
	// description; nil for anything else.
	App *AppInfo
	// NVS lists the entries of an NVS partition, for the SBOM; values are never kept.
	NVS    []NVSItem
	SHA256 string // of Data, when known (the stage artifact's digest); "" hashes it
}

// NVSItem is one NVS entry as the SBOM lists it: where it is, its type and size,
// and for a long string or blob (a certificate, a key) the SHA-256 of its value. A
// short value's hash is left out: a PIN or a password could be guessed from it.
type NVSItem struct {
	Namespace string
	Key       string
	Type      string
	Size      int
	SHA256    string // "" for integers and values shorter than NVSHashMin
}

// NVSHashMin is the shortest string or blob value whose hash the SBOM gives.
const NVSHashMin = 32

// AppInfo is what an image says about itself: an app in its esp_app_desc_t, the
// bootloader in its esp_bootloader_desc_t (version and ESP-IDF version only).
type AppInfo struct {
	Image         string // the manifest's image name
	Bootloader    bool
	Project       string
	Version       string
	IDFVersion    string
	SecureVersion uint32
	ELFSHA256     string // hex, as esptool image_info prints it
}

// Merged is one merged image file.
type Merged struct {
	File   string
	Data   []byte
	SHA256 string // of Data, when known; "" hashes it
}

// OTASlot is the artifact for one OTA slot.
type OTASlot struct {
	OTA       string
	Slot      string
	Offset    uint32
	File      string
	Data      []byte
	Encrypted bool
	Project   string
	Version   string
	SHA256    string // of Data, when known; "" hashes it
}

// OTAPackage is an esp_encrypted_img package for network delivery.
type OTAPackage struct {
	OTA     string
	File    string
	Data    []byte
	Scheme  string // "RSA-3072" or "ECIES-P256": what the recipient key selected
	Project string
	Version string
	SHA256  string // of Data, when known; "" hashes it
}

// Extra is any further file (eFuse plan, reports).
type Extra struct {
	File string
	Data []byte
	Mode uint32 // 0 means 0644
}

// Bundle is everything a build produced.
type Bundle struct {
	Chip      string
	FlashMode string
	FlashFreq string
	FlashSize string
	// FlashBytes is the flash size in bytes; the flash map uses it to show free space
	// after the last region (0: unknown, the map ends at the last region).
	FlashBytes uint32
	Regions    []Region
	Merged     []Merged
	OTA        []OTASlot
	Packages   []OTAPackage
	Extras     []Extra
	Record     Record
	// NoReports leaves out the report files (output { reports = false }).
	NoReports bool
	// Timings, when set (build --report-timings), adds each stage's status and time
	// to report.html's stage list. nil keeps the report reproducible.
	Timings map[string]StageTiming
}

// File is one file of dist/.
type File struct {
	Name   string // slash-separated, relative to dist/
	Data   []byte
	Mode   uint32
	SHA256 string // hashed once, used by SHA256SUMS and build.json
}

// Files renders the whole of dist/, sorted by name.
func Files(b *Bundle) ([]File, error) {
	var files []File
	seen := map[string]bool{}
	// sum is data's digest when the caller has it (a stage artifact is hashed once,
	// when it is made), "" to hash it here.
	add := func(name string, data []byte, mode uint32, sum string) error {
		if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, "..") {
			return fmt.Errorf("output name %q is not a plain relative path", name)
		}
		if seen[name] {
			return fmt.Errorf("two outputs are named %s", name)
		}
		seen[name] = true
		if mode == 0 {
			mode = 0o644
		}
		if sum == "" {
			sum = digest(data)
		}
		files = append(files, File{Name: name, Data: data, Mode: mode, SHA256: sum})
		return nil
	}
	for _, m := range b.Merged {
		if err := add(m.File, m.Data, 0, m.SHA256); err != nil {
			return nil, err
		}
	}
	for _, r := range b.Regions {
		if r.File == "" {
			continue
		}
		if err := add(r.File, r.Data, 0, r.SHA256); err != nil {
			return nil, err
		}
	}
	for _, s := range b.OTA {
		if err := add(s.File, s.Data, 0, s.SHA256); err != nil {
			return nil, err
		}
	}
	for _, pk := range b.Packages {
		if err := add(pk.File, pk.Data, 0, pk.SHA256); err != nil {
			return nil, err
		}
	}
	if len(b.OTA) > 0 || len(b.Packages) > 0 {
		om, err := otaManifest(b)
		if err != nil {
			return nil, err
		}
		if err := add("ota/manifest.json", om, 0, ""); err != nil {
			return nil, err
		}
	}
	for _, e := range b.Extras {
		if err := add(e.File, e.Data, e.Mode, ""); err != nil {
			return nil, err
		}
	}
	fa, err := flasherArgsJSON(b)
	if err != nil {
		return nil, err
	}
	if err := add("flasher_args.json", fa, 0, ""); err != nil {
		return nil, err
	}
	if err := add("flash_args", flashArgs(b), 0, ""); err != nil {
		return nil, err
	}
	// The reports come last of the artifacts, so they can name every one by hash,
	// and before build.json and SHA256SUMS, which list them.
	if !b.NoReports {
		if err := addReports(b, files, func(name string, data []byte, mode uint32) error { return add(name, data, mode, "") }); err != nil {
			return nil, err
		}
	}
	sortFiles(files)
	rec, err := b.Record.render(files)
	if err != nil {
		return nil, err
	}
	if err := add("build.json", rec, 0, ""); err != nil {
		return nil, err
	}
	sortFiles(files)
	if err := add("SHA256SUMS", sha256sums(files), 0, ""); err != nil {
		return nil, err
	}
	sortFiles(files)
	return files, nil
}

func sortFiles(fs []File) { sort.Slice(fs, func(i, j int) bool { return fs[i].Name < fs[j].Name }) }

// sha256sums is in `sha256sum -c` format: "<hex>  <name>\n", sorted by name.
func sha256sums(files []File) []byte {
	var sb strings.Builder
	for _, f := range files {
		fmt.Fprintf(&sb, "%s  %s\n", f.SHA256, f.Name)
	}
	return []byte(sb.String())
}

// digestOr is known, or b's digest when known is "".
func digestOr(known string, b []byte) string {
	if known != "" {
		return known
	}
	return digest(b)
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
