package main

import (
	"github.com/spf13/cobra"

	"github.com/espcompose/espcompose/format/parttable"
	"github.com/espcompose/espcompose/manifest"
)

// tableFlags are gen_esp32part's table options, shared by encode and decode: the
// tool applies the same rules in both directions, so a decoded table is held to what
// encoding it would require.
type tableFlags struct {
	flashSize, offset, secure, primary, recovery string
	extra                                        []string
	noVerify                                     bool
}

// register adds the flags; noVerify only where the command honours it (decode).
func (t *tableFlags) register(cmd *cobra.Command, noVerify bool) {
	f := cmd.Flags()
	f.StringVar(&t.flashSize, "flash-size", "", "check the table fits this flash size (e.g. 4MB)")
	f.StringVar(&t.offset, "offset", "", "flash offset of the table (default 0x8000): no partition may start below its end")
	f.StringVar(&t.secure, "secure", "", "apply secure boot size rules: v1 or v2")
	f.StringVar(&t.primary, "primary-bootloader-offset", "", "offset of the primary bootloader")
	f.StringVar(&t.recovery, "recovery-bootloader-offset", "", "offset of the recovery bootloader")
	f.StringArrayVar(&t.extra, "extra-partition-subtypes", nil, "extra subtype as 'type, name, value'")
	if noVerify {
		f.BoolVar(&t.noVerify, "no-verify", false, "do not check the table (gen_esp32part --no-verify)")
	}
}

func (t *tableFlags) options() (parttable.Options, error) {
	var opts parttable.Options
	var err error
	if t.offset != "" {
		if opts.Offset, err = parseAddr("--offset", t.offset); err != nil {
			return opts, err
		}
		opts.ExplicitOffset = true // --offset 0 is offset 0, as gen_esp32part reads it
	}
	if t.flashSize != "" {
		n, err := manifest.ParseSize(t.flashSize)
		if err != nil {
			return opts, usagef("--flash-size: %v", err)
		}
		if n == 0 || n > 1<<32-1 {
			return opts, usagef("--flash-size: %q is not a flash size", t.flashSize)
		}
		opts.FlashSize = uint32(n)
	}
	switch t.secure {
	case "":
	case "v1":
		opts.SecureBoot = 1
	case "v2":
		opts.SecureBoot = 2
	default:
		return opts, usagef("--secure must be v1 or v2, not %q", t.secure)
	}
	if t.primary != "" {
		v, err := parseAddr("--primary-bootloader-offset", t.primary)
		if err != nil {
			return opts, err
		}
		opts.PrimaryBootloaderOffset = &v
	}
	if t.recovery != "" {
		v, err := parseAddr("--recovery-bootloader-offset", t.recovery)
		if err != nil {
			return opts, err
		}
		opts.RecoveryBootloaderOffset = &v
	}
	for _, e := range t.extra {
		st, err := parttable.ParseExtraSubtype(e)
		if err != nil {
			return opts, usageError{err}
		}
		opts.ExtraSubtypes = append(opts.ExtraSubtypes, st)
	}
	return opts, nil
}
