package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/afero"
	"github.com/spf13/cobra"

	"github.com/espcompose/espcompose/format/appimage"
	"github.com/espcompose/espcompose/format/ihex"
	"github.com/espcompose/espcompose/format/merged"
	"github.com/espcompose/espcompose/format/parttable"
	"github.com/espcompose/espcompose/internal/testimage"
	"github.com/espcompose/espcompose/manifest"
)

const (
	// maxFlashSize is the largest flash size esptool knows (merge_bin --flash-size).
	maxFlashSize = 128 << 20
	// maxCodeSize bounds `image build --code-size`: 16MB is more than any chip maps
	// for code, and the generator allocates it at once.
	maxCodeSize = 16 << 20
)

// writeOutput writes a command's result atomically: a failed command leaves no file.
func (a *app) writeOutput(path string, data []byte) error {
	if path == "-" {
		_, err := a.stdout.Write(data)
		return err
	}
	return a.writeGuarded(path, data, 0o644, false)
}

func (a *app) readInput(path string) ([]byte, error) {
	if path == "-" {
		var buf bytes.Buffer
		_, err := buf.ReadFrom(a.stdin)
		return buf.Bytes(), err
	}
	b, err := afero.ReadFile(a.fs, path)
	if err != nil {
		return nil, usageError{fmt.Errorf("read %s: %w", path, unwrapPath(err))}
	}
	return b, nil
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// parseAddr reads offsets and sizes as the reference tools accept them.
func parseAddr(flag, s string) (uint32, error) {
	n, err := manifest.ParseSize(s)
	if err != nil || n > 1<<32-1 {
		return 0, usagef("%s: %q is not an address or size", flag, s)
	}
	return uint32(n), nil
}

func (a *app) newPartitionTableCommand() *cobra.Command {
	root := &cobra.Command{Use: "partition-table", Short: "Encode and decode partition tables (gen_esp32part.py compatible)"}
	var (
		ef    tableFlags
		noMD5 bool
	)
	enc := &cobra.Command{
		Use:   "encode IN.csv OUT.bin",
		Short: "Encode a partition table CSV to binary",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := ef.options()
			if err != nil {
				return err
			}
			opts.DisableMD5 = noMD5
			src, err := a.readInput(args[0])
			if err != nil {
				return err
			}
			t, err := parttable.ParseCSV(bytes.NewReader(src), args[0], opts)
			if err != nil {
				return usageError{err}
			}
			// gen_esp32part's "Mistake in partition table?" warnings: printed, not fatal.
			for _, w := range t.Warnings(opts) {
				fmt.Fprintf(a.stderr, "espcompose: %s: %s\n", args[0], w)
			}
			out, err := parttable.Encode(t, opts)
			if err != nil {
				return usageError{err}
			}
			return a.writeOutput(args[1], out)
		},
	}
	ef.register(enc, false)
	f := enc.Flags()
	f.BoolVar(&noMD5, "no-md5", false, "leave out the MD5 entry (gen_esp32part --disable-md5sum)")
	f.BoolVar(&noMD5, "disable-md5sum", false, "same as --no-md5")
	_ = f.MarkHidden("disable-md5sum")

	var df tableFlags
	dec := &cobra.Command{
		Use:   "decode IN.bin [OUT.csv]",
		Short: "Decode a binary partition table, check it as gen_esp32part does, and print it as CSV",
		Long: `Decode a binary partition table and write it as CSV, as gen_esp32part.py does with a
binary input. The table is checked first, with the tool's rules and options: alignment,
read-only rules, unique names, overlaps, otadata, and --flash-size when given. A table that
fails is refused (exit 2, nothing written) with the byte offset and name of its entry.`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := df.options()
			if err != nil {
				return err
			}
			src, err := a.readInput(args[0])
			if err != nil {
				return err
			}
			t, err := parttable.Decode(src)
			if err != nil {
				return usageError{fmt.Errorf("%s: %w", args[0], err)}
			}
			if !df.noVerify {
				if err := t.ValidateBinary(opts); err != nil {
					return usageError{fmt.Errorf("%s: %w", args[0], err)}
				}
			}
			var csv bytes.Buffer
			if err := t.WriteCSV(&csv, opts); err != nil {
				return usageError{err}
			}
			if len(args) == 2 {
				return a.writeOutput(args[1], csv.Bytes())
			}
			_, err = a.stdout.Write(csv.Bytes())
			return err
		},
	}
	df.register(dec, true)
	root.AddCommand(enc, dec)
	return root
}

