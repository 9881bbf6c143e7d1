package importer

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/importer/mfg"
)

// MfgOptions are mfg_gen.py generate's arguments, and where the manifest goes.
type MfgOptions struct {
	Config, Values string // CONFIG and VALUES, as paths on the file system
	Prefix         string // PREFIX
	Size           uint32 // SIZE, the NVS partition size
	FileID         string // --fileid ("" numbers the devices from 1)
	PrefixNum      []int  // --prefix_num START DIGITS, or nil
	Version        int    // --version 1 or 2 (0: 2)

	KeyGen         bool   // --keygen: a fresh nvs_keys image per device
	InputKey       string // --inputkey: one nvs_keys image for every device
	KeyProtectHMAC bool   // --key_protect_hmac: XTS keys derived from an HMAC key
	KPHMACKeyGen   bool   // --kp_hmac_keygen: a fresh HMAC key per device
	KPHMACInputKey string // --kp_hmac_inputkey: one HMAC key for every device

	// ManifestDir is the folder the manifest is written to; file paths in it and in
	// the devices CSV are made relative to it. WorkDir is the folder mfg_gen would
	// run in (its relative paths resolve from there); it matters only when one of
	// ManifestDir and a path is absolute and the other not. "" means ".".
	ManifestDir, WorkDir string
	DevicesCSV           string // the devices CSV's name, relative to ManifestDir
	Chip, FlashSize      string

	fs afero.Fs
}

// MfgResult is an imported batch: the manifest and the devices CSV it reads.
type MfgResult struct {
	Manifest   *Manifest
	DevicesCSV []byte
	Devices    int
}

// entryPlan is one config data/file row and how it becomes an entry.
type entryPlan struct {
	conf   int // index into Batch.ConfRows
	line   int // config file line
	key    string
	kind   string // "data" or "file"
	enc    string
	repeat bool
	column int // values column (the same for every device)
	ns     int // index of its namespace group
}

// FromMfg reads mfg_gen's config and values CSVs and returns the manifest and devices
// CSV whose build writes, per device, the NVS partition image `mfg_gen.py generate`
// writes to bin/PREFIX-ID.bin, under dist/devices/PREFIX-ID/partitions/nvs.bin. The
// parsing and row expansion are importer/mfg's, shared with the mfg_gen drop-in; each
// device's rows are then decoded as nvs_partition_gen decodes them, so anything the
// reference would refuse, or that a devices CSV cannot carry unchanged, is an error
// naming the file and line.
func FromMfg(fsys afero.Fs, o MfgOptions) (*MfgResult, error) {
	o.fs = fsys
	if o.DevicesCSV == "" {
		o.DevicesCSV = "devices.csv"
	}
	if o.Size%4096 != 0 || o.Size < 0x3000 {
		return nil, fmt.Errorf("SIZE 0x%x: an NVS partition is a multiple of 4096 bytes and at least 0x3000", o.Size)
	}
	if o.Version != 0 && o.Version != 1 && o.Version != 2 {
		return nil, fmt.Errorf("--version %d: NVS format version 1 or 2", o.Version)
	}
	b, err := readMfg(fsys, o)
	if err != nil {
		return nil, err
	}
	if len(b.Values) == 0 {
		return nil, fmt.Errorf("%s: no device rows after the header", o.Values)
	}
	naming := mfg.Naming{Prefix: o.Prefix, FileID: o.FileID}
	if len(o.PrefixNum) == 2 {
		naming.PrefixNum, naming.PrefixStart, naming.PrefixDigits = true, o.PrefixNum[0], o.PrefixNum[1]
	}
	devs := b.Devices(naming)
	plans, groups, err := planEntries(b, o)
	if err != nil {
		return nil, err
	}
	version := o.Version
	if version == 0 {
		version = 2
	}
	seen := map[string]int{}
	for i := range devs {
		d := &devs[i]
		at := fmt.Sprintf("%s:%d", o.Values, d.Line)
		if d.Err != nil {
			return nil, fmt.Errorf("%s: mfg_gen cannot pair this row's values with the config's keys (%v): a value equals a config key name", at, d.Err)
		}
		if !validID(d.Stem) {
			return nil, fmt.Errorf("%s: device file name %q: espcompose names each device's folder by it, which takes only letters, digits, '.', '-' and '_'", at, d.Stem)
		}
		if first, dup := seen[d.Stem]; dup {
			return nil, fmt.Errorf("%s: device file name %q repeats line %d (mfg_gen stops there: the file already exists)", at, d.Stem, first)
		}
		seen[d.Stem] = d.Line
		for _, p := range plans {
			if c := d.Columns[p.conf]; c != p.column {
				return nil, fmt.Errorf("%s: mfg_gen pairs config key %q (%s:%d) with column %d here but column %d in the first row: a value equals a config key name", at, p.key, o.Config, p.line, c+1, p.column+1)
			}
		}
	}
	// Decode every device as the reference does: this is what its image holds.
	cells := make([][]string, len(devs)) // per device, per plan: the devices CSV cell
	for i := range devs {
		if cells[i], err = deviceCells(fsys, o, b, &devs[i], plans, groups, version); err != nil {
			return nil, err
		}
	}
	return mfgManifest(o, b, devs, plans, groups, cells, version)
}

