package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/afero"
	"github.com/spf13/cobra"

	"github.com/espcompose/espcompose/doctor"
	"github.com/espcompose/espcompose/format/nvs"
)

func (a *app) newDoctorCommand() *cobra.Command {
	var keyFile, nvsKeyFile, hmacKeyFile, chip, tableOffset, flashMode, flashSize string
	var cryptConf int
	cmd := &cobra.Command{
		Use:   "doctor [IMAGE | DIR]",
		Short: "Run named checks on a manifest, a flash image read back from a device, or a build directory",
		Long: `Run named checks for the misconfigurations that break devices in the field (docs/doctor.md
lists each one): on the manifest (-f, loaded and planned, nothing built), on a flash image
read back with esptool read_flash (--key for an encrypted one), or on a build directory.

Each finding has the check's id, what was found, why it matters and the fix; --json gives
one object with schema_version. Doctor never writes anything. Exit status: 0 without an
error-level finding, 1 with one, 2 for bad input.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := doctor.ImageOptions{Chip: chip, FlashMode: flashMode, FlashSize: flashSize}
			var err error
			if tableOffset != "" {
				if opts.TableOffset, err = parseAddr("--table-offset", tableOffset); err != nil {
					return err
				}
			}
			if keyFile != "" {
				if opts.FlashKey, err = a.readInput(keyFile); err != nil {
					return err
				}
				defer clear(opts.FlashKey)
			}
			if cryptConf >= 0 {
				v := uint8(cryptConf)
				opts.CryptConfig = &v
			}
			if opts.NVSKeys, err = a.doctorNVSKeys(nvsKeyFile, hmacKeyFile); err != nil {
				return err
			}
			rep, err := a.runDoctor(args, opts)
			if err != nil {
				return err
			}
			if a.json {
				if err := writeJSON(a.stdout, rep); err != nil {
					return err
				}
			} else {
				printDoctor(a.stdout, rep)
			}
			if rep.Failed() {
				return fmt.Errorf("%s: %d error-level finding(s), first: %s", rep.Input, rep.Errors, rep.Findings[0].ID)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&keyFile, "key", "", "flash encryption key, to read what the device decrypts")
	f.StringVar(&nvsKeyFile, "nvs-keys", "", "nvs_keys partition image, to decode encrypted NVS")
	f.StringVar(&hmacKeyFile, "nvs-hmac-key", "", "32-byte eFuse HMAC key, to decode NVS encrypted under the HMAC scheme")
	f.StringVar(&chip, "chip", "", "chip (default: from the bootloader header, or found with --key)")
	f.StringVar(&tableOffset, "table-offset", "", "partition table offset (default 0x8000)")
	f.IntVar(&cryptConf, "flash-crypt-conf", -1, "ESP32 FLASH_CRYPT_CONFIG (default 0xF)")
	f.StringVar(&flashMode, "flash-mode", "", "the board's flash mode, to check the bootloader header against")
	f.StringVar(&flashSize, "flash-size", "", "the board's flash size, e.g. 4MB (default: a whole-flash dump's size)")
	return cmd
}

func (a *app) doctorNVSKeys(nvsKeyFile, hmacKeyFile string) (*nvs.Keys, error) {
	switch {
	case nvsKeyFile != "" && hmacKeyFile != "":
		return nil, usagef("--nvs-keys and --nvs-hmac-key: give one")
	case nvsKeyFile != "":
		raw, err := a.readInput(nvsKeyFile)
		if err != nil {
			return nil, err
		}
		k, err := nvs.ParseKeyPartition(raw)
		clear(raw)
		if err != nil {
			return nil, usageError{fmt.Errorf("%s: %w", nvsKeyFile, err)}
		}
		return &k, nil
	case hmacKeyFile != "":
		raw, err := a.readInput(hmacKeyFile)
		if err != nil {
			return nil, err
		}
		k, err := nvs.DeriveHMACKeys(raw)
		clear(raw)
		if err != nil {
			return nil, usageError{fmt.Errorf("%s: %w", hmacKeyFile, err)}
		}
		return &k, nil
	}
	return nil, nil
}

// runDoctor picks the input: a directory, an image file, or (no argument) the manifest.
func (a *app) runDoctor(args []string, opts doctor.ImageOptions) (*doctor.Report, error) {
	if len(args) == 0 {
		p, err := a.loadProject(true, "", nil)
		if err != nil {
			return nil, err
		}
		defer p.Close()
		return doctor.Manifest(a.file, p.Configs[0].Plan), nil
	}
	in := args[0]
	st, err := a.fs.Stat(in)
	if err != nil {
		return nil, usageError{fmt.Errorf("%s: %w", in, unwrapPath(err))}
	}
	if st.IsDir() {
		rep, err := doctor.Dir(afero.NewIOFS(afero.NewBasePathFs(a.fs, in)), ".", opts)
		if err != nil {
			return nil, usageError{fmt.Errorf("%s: %w", in, err)}
		}
		rep.Input = in
		return rep, nil
	}
	img, err := a.readInput(in)
	if err != nil {
		return nil, err
	}
	rep, err := doctor.Image(in, img, opts)
	if err != nil {
		if errors.Is(err, doctor.ErrNotAnImage) && strings.HasSuffix(in, ".hcl") {
			err = fmt.Errorf("%w (for a manifest, use -f %s)", err, in)
		}
		return nil, usageError{fmt.Errorf("%s: %w", in, err)}
	}
	return rep, nil
}

// printDoctor writes the report as text: a summary line, then each finding with
// its id, what was found, why it matters and the fix.
func printDoctor(w io.Writer, r *doctor.Report) {
	what := r.Kind
	if r.Chip != "" {
		what += ", " + r.Chip
	}
	fmt.Fprintf(w, "Doctor: %s (%s): %d error(s), %d warning(s), %d check(s) run\n", r.Input, what, r.Errors, r.Warnings, len(r.Checks))
	for _, f := range r.Findings {
		fmt.Fprintf(w, "\n%s %s", strings.ToUpper(string(f.Severity)), f.ID)
		var loc []string
		if f.File != "" {
			l := f.File
			if f.Line > 0 {
				l += fmt.Sprintf(":%d", f.Line)
			}
			loc = append(loc, l)
		}
		if f.Offset != nil {
			loc = append(loc, fmt.Sprintf("0x%x", *f.Offset))
		}
		if f.Partition != "" {
			loc = append(loc, fmt.Sprintf("%q", f.Partition))
		}
		if len(loc) > 0 {
			fmt.Fprintf(w, " at %s", strings.Join(loc, " "))
		}
		if f.Seed != "" {
			fmt.Fprintf(w, " (seed %s)", f.Seed)
		}
		fmt.Fprintf(w, "\n  finding: %s\n  why:     %s\n  fix:     %s\n", f.Finding, f.Why, f.Fix)
	}
	if len(r.Findings) == 0 {
		fmt.Fprintln(w, "No findings.")
	}
}
