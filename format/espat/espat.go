package espat

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/espcompose/espcompose/format/nvs"
)

// Sentinel errors, wrapped with detail.
var (
	ErrDependency   = errors.New("espat: malformed at_customized_config_dependency.txt")
	ErrFactoryParam = errors.New("espat: factory_param")
	ErrModuleInfo   = errors.New("espat: malformed module_info.json")
)

// File names inside the customized_partitions tree.
const (
	DependencyFile   = "at_customized_config_dependency.txt"
	RawDataDir       = "raw_data"
	factoryParamDir  = "factory_param"
	factoryParamType = "raw_data/factory_param/factory_param_type.csv"
	factoryParamData = "raw_data/factory_param/factory_param_data.csv"
	bleDataDir       = "ble_data"
	gattsDataFile    = "raw_data/ble_data/gatts_data.csv"
)

// Config selects what is imported.
type Config struct {
	// Platform and Module pick the factory_param_data.csv row
	// (module_info.json's "platform" and "module").
	Platform, Module string
	// Options are the enabled Kconfig bool options, without the CONFIG_
	// prefix (e.g. AT_BLE_COMMAND_SUPPORT).
	Options []string
}

// Result is the imported mfg_nvs content.
type Result struct {
	// CSV is mfg_nvs.csv as esp-at writes it, with file paths relative to
	// the tree's root (raw_data/<dir>/<file>).
	CSV []byte
	// Partition is what nvs_partition_gen makes of CSV.
	Partition *nvs.Partition
	// Dirs are the enabled raw_data folders in dependency-file order.
	Dirs []string
}

// Import reads the customized_partitions tree rooted at fsys (holding
// at_customized_config_dependency.txt and raw_data/).
func Import(fsys fs.FS, cfg Config) (*Result, error) {
	dirs, err := enabledDirs(fsys, cfg.Options)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.WriteString("key,type,encoding,value\n")
	for _, dir := range dirs {
		if err := writeCertRows(&out, fsys, dir); err != nil {
			return nil, err
		}
	}
	if err := writeFactoryParam(&out, fsys, cfg.Platform, cfg.Module); err != nil {
		return nil, err
	}
	for _, d := range dirs {
		if d == bleDataDir {
			if err := writeBLEData(&out, fsys); err != nil {
				return nil, err
			}
			break
		}
	}
	part, err := nvs.ParseCSV(bytes.NewReader(out.Bytes()), "mfg_nvs.csv", fsys)
	if err != nil {
		return nil, fmt.Errorf("espat: generated mfg_nvs.csv: %w", err)
	}
	return &Result{CSV: out.Bytes(), Partition: part, Dirs: dirs}, nil
}

// enabledDirs lists, in file order, the raw_data folders whose option is
// enabled and which exist. A folder named by several enabled options is
// listed once per option, as mfg_nvs.py does.
func enabledDirs(fsys fs.FS, options []string) ([]string, error) {
	text, err := fs.ReadFile(fsys, DependencyFile)
	if err != nil {
		return nil, fmt.Errorf("espat: %w", err)
	}
	on := map[string]bool{}
	for _, o := range options {
		on[strings.TrimPrefix(o, "CONFIG_")] = true
	}
	var dirs []string
	for n, line := range strings.Split(strings.ReplaceAll(string(text), "\r\n", "\n"), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if len(f) < 2 {
			return nil, fmt.Errorf("%w: line %d: want \"<OPTION>=y <dir>\"", ErrDependency, n+1)
		}
		name, val, hasVal := strings.Cut(f[0], "=")
		if !on[name] || (hasVal && val != "y") {
			continue
		}
		if _, err := fs.Stat(fsys, path.Join(RawDataDir, f[1])); err != nil {
			continue
		}
		dirs = append(dirs, f[1])
	}
	return dirs, nil
}

func isCert(name string) bool {
	return strings.HasSuffix(name, ".crt") || strings.HasSuffix(name, ".key") || strings.HasSuffix(name, ".pem")
}