func readMfg(fsys afero.Fs, o MfgOptions) (*mfg.Batch, error) {
	read := func(p string) ([]mfg.Row, error) {
		raw, err := afero.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		rows, err := mfg.ReadRows(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", p, err)
		}
		return rows, nil
	}
	conf, err := read(o.Config)
	if err != nil {
		return nil, err
	}
	values, err := read(o.Values)
	if err != nil {
		return nil, err
	}
	b, err := mfg.Check(conf, values, o.FileID)
	var me *mfg.Error
	if errors.As(err, &me) {
		switch me.Kind {
		case mfg.ConfigEmpty:
			return nil, fmt.Errorf("%s: the config file is empty", o.Config)
		case mfg.ValuesEmpty:
			return nil, fmt.Errorf("%s: the values file is empty", o.Values)
		case mfg.FileIDMissing:
			return nil, fmt.Errorf("%s:%d: --fileid %q is not a column of the header", o.Values, values[0].Line, me.Key)
		case mfg.ValueCount:
			return nil, fmt.Errorf("%s:%d: %d values for the header's %d columns", o.Values, me.Line, len(values[me.Index-1].Fields), len(values[0].Fields))
		case mfg.KeysMissing:
			var msgs []string
			for _, m := range me.Missing {
				msgs = append(msgs, fmt.Sprintf("%s:%d: key %q is not a column of %s (the values header must name the config's keys in the config's order)", o.Config, m.Line, m.Key, o.Values))
			}
			return nil, errors.New(strings.Join(msgs, "\n"))
		}
		f := conf[me.Index-1].Fields
		at := fmt.Sprintf("%s:%d", o.Config, me.Line)
		switch me.Kind {
		case mfg.MissingData:
			return nil, fmt.Errorf("%s: key %q: %d columns; a config row is key,type,encoding (and REPEAT)", at, me.Key, len(f))
		case mfg.BadType:
			typ := ""
			if len(f) > 1 {
				typ = f[1]
			}
			return nil, fmt.Errorf("%s: key %q: type %q is not data, file or namespace", at, me.Key, typ)
		case mfg.BadEncoding:
			enc := ""
			if len(f) > 2 {
				enc = f[2]
			}
			return nil, fmt.Errorf("%s: key %q: unknown encoding %q (mfg_gen takes %s)", at, me.Key, enc, strings.Join(mfg.Encodings, ", "))
		}
		return nil, fmt.Errorf("%s: %s", at, me.Error())
	}
	return b, err
}

