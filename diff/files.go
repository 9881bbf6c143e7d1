package diff

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/espcompose/espcompose/format/appimage"
	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/format/parttable"
	"github.com/espcompose/espcompose/outputs"
)

// files is a build's output tree, in memory, whichever way it was obtained.
type files struct {
	// where names the release in messages: the build directory or the manifest.
	where string
	data  map[string][]byte
	// plain holds, by region name, a pre-encrypted region's plaintext (manifests only).
	plain map[string][]byte
	// nvsKeys holds, by region name, the keys of an encrypted NVS partition, when the
	// manifest gives them.
	nvsKeys map[string]*nvs.Keys
	// deviceEncrypts: the flash map marks regions encrypted, but the device encrypts
	// them on first boot, so the files are plaintext.
	deviceEncrypts bool
}

// record is build.json.
type record struct {
	outputs.Record
	Outputs []struct {
		Path   string `json:"path"`
		SHA256 string `json:"sha256"`
		Size   int    `json:"size"`
	} `json:"outputs"`
}

// otaManifest is ota/manifest.json, as far as the diff reads it.
type otaManifest struct {
	Slots []struct {
		OTA    string `json:"ota"`
		Slot   string `json:"slot"`
		File   string `json:"file"`
		SHA256 string `json:"sha256"`
		Size   int    `json:"size"`
	} `json:"slots"`
}

func (f *files) name(file string) string { return path.Join(f.where, file) }

// release reads a Release out of the tree.
func (f *files) release(where, kind string) (*Release, error) {
	raw, ok := f.data["build.json"]
	if !ok {
		return nil, inputErrorf(f.where, 0, "no build.json: not an espcompose build directory")
	}
	var rec record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, jsonError(f.name("build.json"), raw, err)
	}
	if rec.Tool != "espcompose" {
		return nil, inputErrorf(f.name("build.json"), 0, "tool is %q, not espcompose", rec.Tool)
	}
	r := &Release{Path: where, Kind: kind, Target: rec.Target}
	if r.Target == nil {
		r.Target = map[string]string{}
	}
	f.deviceEncrypts = strings.Contains(string(f.data[efusePlanFile]), "\n## Left to the device\n")
	rows, err := f.flashMap(raw, rec)
	if err != nil {
		return nil, err
	}
	f.layout(r, rows)
	for _, row := range rows {
		if row.Type == "table" {
			continue
		}
		if err := f.region(r, row); err != nil {
			return nil, err
		}
	}
	if err := f.ota(r); err != nil {
		return nil, err
	}
	for _, k := range rec.Keys {
		r.Keys = append(r.Keys, Key{Name: k.Name, Algorithm: k.Algorithm, Fingerprint: k.Fingerprint})
	}
	sort.Slice(r.Keys, func(i, j int) bool { return r.Keys[i].Name < r.Keys[j].Name })
	if md, ok := f.data[efusePlanFile]; ok {
		r.Efuse, r.Security.SecureBootDigests = parseEfusePlan(string(md))
		r.Security.FlashEncryption, r.Security.SecureBoot = security(r.Efuse, string(md), rec.Keys)
	}
	return r, nil
}

// mapRow is a flash map row with its numbers parsed.
type mapRow struct {
	outputs.MapRow
	offset, size uint32
}

func (f *files) flashMap(raw []byte, rec record) ([]mapRow, error) {
	var rows []mapRow
	for i, m := range rec.FlashMap {
		off, err1 := strconv.ParseUint(m.Offset, 0, 32)
		size, err2 := strconv.ParseUint(m.Size, 0, 32)
		if err1 != nil || err2 != nil {
			return nil, inputErrorf(f.name("build.json"), lineOf(raw, strconv.Quote(m.Offset)), "flash_map[%d] (%s): offset %q or size %q is not a number", i, m.Name, m.Offset, m.Size)
		}
		if m.File != "" {
			if _, ok := f.data[m.File]; !ok {
				return nil, inputErrorf(f.name("build.json"), lineOf(raw, strconv.Quote(m.File)), "flash_map names %s, which is not in the build", m.File)
			}
		}
		rows = append(rows, mapRow{MapRow: m, offset: uint32(off), size: uint32(size)})
	}
	return rows, nil
}

