package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/compose"
	"github.com/espcompose/espcompose/format/flashenc"
	"github.com/espcompose/espcompose/format/ihex"
	"github.com/espcompose/espcompose/format/parttable"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/outputs"
)

// A golden digest pins what a build makes, not whether it is right: it pinned a
// devices.json listing no device. TestGoldenContent therefore builds every example,
// decodes each file its golden.sha256sums pins and checks it against the manifest, and
// fails for any pinned file that no check decoded. docs/goldens.md lists the checks.
func TestGoldenContent(t *testing.T) {
	for _, dir := range exampleDirs(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			work := t.TempDir()
			copyTree(t, dir, work)
			dist := filepath.Join(work, "dist")
			if code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "build", "-f", filepath.Join(work, "espcompose.hcl"), "-o", dist); code != 0 {
				t.Fatalf("build: exit %d\n%s", code, stderr)
			}
			golden, err := os.ReadFile(filepath.Join(dir, "golden.sha256sums"))
			if err != nil {
				t.Fatal(err)
			}
			sums, _ := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
			if !bytes.Equal(golden, sums) {
				t.Errorf("golden.sha256sums differs from the build's SHA256SUMS")
			}
			checked := map[string]bool{}
			cfgs := evalExample(t, work)
			if len(cfgs) == 1 && cfgs[0].DeviceID == "" {
				g := &goldenDist{t: t, cfg: cfgs[0], work: work, root: dist, checked: checked}
				g.checkAll()
			} else {
				for _, cfg := range cfgs {
					rel := "devices/" + cfg.DeviceID + "/"
					g := &goldenDist{t: t, cfg: cfg, work: work, root: filepath.Join(dist, filepath.FromSlash(rel)), prefix: rel, checked: checked}
					g.checkAll()
					g.checkSums()
					checkBatchRecord(t, dist, cfg, work, checked)
				}
				checkDevicesIndex(t, dist, deviceIDs(cfgs), cfgs[0].Output.Name+"-factory.bin")
				checked["devices.json"] = true
				checkDevicesCSV(t, dist, deviceIDs(cfgs), checked)
			}
			for _, line := range strings.Split(strings.TrimSuffix(string(golden), "\n"), "\n") {
				sum, name, ok := strings.Cut(line, "  ")
				if !ok {
					t.Fatalf("golden line %q", line)
				}
				data, err := os.ReadFile(filepath.Join(dist, filepath.FromSlash(name)))
				if err != nil {
					t.Errorf("golden pins %s, which the build did not make", name)
					continue
				}
				if sha256hex(data) != sum {
					t.Errorf("golden pins %s at %s, the file hashes to %s", name, sum, sha256hex(data))
				}
				if !checked[name] {
					t.Errorf("golden pins %s but no check decodes its content; add one (see docs/goldens.md)", name)
				}
			}
		})
	}
}

// evalExample evaluates the manifest once, or once per device.
func evalExample(t *testing.T, work string) []*manifest.Config {
	t.Helper()
	fs := afero.NewOsFs()
	f, diags := manifest.Parse(fs, filepath.Join(work, "espcompose.hcl"))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	rows, diags := manifest.DeviceRows(fs, f)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if rows == nil {
		rows = []map[string]string{nil}
	}
	var cfgs []*manifest.Config
	for _, row := range rows {
		cfg, diags := manifest.Evaluate(f, manifest.Options{FS: fs, Device: row})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		cfgs = append(cfgs, cfg)
	}
	return cfgs
}

func deviceIDs(cfgs []*manifest.Config) []string {
	var ids []string
	for _, c := range cfgs {
		ids = append(ids, c.DeviceID)
	}
	return ids
}

// goldenDist checks one output folder (dist/, or one device's) against its config.
type goldenDist struct {
	t       *testing.T
	cfg     *manifest.Config
	work    string // the example's folder: manifest, keys, inputs
	root    string // the output folder
	prefix  string // its path inside dist/, for golden names
	checked map[string]bool

	flashKey []byte              // nil without pre-encryption
	entries  map[string]placed   // partition name → decoded table entry
	flashed  map[uint32]string   // offset → file, as the manifest implies
	plain    map[string][]byte   // region file → decrypted contents
	apps     map[string]appCheck // image name → its decoded plaintext and input
}

type placed struct {
	parttable.Entry
	part *manifest.Partition
}

func (g *goldenDist) read(rel string) []byte {
	g.t.Helper()
	data, err := os.ReadFile(filepath.Join(g.root, filepath.FromSlash(rel)))
	if err != nil {
		g.t.Fatal(err)
	}
	return data
}

// claim records that rel's content was decoded and checked.
func (g *goldenDist) claim(rel string) { g.checked[g.prefix+rel] = true }