// planEntries maps the config's rows to entries and namespace groups. A namespace
// row naming a namespace seen before starts nothing: as in nvs_partition_gen, the
// rows after it stay in the latest namespace.
func planEntries(b *mfg.Batch, o MfgOptions) ([]entryPlan, []string, error) {
	var plans []entryPlan
	var groups []string
	keys := map[string]map[string]int{} // per namespace group: key → config line
	for i, cr := range b.ConfRows {
		line := b.ConfLines[i]
		at := fmt.Sprintf("%s:%d", o.Config, line)
		if slices.Contains(cr, "namespace") {
			if !slices.Contains(groups, cr[0]) {
				groups = append(groups, cr[0])
				keys[cr[0]] = map[string]int{}
			}
			continue
		}
		if len(groups) == 0 {
			return nil, nil, fmt.Errorf("%s: key %q comes before any namespace row", at, cr[0])
		}
		if len(cr) != 3 {
			// nvs_partition_gen would read the extra field, not the device's value.
			return nil, nil, fmt.Errorf("%s: key %q: %d columns besides REPEAT; mfg_gen writes the extra ones into the value column", at, cr[0], len(cr))
		}
		switch cr[0] {
		case "sta.ssid", "sta.pswd", "ap.ssid", "ap.passwd", "ap.authmode":
			return nil, nil, fmt.Errorf("%s: key %q: nvs_partition_gen adds Wi-Fi entries of its own for it, which an entry block does not; keep it in a CSV read with import_csv", at, cr[0])
		}
		ns := len(groups) - 1
		if first, dup := keys[groups[ns]][cr[0]]; dup {
			return nil, nil, fmt.Errorf("%s: key %q is already in namespace %q (%s:%d); an NVS namespace holds a key once", at, cr[0], groups[ns], o.Config, first)
		}
		keys[groups[ns]][cr[0]] = line
		col := slices.Index(b.Header, cr[0])
		plans = append(plans, entryPlan{conf: i, line: line, key: cr[0], kind: cr[1], enc: cr[2],
			repeat: slices.Contains(b.Repeat, cr[0]), column: col, ns: ns})
	}
	if len(plans) == 0 {
		return nil, nil, fmt.Errorf("%s: no data or file rows", o.Config)
	}
	return plans, groups, nil
}

// deviceCells decodes one device as nvs_partition_gen does and returns, per entry,
// the value to write in the devices CSV: the same bytes on flash once the manifest
// reads it (integers in decimal, hex2bin in lower case, base64 in its standard
// spelling; file paths relative to the manifest).
func deviceCells(fsys afero.Fs, o MfgOptions, b *mfg.Batch, d *mfg.Device, plans []entryPlan, groups []string, version int) ([]string, error) {
	at := fmt.Sprintf("%s:%d", o.Values, d.Line)
	im := nvs.NewCSVImporter(nil)
	im.Version = version
	im.ReadFile = func(name string) ([]byte, error) { return afero.ReadFile(fsys, name) }
	if err := im.Add(bytes.NewReader(d.CSV()), d.Stem+".csv"); err != nil {
		if inner := errors.Unwrap(err); inner != nil {
			err = inner
		}
		return nil, fmt.Errorf("%s: device %s: %v", at, d.Stem, err)
	}
	part := im.Partition()
	// The reference's image must be exactly these namespaces and entries in order.
	var got []string
	for _, ns := range part.Namespaces {
		for _, e := range ns.Entries {
			got = append(got, ns.Name+"/"+e.Key)
		}
	}
	var want []string
	for _, p := range plans {
		want = append(want, groups[p.ns]+"/"+p.key)
	}
	if !slices.Equal(got, want) || len(part.Namespaces) != len(groups) {
		return nil, fmt.Errorf("%s: nvs_partition_gen reads this config as entries %v, not the rows as written (a row starting with '#' is dropped by it)", o.Config, got)
	}
	entries := map[string]nvs.Entry{}
	for _, ns := range part.Namespaces {
		for _, e := range ns.Entries {
			entries[ns.Name+"/"+e.Key] = e
		}
	}
	cells := make([]string, len(plans))
	for j, p := range plans {
		e := entries[groups[p.ns]+"/"+p.key]
		raw := d.Rows[p.conf][3]
		where := fmt.Sprintf("%s: device %s, column %q", at, d.Stem, p.key)
		if p.kind == "file" {
			c, err := fileCell(fsys, o, raw, p.enc, e, where)
			if err != nil {
				return nil, err
			}
			cells[j] = c
			continue
		}
		switch {
		case e.Type == nvs.String || p.enc == "binary":
			// A devices CSV trims its cells and reads \r\n as \n; such a value would
			// not reach the image unchanged.
			if raw != strings.TrimSpace(raw) || strings.Contains(raw, "\r") {
				return nil, fmt.Errorf("%s: value %q has leading or trailing white space or a carriage return, which a devices CSV cannot carry (espcompose trims its cells)", where, raw)
			}
			cells[j] = raw
		case p.enc == "hex2bin":
			cells[j] = hex.EncodeToString(e.Blob)
		case p.enc == "base64":
			cells[j] = base64.StdEncoding.EncodeToString(e.Blob)
		case e.Type == nvs.U8 || e.Type == nvs.U16 || e.Type == nvs.U32 || e.Type == nvs.U64:
			cells[j] = strconv.FormatUint(e.Uint, 10)
		default:
			cells[j] = strconv.FormatInt(e.Int, 10)
		}
	}
	return cells, nil
}

