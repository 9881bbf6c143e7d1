package main

import (
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/espcompose/espcompose/outputs"
)

// inspectAny reads a whole flash image, or one region (partition dump or OTA-slot
// artifact) when asked with --as/--address or when the input is not a whole flash
// but is a region inspect can read. The error is for bad input (exit 2).
func (a *app) inspectAny(img []byte, opts outputs.InspectOptions, address, as string) (*outputs.Inspection, error) {
	switch as {
	case "", outputs.RegionApp, outputs.RegionNVS, outputs.RegionOTAData, outputs.RegionTable:
	default:
		return nil, fmt.Errorf("--as %q: want app, nvs, otadata or table", as)
	}
	ropts := outputs.RegionOptions{Chip: opts.Chip, Kind: as, FlashKey: opts.FlashKey, CryptConfig: opts.CryptConfig, NVSKeys: opts.NVSKeys}
	if address != "" {
		v, err := parseAddr("--address", address)
		if err != nil {
			return nil, err
		}
		ropts.Address = &v
	}
	if as != "" || address != "" {
		return outputs.InspectRegion(img, ropts)
	}
	in, err := outputs.Inspect(img, opts)
	if err == nil {
		return in, nil
	}
	if in != nil && !errors.Is(err, outputs.ErrNotAnImage) {
		return nil, err
	}
	// Not a whole flash: perhaps one partition or artifact. Only what is
	// recognised counts: not erased bytes (an erased flash is not an image), and an
	// app only with its app description (a bootloader without its table is a
	// whole flash cut short, not an artifact).
	if rin, rerr := outputs.InspectRegion(img, ropts); rerr == nil && recognised(rin.Partitions[0]) {
		return rin, nil
	}
	if in == nil {
		return nil, err
	}
	return in, nil // not an image: the fatal findings say why (exit 2)
}

// printRegion prints a single-region inspection.
func printRegion(a *app, in *outputs.Inspection, chip string) {
	p := in.Partitions[0]
	fmt.Fprintf(a.stdout, "Region: %d bytes, chip %s, read as %s at flash offset 0x%x\n", in.Size, chip, p.TypeName, p.Offset)
	fmt.Fprintf(a.stdout, "State: %s (%s)\n", p.State, p.StateReason)
	fmt.Fprintf(a.stdout, "Contents: %s\n", describePartition(p))
	for _, e := range p.NVS {
		fmt.Fprintf(a.stdout, "  %s/%s (%s) = %s\n", e.Namespace, e.Key, e.Type, e.Value)
	}
	if len(in.Partitions) > 1 {
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "OFFSET\tSIZE\tNAME\tTYPE")
		for _, q := range in.Partitions[1:] {
			fmt.Fprintf(tw, "0x%06x\t0x%06x\t%s\t%s\n", q.Offset, q.Size, q.Name, q.TypeName)
		}
		tw.Flush()
	}
}

// printRegions lists each region's state and why.
func printRegions(a *app, in *outputs.Inspection) {
	if len(in.Regions) == 0 {
		return
	}
	fmt.Fprintln(a.stdout, "\nRegions:")
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	for _, r := range in.Regions {
		fmt.Fprintf(tw, "  0x%06x\t%s\t%s\t%s\n", r.Offset, r.Name, r.State, r.Reason)
	}
	tw.Flush()
}

func recognised(p outputs.PartitionSummary) bool {
	switch {
	case p.State == outputs.StateErased:
		return false
	case p.TypeName == "app":
		return p.Image != nil && p.Image.Project != ""
	}
	return true
}
