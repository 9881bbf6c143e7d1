package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/appimage"
	"github.com/espcompose/espcompose/format/parttable"
)

// flashEntry is one named entry of flasher_args.json. ESP-IDF writes each as
// "NAME" : { "offset" : "0x..", "file" : "..", "encrypted" : "true|false" }
// (components/esptool_py/project_include.cmake, esptool_py_flash_target_image, at
// esp-idf 102122904ade11fd1ae373848f34ffd7dfb18aeb).
type flashEntry struct {
	Offset    string `json:"offset"`
	File      string `json:"file"`
	Encrypted string `json:"encrypted"`
}

// flasherArgs is the part of build/flasher_args.json the import reads
// (components/esptool_py/flasher_args.json.in at the same commit).
type flasherArgs struct {
	FlashSettings struct {
		FlashMode string `json:"flash_mode"`
		FlashSize string `json:"flash_size"`
		FlashFreq string `json:"flash_freq"`
	} `json:"flash_settings"`
	FlashFiles map[string]string `json:"flash_files"`
	Extra      struct {
		Chip string `json:"chip"`
	} `json:"extra_esptool_args"`
	entries map[string]flashEntry
}

// projectDescription is the part of build/project_description.json the import reads
// (tools/cmake/project_description.json.in).
type projectDescription struct {
	ProjectName string `json:"project_name"`
	ProjectPath string `json:"project_path"`
	ConfigFile  string `json:"config_file"`
	AppBin      string `json:"app_bin"`
}

// IDFResult is an imported build: the manifest and what was read to make it.
type IDFResult struct {
	Manifest *Manifest
	// Flash is the build's flash_files by offset (paths inside the build directory),
	// what `esptool.py write_flash @flash_args` would write.
	Flash map[uint32]string
	// ConfigFile is the sdkconfig read ("" when none was found).
	ConfigFile string
}

