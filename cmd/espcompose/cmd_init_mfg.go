package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/espcompose/espcompose/importer"
)

// mfgFlags are `init --from-mfg`'s options: mfg_gen.py generate's, with the same
// names (mfg_gen's underscores are accepted: --prefix_num is --prefix-num).
type mfgFlags struct {
	config, fileID, inputKey, kpHMACInputKey string
	prefixNum                                []int
	version                                  int
	keyGen, keyProtectHMAC, kpHMACKeyGen     bool
}

func (m *mfgFlags) add(f *pflag.FlagSet) {
	f.StringVar(&m.config, "from-mfg", "", "import mfg_gen.py's CONFIG.csv (with VALUES.csv PREFIX SIZE as arguments) into a manifest and devices.csv")
	f.StringVar(&m.fileID, "fileid", "", "--from-mfg: mfg_gen's --fileid, the values column naming each device's files")
	f.IntSliceVar(&m.prefixNum, "prefix-num", nil, "--from-mfg: mfg_gen's --prefix_num START,DIGITS")
	f.IntVar(&m.version, "nvs-version", 0, "--from-mfg: mfg_gen's --version (NVS format 1 or 2; default 2)")
	f.BoolVar(&m.keyGen, "keygen", false, "--from-mfg: mfg_gen's --keygen: a fresh NVS encryption key per device")
	f.StringVar(&m.inputKey, "inputkey", "", "--from-mfg: mfg_gen's --inputkey: one nvs_keys image for every device")
	f.BoolVar(&m.keyProtectHMAC, "key-protect-hmac", false, "--from-mfg: mfg_gen's --key_protect_hmac (with --keygen)")
	f.BoolVar(&m.kpHMACKeyGen, "kp-hmac-keygen", false, "--from-mfg: mfg_gen's --kp_hmac_keygen: a fresh HMAC key per device")
	f.StringVar(&m.kpHMACInputKey, "kp-hmac-inputkey", "", "--from-mfg: mfg_gen's --kp_hmac_inputkey: one HMAC key for every device")
	f.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		return pflag.NormalizedName(strings.ReplaceAll(name, "_", "-"))
	})
}

// fromMfg imports the batch and returns the manifest bytes, the devices CSV's path
// and bytes, and a summary.
func (a *app) fromMfg(m *mfgFlags, args []string, chip, flashSize string, print bool) ([]byte, string, []byte, string, error) {
	if len(args) != 3 {
		return nil, "", nil, "", usagef("init --from-mfg CONFIG.csv VALUES.csv PREFIX SIZE: give VALUES.csv, PREFIX and SIZE as mfg_gen.py generate takes them (got %d arguments)", len(args))
	}
	size, err := strconv.ParseUint(args[2], 0, 32)
	if err != nil {
		return nil, "", nil, "", usagef("init --from-mfg: SIZE %q: not a number (mfg_gen takes 0x3000 or 12288)", args[2])
	}
	if len(m.prefixNum) != 0 && len(m.prefixNum) != 2 {
		return nil, "", nil, "", usagef("init --from-mfg: --prefix-num takes START,DIGITS")
	}
	dir := filepath.Dir(a.file)
	wd := a.cwd
	if wd == "" {
		wd, _ = os.Getwd()
	}
	o := importer.MfgOptions{
		Config: m.config, Values: args[0], Prefix: args[1], Size: uint32(size),
		FileID: m.fileID, PrefixNum: m.prefixNum, Version: m.version,
		KeyGen: m.keyGen, InputKey: m.inputKey, KeyProtectHMAC: m.keyProtectHMAC,
		KPHMACKeyGen: m.kpHMACKeyGen, KPHMACInputKey: m.kpHMACInputKey,
		ManifestDir: dir, WorkDir: wd, DevicesCSV: "devices.csv", Chip: chip, FlashSize: flashSize,
	}
	res, err := importer.FromMfg(a.fs, o)
	if err != nil {
		return nil, "", nil, "", usagef("init --from-mfg: %v", err)
	}
	data, err := res.Manifest.Render()
	if err != nil {
		return nil, "", nil, "", err
	}
	csvPath := filepath.Join(dir, o.DevicesCSV)
	if print {
		return data, "", nil, "", nil
	}
	if _, err := a.fs.Stat(csvPath); err == nil {
		return nil, "", nil, "", usagef("init: %s already exists; init never overwrites a file (move it away, or write the manifest elsewhere with -f)", csvPath)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, "", nil, "", usagef("init: %v", err)
	}
	summary := fmt.Sprintf("%d devices of %s and %s; wrote %s", res.Devices, m.config, args[0], csvPath)
	return data, csvPath, res.DevicesCSV, summary, nil
}