func (a *app) newImageCommand() *cobra.Command {
	root := &cobra.Command{Use: "image", Short: "Inspect and generate ESP firmware images"}
	var infoChip, genChip string
	var infoVersion int
	info := &cobra.Command{
		Use:   "info FILE",
		Short: "Print image fields (esptool image_info compatible)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// Flag mistakes are the flag's, not the image's: report them before reading.
			if infoVersion != 1 && infoVersion != 2 {
				return usagef("--version must be 1 or 2, not %d", infoVersion)
			}
			src, err := a.readInput(args[0])
			if err != nil {
				return err
			}
			// An Intel HEX file is read as the binary it holds, from its lowest
			// address, as esptool image_info reads it.
			if len(src) > 0 && src[0] == ':' {
				if f, herr := ihex.Decode(src); herr == nil {
					if lo, ok := f.MinAddr(); ok {
						src = f.Binary(lo)
					}
				}
			}
			if a.json {
				img, err := appimage.Decode(src)
				if err != nil {
					return usageError{fmt.Errorf("%s: %w", args[0], err)}
				}
				return writeJSON(a.stdout, img)
			}
			text, err := appimage.InfoBytes(src, infoChip, infoVersion)
			if errors.Is(err, appimage.ErrUnknownChip) {
				return usagef("--chip: %v", err)
			}
			if err != nil {
				return usageError{fmt.Errorf("%s: %w", args[0], err)}
			}
			fmt.Fprint(a.stdout, text)
			return nil
		},
	}
	info.Flags().StringVar(&infoChip, "chip", appimage.ChipAuto, "chip (default: from the image header)")
	info.Flags().IntVar(&infoVersion, "version", 2, "output format version: 1 or 2")

	var project, ver, fmode, ffreq, fsize string
	var codeSize int
	var bootloader bool
	gen := &cobra.Command{
		Use:   "build OUT.bin --chip C [--project P --version V | --bootloader]",
		Short: "Generate a well-formed test image (for examples and tests; not firmware)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// The filler is allocated whole: an absurd size must fail here, not in
			// the allocator. testimage reads 0 as "default", so 0 is refused too.
			if codeSize < 1 || codeSize > maxCodeSize {
				return usagef("--code-size must be between 1 and %d bytes, not %d", maxCodeSize, codeSize)
			}
			var out []byte
			var err error
			spec := testimage.AppSpec{Chip: genChip, Project: project, Version: ver, CodeSize: codeSize,
				FlashMode: fmode, FlashFreq: ffreq, FlashSize: fsize}
			if bootloader {
				out, err = testimage.BootloaderWith(spec)
			} else {
				out, err = testimage.App(spec)
			}
			if err != nil {
				return usageError{err}
			}
			return a.writeOutput(args[0], out)
		},
	}
	gf := gen.Flags()
	gf.StringVar(&genChip, "chip", "", "target chip")
	gf.StringVar(&project, "project", "app", "project name in the app description")
	gf.StringVar(&ver, "version", "1.0.0", "version in the app description")
	gf.IntVar(&codeSize, "code-size", 0x4000, "bytes of filler code")
	gf.BoolVar(&bootloader, "bootloader", false, "generate a bootloader image")
	gf.StringVar(&fmode, "flash-mode", "", "flash mode in the header (default dio)")
	gf.StringVar(&ffreq, "flash-freq", "", "flash frequency in the header (default 40m)")
	gf.StringVar(&fsize, "flash-size", "", "flash size in the header (default 2MB)")
	_ = gen.MarkFlagRequired("chip")
	root.AddCommand(info, gen)
	return root
}

func (a *app) newMergeCommand() *cobra.Command {
	var opts merged.Options
	var format, target string
	cmd := &cobra.Command{
		Use:   "merge -o OUT --chip C [flags] ADDR FILE [ADDR FILE...]",
		Short: "Merge images into one flash image (esptool merge_bin compatible)",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 || len(args)%2 != 0 {
				return usagef("merge takes address/file pairs")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("out") {
				return usagef("merge needs -o OUT")
			}
			out := a.out
			opts.Format = merged.Format(format)
			if target != "" {
				v, err := parseAddr("--target-offset", target)
				if err != nil {
					return err
				}
				opts.TargetOffset = v
			}
			var parts []merged.Part
			for i := 0; i < len(args); i += 2 {
				addr, err := parseAddr("address", args[i])
				if err != nil {
					return err
				}
				data, err := a.readInput(args[i+1])
				if err != nil {
					return err
				}
				data, err = merged.PrepareInput(addr, data)
				if err != nil {
					return usageError{fmt.Errorf("%s: %w", args[i+1], err)}
				}
				// No chip maps flash beyond 128MB; an input past it is a typo in the
				// address, and padding up to it would write gigabytes of 0xFF.
				if end := uint64(addr) + uint64(len(data)); end > maxFlashSize {
					return usagef("%s at %#x: ends at %#x, beyond the largest flash (128MB)", args[i+1], addr, end)
				}
				parts = append(parts, merged.Part{Addr: addr, Data: data, Name: args[i+1]})
			}
			b, err := merged.Merge(opts, parts)
			if err != nil {
				return usageError{err}
			}
			return a.writeOutput(out, b)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Chip, "chip", "", "target chip")
	f.StringVar(&opts.FlashMode, "flash-mode", "keep", "flash mode to patch into the bootloader")
	f.StringVar(&opts.FlashFreq, "flash-freq", "keep", "flash frequency to patch into the bootloader")
	f.StringVar(&opts.FlashSize, "flash-size", "keep", "flash size to patch into the bootloader")
	f.StringVar(&opts.FillFlashSize, "fill-flash-size", "", "pad the output to this flash size")
	f.StringVar(&target, "target-offset", "", "flash address the output starts at")
	f.StringVar(&format, "format", "raw", "raw, hex or uf2")
	f.IntVar(&opts.ChunkSize, "chunk-size", 0, "uf2: data bytes per 512-byte block (default: the most that fit)")
	f.BoolVar(&opts.DisableMD5, "md5-disable", false, "uf2: leave out the MD5 checksum extension")
	for _, alias := range []string{"flash_mode", "flash_freq", "flash_size"} {
		f.String(alias, "", "")
		_ = f.MarkHidden(alias)
	}
	cmd.PreRunE = func(cmd *cobra.Command, _ []string) error {
		for alias, dst := range map[string]*string{"flash_mode": &opts.FlashMode, "flash_freq": &opts.FlashFreq, "flash_size": &opts.FlashSize} {
			if v, _ := cmd.Flags().GetString(alias); v != "" {
				*dst = v
			}
		}
		if opts.Chip == "" {
			return usagef("merge needs --chip")
		}
		return nil
	}
	return cmd
}