// lineOf is the line of the first occurrence of s in data, 0 if absent.
func lineOf(data []byte, s string) int {
	if i := strings.Index(string(data), s); i >= 0 {
		return lineAt(data, int64(i))
	}
	return 0
}

// layout fills the tables and partitions from the flash map, with flags from the
// tables' binaries where they can be read.
func (f *files) layout(r *Release, rows []mapRow) {
	flags := map[string]map[string][]string{} // table → partition → flags
	for _, row := range rows {
		if row.Type != "table" {
			continue
		}
		t := Table{Name: PrimaryTable, Offset: row.offset}
		if row.Name != PrimaryTable {
			t.Parent = strings.TrimSuffix(row.Name, " (table)")
			t.Name = t.Parent
		}
		r.Tables = append(r.Tables, t)
		if data := f.readable(row); data != nil {
			if tbl, err := parttable.Decode(data); err == nil {
				m := map[string][]string{}
				for _, e := range tbl.Entries {
					fl := []string{}
					if e.Encrypted {
						fl = append(fl, "encrypted")
					}
					if e.Readonly {
						fl = append(fl, "readonly")
					}
					m[e.Name] = fl
				}
				flags[t.Name] = m
			}
		}
	}
	for _, row := range rows {
		if row.Type == "table" || row.Type == "bootloader" {
			continue
		}
		p := Partition{Table: PrimaryTable, Name: row.Name, Type: row.Type, Offset: row.offset, Size: row.size}
		// A nested table's children lie inside its parent; the innermost parent wins.
		best := uint32(0)
		for _, t := range r.Tables {
			parent := findRow(rows, t.Parent)
			if t.Parent == "" || parent == nil || t.Parent == row.Name {
				continue
			}
			if row.offset >= parent.offset && uint64(row.offset)+uint64(row.size) <= uint64(parent.offset)+uint64(parent.size) && (best == 0 || parent.size < best) {
				p.Table, best = t.Name, parent.size
			}
		}
		if fl, ok := flags[p.Table][p.Name]; ok {
			p.Flags, p.FlagsKnown = fl, true
		}
		r.Partitions = append(r.Partitions, p)
	}
	sort.SliceStable(r.Tables, func(i, j int) bool { return r.Tables[i].Offset < r.Tables[j].Offset })
	sort.SliceStable(r.Partitions, func(i, j int) bool {
		a, b := r.Partitions[i], r.Partitions[j]
		if a.Table != b.Table {
			return a.Table < b.Table
		}
		return a.Offset < b.Offset
	})
}

func findRow(rows []mapRow, name string) *mapRow {
	for i := range rows {
		if rows[i].Name == name && rows[i].Type != "table" {
			return &rows[i]
		}
	}
	return nil
}

// readable is a region's bytes as the device reads them: the file, or its plaintext
// when it is pre-encrypted and the manifest gave it; nil when neither.
func (f *files) readable(row mapRow) []byte {
	if p, ok := f.plain[row.Name]; ok {
		return p
	}
	if row.File == "" || (row.Encrypted && !f.deviceEncrypts) {
		return nil
	}
	return f.data[row.File]
}

func (f *files) region(r *Release, row mapRow) error {
	g := Region{Name: row.Name, Type: row.Type, Offset: row.offset, File: row.File, Encrypted: row.Encrypted && row.File != "" && !f.deviceEncrypts}
	if row.File == "" {
		r.Regions = append(r.Regions, g)
		return nil
	}
	data := f.data[row.File]
	g.SHA256, g.Size = sha256hex(data), len(data)
	readable := f.readable(row)
	switch {
	case strings.HasPrefix(row.Type, "app/"):
		if readable == nil {
			g.Opaque = "pre-encrypted; the manifest gives the plaintext, a build directory does not"
			break
		}
		img, err := appimage.Decode(readable)
		if err != nil || img.AppDesc == nil {
			g.Opaque = "not an app image with an app description"
			break
		}
		d := img.AppDesc
		g.App = &App{Project: d.ProjectName, Version: d.Version, SecureVersion: d.SecureVersion,
			ELFSHA256: hex.EncodeToString(d.ELFSHA256[:]), IDFVersion: d.IDFVersion, Size: len(readable)}
	case row.Type == "data/nvs":
		keys := f.nvsKeys[row.Name]
		dec, err := nvs.Decode(data, keys)
		if err != nil {
			if keys == nil {
				g.Opaque = "not readable as plaintext NVS (encrypted, and only a manifest gives the key)"
			} else {
				g.Opaque = "does not decode with the manifest's NVS key"
			}
			break
		}
		g.NVS = nvsContents(dec, keys != nil)
	}
	r.Regions = append(r.Regions, g)
	return nil
}