// FromIDF reads an ESP-IDF build directory and returns a manifest that places the same
// images at the same offsets. Paths in the manifest are relative to manifestDir.
// Every error names the file it comes from.
func FromIDF(fsys afero.Fs, buildDir, manifestDir string) (*IDFResult, error) {
	fa, err := readFlasherArgs(fsys, buildDir)
	if err != nil {
		return nil, err
	}
	var desc projectDescription
	if b, err := afero.ReadFile(fsys, filepath.Join(buildDir, "project_description.json")); err == nil {
		if err := json.Unmarshal(b, &desc); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(buildDir, "project_description.json"), err)
		}
	}
	projectDir := filepath.Dir(filepath.Clean(buildDir))
	if desc.ProjectPath != "" {
		if st, err := fsys.Stat(desc.ProjectPath); err == nil && st.IsDir() {
			projectDir = desc.ProjectPath
		}
	}
	cfg, cfgFile, err := readSDKConfig(fsys, buildDir, projectDir, desc.ConfigFile)
	if err != nil {
		return nil, err
	}
	rel := func(p string) (string, error) {
		if !filepath.IsAbs(p) {
			p = filepath.Join(buildDir, p)
		}
		return relPath(manifestDir, p)
	}

	m := &Manifest{}
	res := &IDFResult{Manifest: m, Flash: map[uint32]string{}, ConfigFile: cfgFile}
	m.Chip = fa.Extra.Chip
	if m.Chip == "" {
		m.Chip = cfg["IDF_TARGET"]
	}
	if m.Chip == "" {
		return nil, fmt.Errorf("%s: no chip (extra_esptool_args.chip) and no IDF_TARGET in sdkconfig", filepath.Join(buildDir, "flasher_args.json"))
	}
	m.FlashSize = fa.FlashSettings.FlashSize
	if m.FlashSize == "" || m.FlashSize == "detect" || m.FlashSize == "keep" {
		m.FlashSize = cfg["ESPTOOLPY_FLASHSIZE"]
	}
	if m.FlashSize == "" {
		return nil, fmt.Errorf("%s: flash_size is %q and sdkconfig has no ESPTOOLPY_FLASHSIZE; the manifest needs a flash size",
			filepath.Join(buildDir, "flasher_args.json"), fa.FlashSettings.FlashSize)
	}
	m.FlashMode = keepEmpty(fa.FlashSettings.FlashMode)
	m.FlashFreq = keepEmpty(fa.FlashSettings.FlashFreq)
	m.OutputName = desc.ProjectName
	if m.OutputName == "" && fa.entries["app"].File != "" {
		m.OutputName = strings.TrimSuffix(filepath.Base(fa.entries["app"].File), ".bin")
	}
	m.Header = []string{
		"Imported by `espcompose init --from-idf " + filepath.ToSlash(buildDir) + "`.",
		"The first `espcompose build` writes the images of that build at the same offsets.",
	}
	if cfgFile != "" {
		m.Header = append(m.Header, "Settings read from "+filepath.ToSlash(cfgFile)+".")
	}

	offsets := make([]uint32, 0, len(fa.FlashFiles))
	for k, v := range fa.FlashFiles {
		off, err := parseOffset(k)
		if err != nil {
			return nil, fmt.Errorf("%s: flash_files key %q: %v", filepath.Join(buildDir, "flasher_args.json"), k, err)
		}
		if prev, dup := res.Flash[off]; dup {
			return nil, fmt.Errorf("%s: flash_files has %s and %s both at 0x%x", filepath.Join(buildDir, "flasher_args.json"), prev, v, off)
		}
		res.Flash[off] = v
		offsets = append(offsets, off)
	}
	sort.Slice(offsets, func(i, j int) bool { return offsets[i] < offsets[j] })
	entryAt := func(name string) (uint32, string, bool) {
		e, ok := fa.entries[name]
		if !ok {
			return 0, "", false
		}
		off, err := parseOffset(e.Offset)
		return off, e.File, err == nil
	}

	// The partition table first: every other file is placed by it.
	ptOff, ptFile, ok := entryAt("partition-table")
	if !ok {
		n, _ := strconv.ParseUint(cfg["PARTITION_TABLE_OFFSET"], 0, 32)
		ptOff = uint32(n)
		ptFile = res.Flash[ptOff]
	}
	if ptFile == "" {
		return nil, fmt.Errorf("%s: no partition-table entry in flash_files", filepath.Join(buildDir, "flasher_args.json"))
	}
	ptPath := filepath.Join(buildDir, ptFile)
	ptBytes, err := afero.ReadFile(fsys, ptPath)
	if err != nil {
		return nil, err
	}
	table, err := parttable.Decode(ptBytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ptPath, err)
	}
	m.Table = &Table{Offset: ptOff, Comment: []string{"From " + filepath.ToSlash(ptPath) + "."}}
	if !hasMD5Record(ptBytes) {
		f := false
		m.Table.MD5 = &f
	}
	if note := compareCSV(fsys, cfg, projectDir, ptOff, table); note != "" {
		m.Table.Comment = append(m.Table.Comment, note)
	}
	m.Partitions = partitionsOf(table, nil)
	partAt := map[uint32]*Partition{}
	for i := range m.Partitions {
		partAt[*m.Partitions[i].Offset] = &m.Partitions[i]
	}

	sbSigned := cfg.on("SECURE_BOOT") && cfg.on("SECURE_BOOT_BUILD_SIGNED_BINARIES")
	blOff, blFile, hasBL := entryAt("bootloader")
	appOff, appFile, hasApp := entryAt("app")
	for _, off := range offsets {
		file := res.Flash[off]
		full := filepath.Join(buildDir, file)
		switch {
		case off == ptOff:
			// espcompose generates the table from the partition blocks.
		case hasBL && off == blOff && file == blFile:
			src, note := unsignedSibling(fsys, full, sbSigned)
			r, err := rel(src)
			if err != nil {
				return nil, err
			}
			m.Images = append(m.Images, Image{Name: "bootloader", File: r, Comment: note})
			o := off
			m.Bootloader = &Bootloader{Image: "image.bootloader", Offset: &o}
		case hasApp && off == appOff && file == appFile:
			p := partAt[off]
			if p == nil || p.Type != "app" {
				return nil, fmt.Errorf("%s: the app is flashed at 0x%x, where %s has no app partition", filepath.Join(buildDir, "flasher_args.json"), off, ptPath)
			}
			src, note := unsignedSibling(fsys, full, sbSigned)
			r, err := rel(src)
			if err != nil {
				return nil, err
			}
			im := Image{Name: "app", File: r, Comment: note}
			if data, err := afero.ReadFile(fsys, src); err != nil {
				return nil, err
			} else if img, err := appimage.Decode(data); err == nil && img.AppDesc != nil {
				// The project name only: a version pinned here would refuse the next release.
				im.ExpectProject = img.AppDesc.ProjectName
				im.Comment = append(im.Comment, fmt.Sprintf("Built as %s %s with ESP-IDF %s.", img.AppDesc.ProjectName, img.AppDesc.Version, img.AppDesc.IDFVersion))
			}
			m.Images = append(m.Images, im)
			p.Contents = "image.app"
		default:
			p := partAt[off]
			if p == nil {
				return nil, fmt.Errorf("%s: flash_files writes %s at 0x%x, where no partition of %s starts", filepath.Join(buildDir, "flasher_args.json"), file, off, ptPath)
			}
			data, err := afero.ReadFile(fsys, full)
			if err != nil {
				return nil, err
			}
			if p.Type == "data" && p.Subtype == "ota" && uint32(len(data)) == p.Size && allFF(data) {
				p.Comment = append(p.Comment, filepath.ToSlash(file)+" is blank; espcompose writes the same blank otadata.")
				continue
			}
			r, err := rel(full)
			if err != nil {
				return nil, err
			}
			p.File = r
		}
	}
	if m.Bootloader == nil {
		return nil, fmt.Errorf("%s: no bootloader in flash_files", filepath.Join(buildDir, "flasher_args.json"))
	}
	importSecurity(m, cfg, projectDir, manifestDir)
	return res, nil
}