// writeCertRows writes one namespace per folder holding certificates or
// keys. The key is the folder name when the folder holds exactly one entry
// of any kind, else <dir>.<n> counting certificate files only.
func writeCertRows(out *bytes.Buffer, fsys fs.FS, dir string) error {
	entries, err := fs.ReadDir(fsys, path.Join(RawDataDir, dir))
	if err != nil {
		return fmt.Errorf("espat: %w", err)
	}
	index := 0
	for _, e := range entries {
		if !isCert(e.Name()) {
			continue
		}
		if index == 0 {
			fmt.Fprintf(out, "%s,namespace,,\n", dir)
		}
		key := dir
		if len(entries) != 1 {
			key = fmt.Sprintf("%s.%d", dir, index)
			index++
		}
		fmt.Fprintf(out, "%s,file,binary,%s\n", key, path.Join(RawDataDir, dir, e.Name()))
	}
	return nil
}

func readCSV(fsys fs.FS, name string) ([][]string, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("espat: %w", err)
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("espat: %s: %w", name, err)
	}
	return rows, nil
}

// writeFactoryParam writes the factory_param namespace: one row per
// three-column line of factory_param_type.csv, valued from the first row of
// factory_param_data.csv matching platform and module. String values are
// wrapped in double quotes without escaping, as mfg_nvs.py does.
func writeFactoryParam(out *bytes.Buffer, fsys fs.FS, platform, module string) error {
	types, err := readCSV(fsys, factoryParamType)
	if err != nil {
		return err
	}
	data, err := readCSV(fsys, factoryParamData)
	if err != nil {
		return err
	}
	var header, row []string
	for _, r := range data {
		if len(r) > 0 && r[0] == "platform" && header == nil {
			header = r
		} else if len(r) > 1 && r[0] == platform && r[1] == module && row == nil {
			row = r
		}
	}
	if header == nil {
		return fmt.Errorf("%w: %s has no header row starting with \"platform\"", ErrFactoryParam, factoryParamData)
	}
	if row == nil {
		return fmt.Errorf("%w: no row for platform %q module %q in %s", ErrFactoryParam, platform, module, factoryParamData)
	}
	var rows []string
	for _, t := range types {
		if len(t) != 3 {
			continue
		}
		found := false
		for pos, col := range header {
			if col != t[0] {
				continue
			}
			found = true
			if pos >= len(row) {
				return fmt.Errorf("%w: row for %s/%s has no column %q", ErrFactoryParam, platform, module, col)
			}
			v := row[pos]
			if t[2] == "string" {
				v = `"` + v + `"`
			}
			rows = append(rows, strings.Join(t, ",")+","+v)
		}
		if !found {
			return fmt.Errorf("%w: no data found for %q in %s", ErrFactoryParam, t[0], factoryParamData)
		}
	}
	out.WriteString("factory_param,namespace,,\n")
	for _, r := range rows {
		out.WriteString(r + "\n")
	}
	return nil
}

// writeBLEData writes the ble_data namespace: cfg<i> strings holding each
// non-comment gatts_data.csv row re-joined with commas.
func writeBLEData(out *bytes.Buffer, fsys fs.FS) error {
	rows, err := readCSV(fsys, gattsDataFile)
	if err != nil {
		return err
	}
	out.WriteString("ble_data,namespace,,\n")
	i := 0
	for _, r := range rows {
		if len(r) == 0 || strings.HasPrefix(r[0], "#") {
			continue
		}
		fmt.Fprintf(out, "cfg%d,data,string,\"%s\"\n", i, strings.Join(r, ","))
		i++
	}
	return nil
}

// ParseModuleInfo reads build/module_info.json for its platform and module.
func ParseModuleInfo(b []byte) (platform, module string, err error) {
	var v struct {
		Platform string `json:"platform"`
		Module   string `json:"module"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return "", "", fmt.Errorf("%w: %v", ErrModuleInfo, err)
	}
	if v.Platform == "" || v.Module == "" {
		return "", "", fmt.Errorf("%w: platform or module missing", ErrModuleInfo)
	}
	return v.Platform, v.Module, nil
}

// OptionsFromSdkconfig lists the options an sdkconfig sets to y.
func OptionsFromSdkconfig(b []byte) []string {
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if name, ok := strings.CutSuffix(line, "=y"); ok && strings.HasPrefix(name, "CONFIG_") {
			out = append(out, strings.TrimPrefix(name, "CONFIG_"))
		}
	}
	return out
}