// fileCell checks that the manifest's reading of a file row gives the bytes the
// reference wrote and returns the path as the manifest names it.
func fileCell(fsys afero.Fs, o MfgOptions, name, enc string, e nvs.Entry, where string) (string, error) {
	raw, err := afero.ReadFile(fsys, name)
	if err != nil {
		return "", fmt.Errorf("%s: %v", where, err)
	}
	same := true
	switch enc {
	case "hex2bin":
		b, err := hex.DecodeString(strings.TrimSpace(string(raw)))
		same = err == nil && bytes.Equal(b, e.Blob)
	case "base64":
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
		same = err == nil && bytes.Equal(b, e.Blob)
	}
	if !same {
		return "", fmt.Errorf("%s: file %s holds %s that only Python's lenient decoder reads; decode it once and use the binary encoding", where, name, enc)
	}
	rel, err := relTo(o, name)
	if err != nil {
		return "", fmt.Errorf("%s: %v", where, err)
	}
	if rel != strings.TrimSpace(rel) || strings.ContainsAny(rel, "\r\n") {
		return "", fmt.Errorf("%s: file name %q has white space at an end or a line break, which a devices CSV cannot carry", where, name)
	}
	return rel, nil
}

// relTo returns path p (relative to the working directory, as mfg_gen reads it)
// relative to the manifest's folder, with forward slashes.
func relTo(o MfgOptions, p string) (string, error) {
	dir := o.ManifestDir
	if dir == "" {
		dir = "."
	}
	if filepath.IsAbs(p) {
		return filepath.ToSlash(p), nil
	}
	if filepath.IsAbs(dir) {
		if !filepath.IsAbs(o.WorkDir) {
			return "", fmt.Errorf("cannot place %s relative to %s", p, dir)
		}
		p = filepath.Join(o.WorkDir, p)
	}
	r, err := filepath.Rel(dir, p)
	if err != nil {
		return "", err
	}
	return filepath.ToSlash(r), nil
}