func readFlasherArgs(fsys afero.Fs, buildDir string) (*flasherArgs, error) {
	path := filepath.Join(buildDir, "flasher_args.json")
	b, err := afero.ReadFile(fsys, path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s not found: is %s an ESP-IDF build directory? Run idf.py build first", path, buildDir)
	}
	if err != nil {
		return nil, err
	}
	fa := &flasherArgs{}
	if err := json.Unmarshal(b, fa); err != nil {
		return nil, fmt.Errorf("%s: %w", path, jsonErr(b, err))
	}
	var all map[string]json.RawMessage
	_ = json.Unmarshal(b, &all)
	fa.entries = map[string]flashEntry{}
	for k, raw := range all {
		var e flashEntry
		if json.Unmarshal(raw, &e) == nil && e.Offset != "" && e.File != "" {
			fa.entries[k] = e
		}
	}
	if len(fa.FlashFiles) == 0 {
		return nil, fmt.Errorf("%s: flash_files is empty", path)
	}
	return fa, nil
}

// jsonErr adds the byte offset to a JSON syntax error.
func jsonErr(b []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := bytes.Count(b[:min(int(se.Offset), len(b))], []byte("\n")) + 1
		return fmt.Errorf("line %d (byte %d): %v", line, se.Offset, err)
	}
	return err
}

// readSDKConfig prefers the build's config/sdkconfig.json (what this build used), then
// the project's sdkconfig. No config at all is allowed: flasher_args.json alone places
// every image; only security and the CSV check need it.
func readSDKConfig(fsys afero.Fs, buildDir, projectDir, described string) (sdkconfig, string, error) {
	jsonPath := filepath.Join(buildDir, "config", "sdkconfig.json")
	if b, err := afero.ReadFile(fsys, jsonPath); err == nil {
		c, err := parseSDKConfigJSON(b, jsonPath)
		return c, jsonPath, err
	}
	for _, p := range []string{described, filepath.Join(projectDir, "sdkconfig"), filepath.Join(buildDir, "sdkconfig")} {
		if p == "" {
			continue
		}
		if b, err := afero.ReadFile(fsys, p); err == nil {
			c, err := parseSDKConfig(b, p)
			return c, p, err
		}
	}
	return sdkconfig{}, "", nil
}