// nvsContents lists the entries; an encrypted partition's values are shown by size
// only, since they may be secrets.
func nvsContents(d *nvs.Decoded, encrypted bool) *NVSContents {
	c := &NVSContents{Encrypted: encrypted, Entries: []NVSEntry{}}
	for _, ns := range d.Partition.Namespaces {
		for _, e := range ns.Entries {
			raw := nvsRaw(e)
			v := NVSEntry{Namespace: ns.Name, Key: e.Key, Type: e.Type.String(), digest: sha256hex(raw)}
			switch {
			case encrypted:
				v.Value = fmt.Sprintf("%d bytes, not shown (NVS-encrypted)", len(raw))
			case e.Type == nvs.Blob:
				v.Value = fmt.Sprintf("%d bytes, sha256 %s", len(raw), v.digest)
			case e.Type == nvs.String:
				v.Value = strconv.Quote(e.Str)
			default:
				v.Value = string(raw)
			}
			c.Entries = append(c.Entries, v)
		}
	}
	sort.Slice(c.Entries, func(i, j int) bool {
		a, b := c.Entries[i], c.Entries[j]
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		return a.Key < b.Key
	})
	return c
}

// nvsRaw is an entry's value as bytes: a blob's or string's bytes, an integer in decimal.
func nvsRaw(e nvs.Entry) []byte {
	switch {
	case e.Type == nvs.Blob:
		return e.Blob
	case e.Type == nvs.String:
		return []byte(e.Str)
	case e.Type&0x10 != 0: // signed integer types
		return []byte(strconv.FormatInt(e.Int, 10))
	}
	return []byte(strconv.FormatUint(e.Uint, 10))
}

func (f *files) ota(r *Release) error {
	raw, ok := f.data["ota/manifest.json"]
	if !ok {
		return nil
	}
	var m otaManifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return jsonError(f.name("ota/manifest.json"), raw, err)
	}
	for _, s := range m.Slots {
		r.OTA = append(r.OTA, OTAArtifact{OTA: s.OTA, Slot: s.Slot, File: s.File, SHA256: s.SHA256, Size: s.Size})
	}
	sort.Slice(r.OTA, func(i, j int) bool {
		if r.OTA[i].OTA != r.OTA[j].OTA {
			return r.OTA[i].OTA < r.OTA[j].OTA
		}
		return r.OTA[i].Slot < r.OTA[j].Slot
	})
	return nil
}

// security reads the flash encryption key and scheme and the Secure Boot version out
// of the eFuse plan, naming keys by build.json's fingerprints.
func security(steps []EfuseStep, md string, keys []outputs.KeyRef) (*FlashEncryption, string) {
	var fe *FlashEncryption
	sb := ""
	for _, bk := range burnKeys(steps) {
		switch {
		case bk.block == "flash_encryption" || strings.HasPrefix(bk.purpose, "XTS_AES_"):
			fe = &FlashEncryption{Scheme: bk.purpose}
			for _, k := range keys {
				if k.File == bk.file {
					fe.Scheme = strings.TrimSpace(k.Algorithm + " " + bk.purpose)
					fe.Key = k.Fingerprint
				}
			}
			// ESP32: FLASH_CRYPT_CONFIG selects which key bits are tweaked.
			if cc := efuseValue(steps, "FLASH_CRYPT_CONFIG"); cc != "" {
				fe.Scheme += " FLASH_CRYPT_CONFIG=" + cc
			}
		case bk.block == "secure_boot_v1":
			sb = "v1"
		}
	}
	if fe == nil && strings.Contains(md, "\n## Left to the device\n") {
		fe = &FlashEncryption{Scheme: "device-generated"}
	}
	for _, s := range steps {
		if strings.Contains(s.Commands, "burn_key_digest") {
			sb = "v2"
		}
	}
	return fe, sb
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
