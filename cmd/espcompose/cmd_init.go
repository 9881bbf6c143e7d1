package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/espcompose/espcompose/importer"
	"github.com/espcompose/espcompose/manifest"
)

func (a *app) newInitCommand() *cobra.Command {
	var fromIDF, fromCSV, chip, flashSize, tableOffset string
	var print bool
	var mfg mfgFlags
	cmd := &cobra.Command{
		Use:   "init [--from-idf BUILD_DIR | --from-csv partitions.csv | --from-mfg CONFIG.csv VALUES.csv PREFIX SIZE]",
		Short: "Write a new manifest: a commented starter, or imported from an ESP-IDF build or a partitions.csv",
		Long: `init writes a new manifest at -f (default espcompose.hcl) and never overwrites a file:
if it exists, init refuses (exit 2) and writes nothing. There is no --force; move the file
away or pick another name with -f.

Without options it writes a commented starter manifest that validates as written.

--from-idf BUILD_DIR reads an ESP-IDF build directory (flasher_args.json,
config/sdkconfig.json or the project's sdkconfig, the partition table binary and the CSV
sdkconfig names, the bootloader and app binaries, and the security options) and writes a
manifest whose first build places the same images at the same offsets. Paths in it are
relative to the manifest's folder.

--from-csv FILE imports a gen_esp32part partitions.csv into partition blocks with the
offsets gen_esp32part gives them; with --print only the partition blocks are printed, to
paste into an existing manifest.

--from-mfg CONFIG.csv VALUES.csv PREFIX SIZE takes mfg_gen.py generate's arguments and
options (--fileid, --prefix-num START,DIGITS, --nvs-version, --keygen, --inputkey,
--key-protect-hmac, --kp-hmac-keygen, --kp-hmac-inputkey; mfg_gen's underscores work
too) and writes the manifest and devices.csv beside it (neither may exist). Its build
writes each device's NVS image, byte-identical to mfg_gen's bin/PREFIX-ID.bin, to
dist/devices/PREFIX-ID/partitions/nvs.bin. See docs/migrate-mfg_gen.md.`,
		Example: `  espcompose init                              # commented starter espcompose.hcl
  espcompose init --from-idf build             # import an ESP-IDF build (run idf.py build first)
  espcompose init --from-csv partitions.csv -f product.hcl --chip esp32s3 --flash-size 8MB
  espcompose init --from-csv partitions.csv --print   # partition blocks on stdout
  espcompose init --from-mfg config.csv values.csv dev 0x3000 --fileid id   # an mfg_gen batch`,
		Args: func(cmd *cobra.Command, args []string) error {
			if mfg.config != "" {
				return nil // fromMfg checks VALUES.csv PREFIX SIZE
			}
			return cobra.NoArgs(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			n := 0
			for _, s := range []string{fromIDF, fromCSV, mfg.config} {
				if s != "" {
					n++
				}
			}
			if n > 1 && mfg.config == "" {
				return usagef("init: --from-idf and --from-csv are alternatives; give one")
			} else if n > 1 {
				return usagef("init: --from-idf, --from-csv and --from-mfg are alternatives; give one")
			}
			if !print {
				if _, err := a.fs.Stat(a.file); err == nil {
					return usagef("init: %s already exists; init never overwrites a file (move it away or choose another name with -f)", a.file)
				} else if !errors.Is(err, fs.ErrNotExist) {
					return usagef("init: %v", err)
				}
			}
			var data, devCSV []byte
			var summary, devPath string
			switch {
			case mfg.config != "":
				var err error
				if data, devPath, devCSV, summary, err = a.fromMfg(&mfg, args, chip, flashSize, print); err != nil {
					return err
				}
			case fromIDF != "":
				res, err := importer.FromIDF(a.fs, fromIDF, filepath.Dir(a.file))
				if err != nil {
					return usagef("init --from-idf: %v", err)
				}
				if data, err = res.Manifest.Render(); err != nil {
					return err
				}
				summary = fmt.Sprintf("%d files of %s, %d partitions", len(res.Flash), fromIDF, len(res.Manifest.Partitions))
			case fromCSV != "":
				off, err := manifest.ParseSize(tableOffset)
				if err != nil || off > 0xFFFFFFFF {
					return usagef("init: --table-offset %q: not an offset", tableOffset)
				}
				lookup := func(k string) (string, bool) { v := a.getenv(k); return v, v != "" }
				parts, err := importer.FromCSV(a.fs, fromCSV, uint32(off), lookup)
				if err != nil {
					return usagef("init --from-csv: %v", err)
				}
				if print {
					data, err = importer.RenderPartitions(parts)
				} else {
					m := &importer.Manifest{
						Header: []string{"Imported by `espcompose init --from-csv " + filepath.ToSlash(fromCSV) + "`.",
							"Add image blocks and contents = image.<name> to fill the app partitions."},
						Chip: chip, FlashSize: flashSize, FlashMode: "dio",
						Table: &importer.Table{Offset: uint32(off)}, Partitions: parts, OutputName: "firmware",
					}
					data, err = m.Render()
				}
				if err != nil {
					return err
				}
				summary = fmt.Sprintf("%d partitions of %s", len(parts), fromCSV)
			default:
				var err error
				if data, err = importer.Starter(chip); err != nil {
					return usagef("init: --chip %q: %v", chip, err)
				}
				summary = "a starter manifest for " + chip
			}
			if print {
				_, err := a.stdout.Write(data)
				return err
			}
			if devPath != "" {
				if err := a.writeGuarded(devPath, devCSV, 0o644, true); err != nil {
					if errors.Is(err, fs.ErrExist) {
						return usagef("init: %s already exists; init never overwrites a file", devPath)
					}
					return err
				}
			}
			if err := a.writeGuarded(a.file, data, 0o644, true); err != nil {
				if devPath != "" {
					_ = a.fs.Remove(devPath) // made just now: leave nothing behind
				}
				if errors.Is(err, fs.ErrExist) {
					return usagef("init: %s already exists; init never overwrites a file", a.file)
				}
				return err
			}
			fmt.Fprintf(a.stdout, "Wrote %s: %s.\nNext: espcompose validate -f %s && espcompose build -f %s\n", a.file, summary, a.file, a.file)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&fromIDF, "from-idf", "", "import an ESP-IDF build directory")
	f.StringVar(&fromCSV, "from-csv", "", "import a partitions.csv into partition blocks")
	mfg.add(f)
	f.StringVar(&chip, "chip", "esp32c3", "target chip of a starter, --from-csv or --from-mfg manifest")
	f.StringVar(&flashSize, "flash-size", "4MB", "flash size of a --from-csv or --from-mfg manifest")
	f.StringVar(&tableOffset, "table-offset", "0x8000", "partition table offset for --from-csv placement")
	f.BoolVar(&print, "print", false, "print the manifest (with --from-csv: only the partition blocks; with --from-mfg: the manifest, devices.csv not written) instead of writing -f")
	return cmd
}