func validID(id string) bool {
	if id == "" || id == "." || id == ".." {
		return false
	}
	for _, c := range id {
		if !(c == '.' || c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// csvBytes writes a devices CSV.
func csvBytes(header []string, rows [][]string) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(header); err != nil {
		return nil, err
	}
	if err := w.WriteAll(rows); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// mfgManifest assembles the manifest and the devices CSV.
func mfgManifest(o MfgOptions, b *mfg.Batch, devs []mfg.Device, plans []entryPlan, groups []string, cells [][]string, version int) (*MfgResult, error) {
	// Columns of the devices CSV: each non-REPEAT entry's, in the values header's
	// order; REPEAT entries become constants (the first row's value, as mfg_gen
	// fills them).
	colCells := map[int][]string{} // values column → one cell per device
	rawCell := func(i, c int) string {
		if f := b.Values[i].Fields; c >= 0 && c < len(f) {
			return f[c]
		}
		return ""
	}
	for j, p := range plans {
		if p.repeat {
			continue
		}
		name := b.Header[p.column]
		if name != strings.TrimSpace(name) || name == "" {
			return nil, fmt.Errorf("%s:%d: column name %q has white space at an end, which a devices CSV trims", o.Values, b.HeaderLine, name)
		}
		if !utf8.ValidString(name) || strings.IndexFunc(name, func(r rune) bool { return !strconv.IsPrint(r) }) >= 0 {
			return nil, fmt.Errorf("%s:%d: column name %q has characters a manifest cannot name", o.Values, b.HeaderLine, name)
		}
		col := make([]string, len(devs))
		for i := range devs {
			col[i] = cells[i][j]
		}
		colCells[p.column] = col
	}
	// The device id: PREFIX-${device.<fileid>} when that column holds each id as
	// is, else a column of its own holding mfg_gen's file name.
	var id Expr
	idCol := -1
	idName := ""
	if o.FileID != "" && len(o.PrefixNum) != 2 {
		c := slices.Index(b.Header, o.FileID)
		ok := c >= 0 && o.FileID == strings.TrimSpace(o.FileID)
		for i, d := range devs {
			cell := strings.TrimSpace(rawCell(i, c))
			if cc, used := colCells[c]; used {
				cell = cc[i]
			}
			ok = ok && cell == d.ID
		}
		if ok {
			idCol, idName = c, o.FileID
			id = Template(o.Prefix+"-", DeviceRef(o.FileID), "")
		}
	}
	var header []string
	var rows = make([][]string, len(devs))
	if idCol < 0 {
		idName = "mfg_file"
		for slices.Contains(b.Header, idName) {
			idName += "_"
		}
		id = Expr{Raw: DeviceRef(idName)}
		header = append(header, idName)
		for i, d := range devs {
			rows[i] = append(rows[i], d.Stem)
		}
	}
	for c, name := range b.Header {
		cc, used := colCells[c]
		if !used && c != idCol {
			continue
		}
		header = append(header, name)
		for i := range devs {
			if used {
				rows[i] = append(rows[i], cc[i])
			} else {
				rows[i] = append(rows[i], strings.TrimSpace(rawCell(i, c)))
			}
		}
	}
	devCSV, err := csvBytes(header, rows)
	if err != nil {
		return nil, err
	}

	n := NVS{Name: "mfg", Version: version, Comment: []string{
		"The rows of " + filepath.ToSlash(o.Config) + ", in its order; values from " + o.DevicesCSV + ".",
	}}
	for _, g := range groups {
		n.Namespaces = append(n.Namespaces, NVSNamespace{Name: g})
	}
	for j, p := range plans {
		e := NVSEntry{Key: p.key}
		var v Expr
		if p.repeat {
			v = Expr{Literal: cells[0][j]}
			e.Comment = []string{fmt.Sprintf("REPEAT (%s:%d): the first device's value, for every device.", filepath.ToSlash(o.Config), p.line)}
		} else {
			v = Expr{Raw: DeviceRef(b.Header[p.column])}
		}
		switch {
		case p.kind == "file":
			e.Type, e.File, e.Encoding = "blob", &v, p.enc
			if p.enc == "string" {
				e.Type = "string"
			}
		case p.enc == "string":
			e.Type, e.Value = "string", &v
		case p.enc == "binary":
			e.Type, e.Value = "blob", &v
		default: // integers, hex2bin and base64 are entry types of their own
			e.Type, e.Value = p.enc, &v
		}
		n.Namespaces[p.ns].Entries = append(n.Namespaces[p.ns].Entries, e)
	}
	if err := mfgKey(o, &n, id); err != nil {
		return nil, err
	}

	cmdline := "mfg_gen.py generate " + filepath.ToSlash(o.Config) + " " + filepath.ToSlash(o.Values) + " " + o.Prefix + " " + fmt.Sprintf("0x%x", o.Size)
	m := &Manifest{
		Header: []string{
			"Imported by `espcompose init --from-mfg` from",
			"  " + cmdline + mfgFlags(o),
			"espcompose build writes each device's NVS image, byte-identical to mfg_gen's",
			"bin/<PREFIX>-<ID>.bin, to dist/devices/<PREFIX>-<ID>/partitions/nvs.bin. Add a row",
			"to " + o.DevicesCSV + " for a new device. Image blocks and more partitions can be",
			"added around the nvs partition (mfg_gen made only the NVS image).",
		},
		Chip: o.Chip, FlashSize: o.FlashSize,
		Devices: &Devices{CSV: o.DevicesCSV, ID: id, Comment: []string{
			"One build per row; the id is mfg_gen's file name for the row.",
		}},
		Table: &Table{Offset: 0x8000},
		Partitions: []Partition{{Name: "nvs", Type: "data", Subtype: "nvs", Size: o.Size, Contents: "nvs.mfg",
			Comment: []string{fmt.Sprintf("mfg_gen's SIZE, 0x%x.", o.Size)}}},
		NVS:        []NVS{n},
		OutputName: o.Prefix,
	}
	return &MfgResult{Manifest: m, DevicesCSV: devCSV, Devices: len(devs)}, nil
}

// mfgKey declares the key mfg_gen encrypts with: with --keygen a fresh one per device
// named as mfg_gen names it (keys/keys-PREFIX-ID.bin, or the HMAC key
// keys/hmac-keys-PREFIX-ID.bin), made by the first build and kept; with --inputkey (or
// --kp_hmac_inputkey) the one file for every device.
func mfgKey(o MfgOptions, n *NVS, id Expr) error {
	perDevice := func(prefix string) Expr {
		if strings.HasPrefix(id.Raw, `"`) { // a template: splice the prefix into it
			return Expr{Raw: `"` + prefix + id.Raw[1:len(id.Raw)-1] + `.bin"`}
		}
		return Template(prefix, id.Raw, ".bin")
	}
	switch {
	case o.KeyGen && o.InputKey != "":
		return errors.New("--keygen and --inputkey are alternatives (mfg_gen refuses both)")
	case o.InputKey != "":
		// mfg_gen uses the key pair of this nvs_keys image for every device.
		if err := checkKeyFile(o, o.InputKey, "--inputkey", func(b []byte) error {
			_, err := nvs.ParseKeyPartition(b)
			return err
		}); err != nil {
			return err
		}
		f, err := relTo(o, o.InputKey)
		if err != nil {
			return err
		}
		n.Key = &NVSKey{Name: "nvs", Algorithm: "nvs-xts", File: Expr{Literal: f},
			Comment: []string{"--inputkey: one nvs_keys image for every device."}}
	case o.KeyGen && !o.KeyProtectHMAC:
		n.Key = &NVSKey{Name: "nvs", Algorithm: "nvs-xts", File: perDevice("keys/keys-"), Create: true,
			Comment: []string{"--keygen: each device's own nvs_keys image, made by the first build (mode 0600) and kept."}}
	case o.KeyGen && o.KPHMACKeyGen:
		n.Key = &NVSKey{Name: "nvs", Algorithm: "nvs-hmac", File: perDevice("keys/hmac-keys-"), Create: true,
			Comment: []string{"--keygen --key_protect_hmac --kp_hmac_keygen: each device's own HMAC key, made by the",
				"first build (mode 0600) and kept; the NVS keys are derived from it as the device derives them."}}
	case o.KeyGen && o.KPHMACInputKey != "":
		if err := checkKeyFile(o, o.KPHMACInputKey, "--kp_hmac_inputkey", func(b []byte) error {
			if len(b) != nvs.HMACKeySize {
				return fmt.Errorf("%d bytes, want %d", len(b), nvs.HMACKeySize)
			}
			return nil
		}); err != nil {
			return err
		}
		f, err := relTo(o, o.KPHMACInputKey)
		if err != nil {
			return err
		}
		n.Key = &NVSKey{Name: "nvs", Algorithm: "nvs-hmac", File: Expr{Literal: f},
			Comment: []string{"--key_protect_hmac --kp_hmac_inputkey: one HMAC key; the NVS keys are derived from it as the device derives them."}}
	case o.KeyGen:
		return errors.New("--key_protect_hmac needs --kp_hmac_keygen or --kp_hmac_inputkey (mfg_gen fails without one)")
	}
	return nil
}

// keyFS is the file system checkKeyFile reads from; FromMfg sets it.
func checkKeyFile(o MfgOptions, path, flag string, check func([]byte) error) error {
	if o.fs == nil {
		return nil
	}
	b, err := afero.ReadFile(o.fs, path)
	if err != nil {
		return fmt.Errorf("%s: %v", flag, err)
	}
	defer clear(b)
	if err := check(b); err != nil {
		return fmt.Errorf("%s %s: %v", flag, path, err)
	}
	return nil
}

// mfgFlags spells the mfg_gen options the import was given, for the header.
func mfgFlags(o MfgOptions) string {
	var s strings.Builder
	if o.FileID != "" {
		s.WriteString(" --fileid " + o.FileID)
	}
	if len(o.PrefixNum) == 2 {
		fmt.Fprintf(&s, " --prefix_num %d %d", o.PrefixNum[0], o.PrefixNum[1])
	}
	if o.Version != 0 {
		fmt.Fprintf(&s, " --version %d", o.Version)
	}
	if o.KeyGen {
		s.WriteString(" --keygen")
	}
	if o.InputKey != "" {
		s.WriteString(" --inputkey " + filepath.ToSlash(o.InputKey))
	}
	if o.KeyProtectHMAC {
		s.WriteString(" --key_protect_hmac")
	}
	if o.KPHMACKeyGen {
		s.WriteString(" --kp_hmac_keygen")
	}
	if o.KPHMACInputKey != "" {
		s.WriteString(" --kp_hmac_inputkey " + filepath.ToSlash(o.KPHMACInputKey))
	}
	return s.String()
}