// compareCSV checks the table binary against the CSV sdkconfig names, when that CSV
// is in the project; it returns a comment line saying what it found.
func compareCSV(fsys afero.Fs, cfg sdkconfig, projectDir string, off uint32, built *parttable.Table) string {
	name := cfg["PARTITION_TABLE_CUSTOM_FILENAME"]
	if !cfg.on("PARTITION_TABLE_CUSTOM") || name == "" {
		return ""
	}
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(projectDir, name)
	}
	raw, err := afero.ReadFile(fsys, path)
	if err != nil {
		return "sdkconfig names " + name + ", which is not in the project; the binary table was imported."
	}
	t, err := parttable.ParseCSV(bytes.NewReader(raw), path, parttable.Options{Offset: off})
	if err != nil {
		return fmt.Sprintf("%s does not parse (%v); the binary table was imported.", filepath.ToSlash(path), err)
	}
	if len(t.Entries) != len(built.Entries) {
		return fmt.Sprintf("WARNING: %s has %d partitions but the built table has %d; the built table was imported.", filepath.ToSlash(path), len(t.Entries), len(built.Entries))
	}
	for i, e := range t.Entries {
		b := built.Entries[i]
		name := e.Name
		if len(name) > 16 {
			name = name[:16] // the binary keeps 16 bytes of a name
		}
		if name != b.Name || e.Type != b.Type || e.Subtype != b.Subtype || e.Offset != b.Offset || e.Size != b.Size ||
			e.Encrypted != b.Encrypted || e.Readonly != b.Readonly {
			return fmt.Sprintf("WARNING: %s line %d (%s) differs from the built table; the built table was imported. Rebuild with idf.py or check the CSV.", filepath.ToSlash(path), e.Line, e.Name)
		}
	}
	return "Matches " + filepath.ToSlash(path) + " (sdkconfig PARTITION_TABLE_CUSTOM_FILENAME)."
}

// hasMD5Record reports whether a table binary carries gen_esp32part's MD5 record
// (EB EB, 14 bytes 0xFF, the digest); without it the manifest says md5 = false.
func hasMD5Record(b []byte) bool {
	for off := 0; off+parttable.EntrySize <= len(b) && off < parttable.TableSize; off += parttable.EntrySize {
		if b[off] == 0xEB && b[off+1] == 0xEB {
			return true
		}
		if b[off] == 0xFF && b[off+1] == 0xFF {
			return false
		}
	}
	return false
}

// unsignedSibling prefers NAME-unsigned.bin beside a signed image: espcompose signs
// itself, after writing the flash header fields, and a signed input would be signed
// twice. ESP-IDF names it so in tools/cmake/build.cmake (project_bin_unsigned) and
// components/bootloader/subproject/CMakeLists.txt (bootloader-unsigned.bin), esp-idf
// 102122904ade11fd1ae373848f34ffd7dfb18aeb.
func unsignedSibling(fsys afero.Fs, path string, signed bool) (string, []string) {
	if !signed {
		return path, nil
	}
	u := strings.TrimSuffix(path, ".bin") + "-unsigned.bin"
	if _, err := fsys.Stat(u); err == nil {
		return u, []string{"The unsigned image: espcompose signs it with the secure boot key."}
	}
	return path, []string{"WARNING: " + filepath.Base(path) + " is already signed by the ESP-IDF build and no -unsigned.bin is beside it."}
}

func parseOffset(s string) (uint32, error) {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 0, 32)
	return uint32(n), err
}

func keepEmpty(s string) string {
	if s == "keep" || s == "detect" {
		return ""
	}
	return s
}

func allFF(b []byte) bool {
	for _, c := range b {
		if c != 0xFF {
			return false
		}
	}
	return true
}

// relPath spells target relative to dir, with forward slashes as manifests do.
func relPath(dir, target string) (string, error) {
	ad, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	at, err := filepath.Abs(target)
	if err != nil {
		return "", err
	}
	r, err := filepath.Rel(ad, at)
	if err != nil {
		return "", err
	}
	return filepath.ToSlash(r), nil
}
