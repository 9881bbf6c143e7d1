package outputs

import (
	"encoding/json"
	"fmt"
	"strings"
)

// keepArgs tell esptool not to touch the image headers: they were set before the
// images were hashed and signed, and changing them now breaks both (seed 004).
var keepArgs = []string{"--flash_mode", "keep", "--flash_freq", "keep", "--flash_size", "keep"}

// flashed returns the regions that are written, in offset order.
func flashed(b *Bundle) []Region {
	var out []Region
	for _, r := range b.Regions {
		if r.File != "" {
			out = append(out, r)
		}
	}
	return out
}

type flasherFile struct {
	Offset         string `json:"offset"`
	File           string `json:"file"`
	Encrypted      string `json:"encrypted"`
	PreEncrypted   bool   `json:"pre_encrypted"`
	DeviceEncrypts bool   `json:"device_encrypts"`
}

// flasherArgsJSON follows ESP-IDF's flasher_args.json. "encrypted" is what idf.py
// passes to esptool as --encrypt: always "false", because pre-encrypted images must
// be written as they are, never encrypted a second time.
func flasherArgsJSON(b *Bundle) ([]byte, error) {
	files := map[string]string{}
	var order []string
	entries := map[string]flasherFile{}
	for _, r := range flashed(b) {
		off := fmt.Sprintf("0x%x", r.Offset)
		files[off] = r.File
		order = append(order, off)
		entries[r.Name] = flasherFile{Offset: off, File: r.File, Encrypted: "false", PreEncrypted: r.Encrypted, DeviceEncrypts: r.DeviceEncrypts}
	}
	// Build the JSON by hand for a stable, readable key order matching ESP-IDF's file.
	var sb strings.Builder
	sb.WriteString("{\n")
	wargs, _ := json.Marshal(keepArgs)
	fmt.Fprintf(&sb, "    \"write_flash_args\" : %s,\n", wargs)
	settings, _ := json.Marshal(map[string]string{"flash_mode": b.FlashMode, "flash_freq": b.FlashFreq, "flash_size": b.FlashSize})
	fmt.Fprintf(&sb, "    \"flash_settings\" : %s,\n", settings)
	sb.WriteString("    \"flash_files\" : {\n")
	for i, off := range order {
		name, _ := json.Marshal(files[off])
		comma := ","
		if i == len(order)-1 {
			comma = ""
		}
		fmt.Fprintf(&sb, "        \"%s\" : %s%s\n", off, name, comma)
	}
	sb.WriteString("    },\n")
	for _, r := range flashed(b) {
		key, _ := json.Marshal(r.Name)
		val, _ := json.Marshal(entries[r.Name])
		fmt.Fprintf(&sb, "    %s : %s,\n", key, val)
	}
	extra, _ := json.Marshal(map[string]any{"after": "hard_reset", "before": "default_reset", "stub": true, "chip": b.Chip})
	fmt.Fprintf(&sb, "    \"extra_esptool_args\" : %s\n}\n", extra)
	var check any
	if err := json.Unmarshal([]byte(sb.String()), &check); err != nil {
		return nil, fmt.Errorf("flasher_args.json: %w", err)
	}
	return []byte(sb.String()), nil
}

// flashArgs is for `esptool.py --chip C write_flash @flash_args`, run inside dist/.
func flashArgs(b *Bundle) []byte {
	var sb strings.Builder
	sb.WriteString(strings.Join(keepArgs, " "))
	sb.WriteString("\n")
	for _, r := range flashed(b) {
		fmt.Fprintf(&sb, "0x%x %s\n", r.Offset, r.File)
	}
	return []byte(sb.String())
}

type otaEntry struct {
	OTA       string `json:"ota"`
	Slot      string `json:"slot"`
	Offset    string `json:"offset"`
	File      string `json:"file"`
	SHA256    string `json:"sha256"`
	Size      int    `json:"size"`
	Encrypted bool   `json:"encrypted"`
	Project   string `json:"project,omitempty"`
	Version   string `json:"version,omitempty"`
}

// otaManifest lets an update server hand a device the artifact for the slot it will
// write next (seed 002).
func otaManifest(b *Bundle) ([]byte, error) {
	entries := make([]otaEntry, 0, len(b.OTA))
	for _, s := range b.OTA {
		entries = append(entries, otaEntry{
			OTA: s.OTA, Slot: s.Slot, Offset: fmt.Sprintf("0x%x", s.Offset), File: s.File,
			SHA256: digestOr(s.SHA256, s.Data), Size: len(s.Data), Encrypted: s.Encrypted, Project: s.Project, Version: s.Version,
		})
	}
	type pkgEntry struct {
		OTA     string `json:"ota"`
		File    string `json:"file"`
		SHA256  string `json:"sha256"`
		Size    int    `json:"size"`
		Format  string `json:"format"`
		Project string `json:"project,omitempty"`
		Version string `json:"version,omitempty"`
	}
	pkgs := make([]pkgEntry, 0, len(b.Packages))
	for _, p := range b.Packages {
		// The header does not say which scheme made a package, so a server or device
		// picking the wrong key learns it only from this label: never guess it.
		if p.Scheme != "RSA-3072" && p.Scheme != "ECIES-P256" {
			return nil, fmt.Errorf("ota %s: package scheme %q is not RSA-3072 or ECIES-P256", p.OTA, p.Scheme)
		}
		pkgs = append(pkgs, pkgEntry{OTA: p.OTA, File: p.File, SHA256: digestOr(p.SHA256, p.Data), Size: len(p.Data),
			Format: "esp_encrypted_img (" + p.Scheme + ")", Project: p.Project, Version: p.Version})
	}
	out, _ := json.MarshalIndent(map[string]any{"format": "espcompose-ota/1", "chip": b.Chip, "slots": entries, "packages": pkgs}, "", "  ")
	return append(out, '\n'), nil
}