func (g *goldenDist) readInput(path string) []byte {
	g.t.Helper()
	if !filepath.IsAbs(path) {
		path = filepath.Join(g.work, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		g.t.Fatal(err)
	}
	return data
}

// decrypt undoes flash encryption of data flashed at off; plaintext regions pass.
func (g *goldenDist) decrypt(data []byte, off uint32, encrypted bool) []byte {
	g.t.Helper()
	if !encrypted || g.flashKey == nil {
		return data
	}
	scheme, err := flashenc.SchemeFor(g.cfg.Target.Chip, len(g.flashKey))
	if err != nil {
		g.t.Fatal(err)
	}
	out := make([]byte, len(data))
	if err := flashenc.Decrypt(out, data, g.flashKey, off, flashenc.Options{Scheme: scheme}); err != nil {
		g.t.Fatalf("decrypt at 0x%x: %v", off, err)
	}
	return out
}

// encryptedByRule is ESP-IDF's rule for what flash encryption covers: bootloader,
// partition tables, otadata, apps, nvs_keys and partitions flagged encrypted; never NVS.
func encryptedByRule(p *manifest.Partition) bool {
	return p.Type == 0 || (p.Type == 1 && (p.Subtype == 0 || p.Subtype == 4)) || p.Encrypted
}

// init reads the flash encryption key and decodes the partition tables, which
// every other check needs.
func (g *goldenDist) init() {
	cfg := g.cfg
	if fe := cfg.Security; fe != nil && fe.FlashEncryption != nil && !fe.FlashEncryption.DeviceEncrypts {
		g.flashKey = g.keyBytes(cfg.Key(fe.FlashEncryption.Key.Name))
	}
	g.plain, g.apps = map[string][]byte{}, map[string]appCheck{}
	g.checkTables()
}

func (g *goldenDist) checkAll() {
	g.init()
	g.checkFlashArgs()
	g.checkMerged()
	g.checkBootloader()
	g.checkPartitions()
	g.checkOTA()
	g.checkEfusePlan()
	g.checkPublicKeys()
	g.checkRecord()
	g.checkReports()
}

// checkTables decodes partition-table.bin and every nested table and compares them
// with the manifest's partitions, placing those without an offset as gen_esp32part
// does: after the table's sector, apps on 64 KiB and data on 4 KiB boundaries.
func (g *goldenDist) checkTables() {
	cfg := g.cfg
	g.entries, g.flashed = map[string]placed{}, map[uint32]string{}
	bootOff := uint32(0)
	if cfg.Bootloader.Offset != nil {
		bootOff = *cfg.Bootloader.Offset
	} else if off, ok := map[string]uint32{"esp32": 0x1000, "esp32s2": 0x1000, "esp32p4": 0x2000, "esp32c5": 0x2000}[cfg.Target.Chip]; ok {
		bootOff = off
	}
	g.flashed[bootOff] = "bootloader.bin"
	tableOff := cfg.PartitionTable.Offset
	if tableOff == 0 {
		tableOff = parttable.DefaultOffset
	}
	g.flashed[tableOff] = "partition-table.bin"
	var check func(file string, off uint32, encrypted bool, parts []*manifest.Partition)
	check = func(file string, off uint32, encrypted bool, parts []*manifest.Partition) {
		raw := g.decrypt(g.read(file), off, encrypted)
		tbl, err := parttable.Decode(raw)
		if err != nil {
			g.t.Fatalf("%s: %v", file, err)
		}
		if len(tbl.Entries) != len(parts) {
			g.t.Fatalf("%s holds %d partitions, the manifest declares %d", file, len(tbl.Entries), len(parts))
		}
		g.plain[file] = raw
		g.claim(file)
		cursor := off + parttable.SectorSize
		for i, p := range parts {
			want := parttable.Entry{Name: p.Name, Type: p.Type, Subtype: p.Subtype, Size: p.Size, Encrypted: p.Encrypted, Readonly: p.Readonly}
			if p.Offset != nil {
				want.Offset = *p.Offset
			} else {
				align := uint32(0x1000)
				if p.Type == 0 {
					align = 0x10000
				}
				want.Offset = (cursor + align - 1) / align * align
			}
			cursor = want.Offset + p.Size
			got := tbl.Entries[i]
			got.Line = 0
			if got != want {
				g.t.Errorf("%s entry %d = %+v, manifest says %+v", file, i, got, want)
			}
			if end := uint64(got.Offset) + uint64(got.Size); end > uint64(cfg.Target.FlashSize) {
				g.t.Errorf("%s: %s ends at 0x%x, past the %s flash", file, p.Name, end, cfg.Target.FlashSizeName)
			}
			g.entries[p.Name] = placed{want, p}
			if p.Table != nil {
				nested := "partitions/" + p.Name + ".table.bin"
				g.flashed[want.Offset] = nested
				check(nested, want.Offset, p.Encrypted, p.Children)
			}
			if p.Contents != nil || p.File != "" || p.Fill != nil || (p.Type == 1 && p.Subtype == 0) {
				g.flashed[want.Offset] = "partitions/" + p.Name + ".bin"
			}
		}
	}
	check("partition-table.bin", tableOff, true, cfg.Partitions)
}

// checkFlashArgs: flash_args and flasher_args.json name exactly the regions the
// manifest implies, at the decoded offsets, and keep the headers' flash settings.
func (g *goldenDist) checkFlashArgs() {
	var want []string
	for off, file := range g.flashed {
		want = append(want, fmt.Sprintf("0x%x %s", off, file))
	}
	sort.Slice(want, func(i, j int) bool { return offsetOf(want[i]) < offsetOf(want[j]) })
	lines := strings.Split(strings.TrimSuffix(string(g.read("flash_args")), "\n"), "\n")
	if lines[0] != "--flash_mode keep --flash_freq keep --flash_size keep" || strings.Join(lines[1:], "\n") != strings.Join(want, "\n") {
		g.t.Errorf("flash_args:\n%s\nwant the keep flags and\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	g.claim("flash_args")
	var fa struct {
		WriteFlashArgs []string          `json:"write_flash_args"`
		Settings       map[string]string `json:"flash_settings"`
		Files          map[string]string `json:"flash_files"`
		Extra          map[string]any    `json:"extra_esptool_args"`
	}
	if err := json.Unmarshal(g.read("flasher_args.json"), &fa); err != nil {
		g.t.Fatal(err)
	}
	tg := g.cfg.Target
	if strings.Join(fa.WriteFlashArgs, " ") != lines[0] || fa.Extra["chip"] != tg.Chip ||
		fa.Settings["flash_mode"] != tg.FlashMode || fa.Settings["flash_freq"] != tg.FlashFreq || fa.Settings["flash_size"] != tg.FlashSizeName {
		g.t.Errorf("flasher_args.json settings %v %v %v do not match the target", fa.WriteFlashArgs, fa.Settings, fa.Extra)
	}
	if len(fa.Files) != len(g.flashed) {
		g.t.Errorf("flasher_args.json lists %d files, want %d", len(fa.Files), len(g.flashed))
	}
	for off, file := range g.flashed {
		if fa.Files[fmt.Sprintf("0x%x", off)] != file {
			g.t.Errorf("flasher_args.json: 0x%x is %q, want %s", off, fa.Files[fmt.Sprintf("0x%x", off)], file)
		}
	}
	g.claim("flasher_args.json")
}

func offsetOf(line string) uint64 {
	var off uint64
	fmt.Sscanf(line, "0x%x", &off)
	return off
}

// checkMerged: the factory image holds each flashed file at its offset and erased
// flash (0xFF) everywhere else; the Intel HEX holds exactly the same bytes.
func (g *goldenDist) checkMerged() {
	name := g.cfg.Output.Name
	if name == "" {
		name = "flash"
	}
	merged := g.read(name + "-factory.bin")
	covered := make([]bool, len(merged))
	end := 0
	for off, file := range g.flashed {
		data := g.read(file)
		if int(off)+len(data) > len(merged) || !bytes.Equal(merged[off:int(off)+len(data)], data) {
			g.t.Errorf("%s-factory.bin does not hold %s at 0x%x", name, file, off)
			continue
		}
		for i := range data {
			covered[int(off)+i] = true
		}
		end = max(end, int(off)+len(data))
	}
	if g.cfg.Output.FillFlash {
		end = int(g.cfg.Target.FlashSize)
	}
	if len(merged) != end {
		g.t.Errorf("%s-factory.bin is %d bytes, want %d", name, len(merged), end)
	}
	for i, b := range merged {
		if !covered[i] && b != 0xFF {
			g.t.Errorf("%s-factory.bin: byte 0x%x outside every region is 0x%02x, not erased flash", name, i, b)
			break
		}
	}
	g.claim(name + "-factory.bin")
	if !g.cfg.Output.Hex {
		return
	}
	f, err := ihex.Decode(g.read(name + "-factory.hex"))
	if err != nil {
		g.t.Fatal(err)
	}
	img := bytes.Repeat([]byte{0xFF}, len(merged))
	for _, s := range f.Segments {
		if int(s.Addr)+len(s.Data) > len(img) {
			g.t.Fatalf("%s-factory.hex has data at 0x%x past the image", name, s.Addr)
		}
		copy(img[s.Addr:], s.Data)
	}
	if !bytes.Equal(img, merged) {
		g.t.Errorf("%s-factory.hex does not hold the bytes of %s-factory.bin", name, name)
	}
	g.claim(name + "-factory.hex")
}

// checkSums: a device's SHA256SUMS lists every other file of its folder, correctly;
// the batch's marker and record are the publisher's, checked by checkBatchRecord.
func (g *goldenDist) checkSums() {
	var names []string
	_ = filepath.Walk(g.root, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			rel, _ := filepath.Rel(g.root, p)
			if rel != "SHA256SUMS" && rel != outputs.Marker && rel != compose.RecordName {
				names = append(names, filepath.ToSlash(rel))
			}
		}
		return err
	})
	sort.Strings(names)
	var want strings.Builder
	for _, n := range names {
		fmt.Fprintf(&want, "%s  %s\n", sha256hex(g.read(n)), n)
	}
	if got := string(g.read("SHA256SUMS")); got != want.String() {
		g.t.Errorf("%sSHA256SUMS:\n%s\nwant\n%s", g.prefix, got, want.String())
	}
	g.claim("SHA256SUMS")
}
